"""Presolve: drop the candidates that no optimal plan needs, before the exact solve.

A candidate is dropped when it is unusable (blocked, or a prerequisite it needs is no longer a
candidate), when it closes no gap and no remaining candidate needs it, or when another candidate
dominates it. Candidate B dominates candidate A when

* B is not blocked and A is not a required credential of any remaining candidate;
* B raises every gap skill at least as far as A does;
* B takes no more hours and no more effort, and costs no more (a known cost counts in the budget, so B may have an
  unknown cost only where A has one too);
* B stacks toward the goal whenever A does;
* B's prerequisites are a subset of A's (same credentials, same skill and level pairs);
* B teaches, at the level needed, every prerequisite skill that A provides to a kept candidate.

Then any plan with A stays valid, and no worse on any objective stage or limit, when B takes A's
place (or when A is removed, if B is already in it), so the optimum over the kept candidates
equals the optimum over all of them. Among equal candidates the lowest id is kept. Dominance is
transitive and strict, so dropping one candidate at a time until nothing changes keeps a
dominator of every dropped candidate.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from advisor.engine.candidates import Candidate, PlanProblem
from advisor.engine.catalog_index import taught_levels
from advisor.engine.scaling import scaled_cost, scaled_effort, scaled_hours

logger = logging.getLogger(__name__)


def reduce_candidates(problem: PlanProblem) -> dict[str, Candidate]:
    """Return the candidates an optimal plan may need, in the problem's order."""
    kept = dict(problem.candidates)
    teachers = SkillTeachers(kept)
    references = _References(teachers, kept)
    signatures = {item.id: _Signature.of(item) for item in kept.values()}

    # A drop can only make droppable the candidates linked to the dropped one, so only those
    # are checked again.
    pending = sorted(kept, reverse=True)
    queued = set(pending)
    while pending:
        credential_id = pending.pop()
        queued.discard(credential_id)
        candidate = kept.get(credential_id)
        if candidate is None or not _droppable(teachers, kept, references, signatures, candidate):
            continue
        linked = _linked(teachers, references, candidate)
        del kept[credential_id]
        references.forget(candidate)
        for item in linked - queued:
            if item in kept:
                pending.append(item)
                queued.add(item)

    logger.debug("presolve kept %d of %d candidates", len(kept), len(problem.candidates))
    return kept


def _linked(teachers: SkillTeachers, references: _References, candidate: Candidate) -> set[str]:
    """Return the candidates a candidate needs or is needed by."""
    linked = set(candidate.needs_credentials)
    for key in candidate.needs_skills:
        linked.update(teachers.providers(key, candidate.id))
    linked.update(references.required_by.get(candidate.id, ()))
    for users in references.provider_keys.get(candidate.id, {}).values():
        linked.update(users)
    return linked


@dataclass(frozen=True)
class _Signature:
    """Hours, cost, stacking and prerequisites of a candidate, as dominance compares them."""

    hours: int
    effort: int
    cost: int
    unknown_cost: bool
    stacks: bool
    needs_credentials: frozenset[str]
    needs_skills: frozenset[tuple[str, int]]

    @classmethod
    def of(cls, candidate: Candidate) -> _Signature:
        """Return the signature of a candidate."""
        return cls(
            hours=scaled_hours(candidate),
            effort=scaled_effort(candidate),
            cost=scaled_cost(candidate),
            unknown_cost=candidate.cost is None,
            stacks=bool(candidate.stacks),
            needs_credentials=frozenset(candidate.needs_credentials),
            needs_skills=frozenset(candidate.needs_skills),
        )

    def no_worse_than(self, other: _Signature) -> bool:
        """Return True when hours, effort, cost, stacking and prerequisites are each at least as good."""
        return (
            self.hours <= other.hours
            and self.effort <= other.effort
            and self.cost <= other.cost
            and (other.unknown_cost or not self.unknown_cost)
            and (self.stacks or not other.stacks)
            and self.needs_credentials <= other.needs_credentials
            and self.needs_skills <= other.needs_skills
        )


SkillKey = tuple[str, int]


class SkillTeachers:
    """Candidates by taught skill, to find who can meet a prerequisite skill."""

    def __init__(self, candidates: dict[str, Candidate]) -> None:
        # The mapping is shared, not copied, so a candidate dropped from it is no longer returned.
        self.candidates = candidates
        self.by_skill: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.by_gain: dict[str, list[Candidate]] = defaultdict(list)
        self.ranked: dict[SkillKey, list[str]] = {}
        for credential_id, candidate in candidates.items():
            for skill_id, level in (candidate.taught or taught_levels(candidate.credential)).items():
                self.by_skill[skill_id].append((level, credential_id))
            for skill_id in candidate.gains:
                self.by_gain[skill_id].append(candidate)

    def gainers(self, skill_id: str, level: int) -> list[Candidate]:
        """Return the candidates that raise a gap skill to the level or above."""
        return [
            item
            for item in self.by_gain.get(skill_id, [])
            if item.gains[skill_id] >= level and item.id in self.candidates
        ]

    def providers(self, key: SkillKey, consumer: str) -> list[str]:
        """Return the candidates, other than the consumer, that teach a skill at the level or above."""
        ranked = self.ranked.get(key)
        if ranked is None:
            skill_id, level = key
            ranked = sorted({credential_id for taught, credential_id in self.by_skill.get(skill_id, []) if taught >= level})
            self.ranked[key] = ranked
        return [item for item in ranked if item != consumer and item in self.candidates]


class _References:
    """Links from each candidate to the kept candidates that need it, as a credential or a skill provider."""

    def __init__(self, teachers: SkillTeachers, kept: dict[str, Candidate]) -> None:
        self.teachers = teachers
        self.required_by: dict[str, set[str]] = defaultdict(set)
        self.provider_keys: dict[str, dict[SkillKey, set[str]]] = defaultdict(lambda: defaultdict(set))
        for candidate in kept.values():
            self.add(candidate)

    def add(self, candidate: Candidate) -> None:
        """Record what one kept candidate needs."""
        for needed in candidate.needs_credentials:
            self.required_by[needed].add(candidate.id)
        for key in candidate.needs_skills:
            for provider in self.teachers.providers(key, candidate.id):
                self.provider_keys[provider][key].add(candidate.id)

    def forget(self, candidate: Candidate) -> None:
        """Remove what a dropped candidate needed."""
        for needed in candidate.needs_credentials:
            self.required_by[needed].discard(candidate.id)
        for key in candidate.needs_skills:
            for provider in self.teachers.providers(key, candidate.id):
                users = self.provider_keys[provider].get(key)
                if users is not None:
                    users.discard(candidate.id)
                    if not users:
                        del self.provider_keys[provider][key]

    def referenced(self, credential_id: str) -> bool:
        """Return True when a kept candidate needs this one."""
        return bool(self.required_by.get(credential_id)) or bool(self.provider_keys.get(credential_id))


def _droppable(
    teachers: SkillTeachers,
    kept: dict[str, Candidate],
    references: _References,
    signatures: dict[str, _Signature],
    candidate: Candidate,
) -> bool:
    if not usable(teachers, kept, candidate):
        return True

    if references.required_by.get(candidate.id):
        return False
    if not candidate.gains and not references.referenced(candidate.id):
        return True

    provides = references.provider_keys.get(candidate.id, {})
    for other in _possible_dominators(teachers, kept, references, candidate):
        if other.id == candidate.id or other.blocked:
            continue
        if not signatures[other.id].no_worse_than(signatures[candidate.id]):
            continue
        if not _covers(other, candidate, provides):
            continue
        if other.id < candidate.id:
            return True
        other_provides = references.provider_keys.get(other.id, {})
        if not (signatures[candidate.id].no_worse_than(signatures[other.id]) and _covers(candidate, other, other_provides)):
            return True
    return False


def _covers(better: Candidate, worse: Candidate, worse_provides: dict[SkillKey, set[str]]) -> bool:
    """Return True when ``better`` closes every gap ``worse`` closes and teaches what it provides."""
    if any(better.gains.get(skill_id, 0) < level for skill_id, level in worse.gains.items()):
        return False
    return all(better.credential_teaches(skill_id, level) for skill_id, level in worse_provides)


def usable(teachers: SkillTeachers, kept: dict[str, Candidate], candidate: Candidate) -> bool:
    """Return True when a candidate can enter a plan made of kept candidates."""
    if candidate.blocked:
        return False
    if any(needed not in kept for needed in candidate.needs_credentials):
        return False
    return all(teachers.providers(key, candidate.id) for key in candidate.needs_skills)


def _possible_dominators(
    teachers: SkillTeachers, kept: dict[str, Candidate], references: _References, candidate: Candidate
) -> list[Candidate]:
    """Return the kept candidates that could dominate one: a short list, not a check."""
    keys = references.provider_keys.get(candidate.id)
    if keys:
        key = next(iter(keys))
        return [kept[item] for item in teachers.providers(key, candidate.id)]

    if candidate.gains:
        skill_id = min(candidate.gains, key=lambda item: len(teachers.by_gain[item]))
        return teachers.gainers(skill_id, candidate.gains[skill_id])

    return list(kept.values())


def dominates(
    better: Candidate, worse: Candidate, worse_provides: dict[tuple[str, int], set[str]]
) -> bool:
    """Return True when ``better`` can replace ``worse`` in any plan without making it worse.

    ``worse_provides`` maps the prerequisite skills ``worse`` provides to the candidates that
    need them, and ``better`` must teach each at its level. Equal candidates dominate each
    other, so the caller keeps the lower id.
    """
    if better.blocked:
        return False
    return _Signature.of(better).no_worse_than(_Signature.of(worse)) and _covers(better, worse, worse_provides)
