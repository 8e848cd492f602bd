"""Turn a solved plan into a pathway: steps scheduled into weeks, what each closes, what stays open.

Steps run one after another in the solver's order at the learner's hours per week, so a step
starts in the week the previous one ends. Week 1 starts on the start date; a step's end date is
the last day of its last week.
"""

from __future__ import annotations

import math
from datetime import timedelta

from advisor.domain import (
    GapSkill,
    KnowledgeBase,
    OpenGap,
    OpenGapReason,
    Pathway,
    PathwayStep,
    PrerequisiteNote,
    SkillClosure,
    StackNote,
)
from advisor.engine.candidates import Candidate, PlanProblem
from advisor.engine.candidates import is_practice_skill, teaches_by_label
from advisor.engine.catalog_index import get_catalog_index, taught_levels
from advisor.engine.explain import count_phrase, level_name
from advisor.engine.planner import Solution

FILTER_REASONS = {"modality", "language", "unknown_cost"}


def build_pathway(kb: KnowledgeBase, problem: PlanProblem, solution: Solution) -> Pathway:
    """Build the pathway of a solution: steps, schedule, citations and open gaps."""
    per_week = problem.hours_per_week
    reached = dict(problem.current)
    steps: list[PathwayStep] = []
    elapsed = 0.0
    for position, credential_id in enumerate(solution.order, start=1):
        candidate = problem.candidates[credential_id]
        closes = _closures(problem, candidate, reached)
        start_week = int(elapsed // per_week) + 1
        elapsed += candidate.hours
        end_week = max(start_week, math.ceil(elapsed / per_week - 1e-9))
        steps.append(
            PathwayStep(
                order=position,
                credential_id=credential_id,
                title=candidate.credential.title,
                provider=candidate.credential.provider,
                hours=candidate.hours,
                hours_estimated=candidate.hours_estimated,
                cost=candidate.cost,
                currency=problem.currency if candidate.cost else candidate.credential.currency,
                start_week=start_week,
                end_week=end_week,
                start_date=problem.start + timedelta(days=7 * (start_week - 1)),
                end_date=problem.start + timedelta(days=7 * end_week - 1),
                closes=closes,
                prerequisites=_prerequisites(kb, problem, candidate, solution.order[: position - 1]),
                stacks_into=_stacks(kb, problem, candidate, solution.order),
            )
        )
    _link_needed_by(steps)
    for step in steps:
        step.citations = _citations(problem, step)

    return _pathway(kb, problem, solution, steps, reached)


def _pathway(
    kb: KnowledgeBase,
    problem: PlanProblem,
    solution: Solution,
    steps: list[PathwayStep],
    reached: dict[str, int],
) -> Pathway:
    total_hours = sum(step.hours for step in steps)
    weeks = math.ceil(total_hours / problem.hours_per_week - 1e-9) if steps else 0
    notes = list(solution.notes)
    if problem.hours_per_week_default:
        notes.append(f"no hours per week given, so {problem.hours_per_week:g} hours per week is assumed")
    estimated = [step.credential_id for step in steps if step.hours_estimated]
    if estimated:
        notes.append(
            "hours are estimates, derived from a duration range or from the credential kind, for: "
            + ", ".join(estimated)
        )
    unknown = [step.credential_id for step in steps if step.cost is None]
    budget_note = _budget_note(problem, len(steps), unknown)
    if budget_note:
        notes.append(budget_note)
    elif unknown:
        notes.append(f"cost is unknown for: {', '.join(unknown)}; the total counts known costs only")

    covered = sum(
        item.importance * (reached[item.skill_id] - item.current_level) for item in problem.gap.skills
    )
    return Pathway(
        steps=steps,
        open_gaps=_open_gaps(kb, problem, steps, reached),
        covered_weight=round(covered, 6),
        total_weight=round(problem.gap.total_weight, 6),
        total_hours=round(total_hours, 6),
        known_cost=round(sum(step.cost or 0.0 for step in steps), 2),
        currency=problem.currency,
        unknown_cost_ids=unknown,
        weeks=weeks,
        hours_per_week=problem.hours_per_week,
        hours_per_week_default=problem.hours_per_week_default,
        end_date=problem.start + timedelta(days=7 * weeks - 1) if weeks else None,
        solver=solution.solver,
        optimal=solution.optimal,
        candidates=len(problem.candidates),
        notes=notes,
    )


def _budget_note(problem: PlanProblem, step_count: int, unknown: list[str]) -> str | None:
    """Return a note that a budget was applied to known prices only, or None without unpriced credentials."""
    budget = problem.constraints.budget
    if budget is None:
        return None
    unpriced = [key for key, candidate in problem.candidates.items() if candidate.cost is None]
    if not unknown and not unpriced:
        return None
    currency = f" {problem.currency}" if problem.currency else ""
    return (
        f"the budget of {budget:g}{currency} was applied to known prices only: "
        f"{count_phrase(len(unpriced), len(problem.candidates), 'candidate credential')} no price, "
        f"and {count_phrase(len(unknown), step_count, 'chosen step')} no price"
        f"{' (' + ', '.join(unknown) + ')' if unknown else ''}"
    )


def _closures(problem: PlanProblem, candidate: Candidate, reached: dict[str, int]) -> list[SkillClosure]:
    closes = []
    for item in problem.gap.skills:
        level = candidate.gains.get(item.skill_id, 0)
        if level <= reached[item.skill_id]:
            continue
        closes.append(
            SkillClosure(
                skill_id=item.skill_id,
                label=item.label,
                from_level=reached[item.skill_id],
                to_level=level,
                required_level=int(item.required_level),
                importance=item.importance,
            )
        )
        reached[item.skill_id] = level
    return closes


def _prerequisites(
    kb: KnowledgeBase, problem: PlanProblem, candidate: Candidate, earlier: list[str]
) -> list[PrerequisiteNote]:
    profile = problem.profile
    notes: list[PrerequisiteNote] = []
    for required_id in candidate.credential.prerequisite_credentials:
        required = kb.credentials.get(required_id)
        label = required.title if required else required_id
        if required_id in earlier:
            notes.append(PrerequisiteNote(kind="credential", target_id=required_id, label=label,
                                          satisfied_by="plan", citations=[required_id]))
        elif required_id in profile.held_credentials:
            notes.append(PrerequisiteNote(kind="credential", target_id=required_id, label=label,
                                          satisfied_by="held",
                                          citations=[required_id, profile.held_credentials[required_id]]))
        else:
            items = [
                record_id
                for skill_id in (taught_levels(required) if required else {})
                for record_id in profile.skills[skill_id].record_item_ids
            ]
            notes.append(PrerequisiteNote(kind="credential", target_id=required_id, label=label,
                                          satisfied_by="profile", citations=list(dict.fromkeys(items))))

    for needed in candidate.credential.prerequisite_skills:
        skill = kb.skills.get(needed.skill_id)
        label = skill.label if skill else needed.skill_id
        level = int(needed.level)
        held = profile.skills.get(needed.skill_id)
        if held and held.effective_level >= level:
            notes.append(PrerequisiteNote(kind="skill", target_id=needed.skill_id, label=label, level=level,
                                          satisfied_by="profile", citations=held.record_item_ids))
            continue
        providers = [item for item in earlier if problem.candidates[item].credential_teaches(needed.skill_id, level)]
        notes.append(PrerequisiteNote(kind="skill", target_id=needed.skill_id, label=label, level=level,
                                      satisfied_by="plan", citations=providers[:1]))
    return notes


def _stacks(kb: KnowledgeBase, problem: PlanProblem, candidate: Candidate, order: list[str]) -> list[StackNote]:
    parts_of = get_catalog_index(kb).parts
    notes = []
    for parent_id in candidate.stacks:
        parts = parts_of.get(parent_id, set())
        notes.append(
            StackNote(
                credential_id=parent_id,
                title=kb.credentials[parent_id].title,
                parts_total=len(parts),
                parts_in_plan=sum(1 for item in parts if item in order),
                parts_held=sum(1 for item in parts if item in problem.profile.held_credentials),
            )
        )
    return notes


def _link_needed_by(steps: list[PathwayStep]) -> None:
    for step in steps:
        for note in step.prerequisites:
            if note.satisfied_by != "plan":
                continue
            for earlier in steps:
                if earlier.credential_id in note.citations and step.credential_id not in earlier.needed_by:
                    earlier.needed_by.append(step.credential_id)


def _citations(problem: PlanProblem, step: PathwayStep) -> list[str]:
    cited = [step.credential_id]
    gap_items = {item.skill_id: item for item in problem.gap.skills}
    for closure in step.closes:
        cited += gap_items[closure.skill_id].record_item_ids
    for note in step.prerequisites:
        cited += note.citations
    cited += [note.credential_id for note in step.stacks_into]
    return list(dict.fromkeys(cited))


def _open_gaps(
    kb: KnowledgeBase, problem: PlanProblem, steps: list[PathwayStep], reached: dict[str, int]
) -> list[OpenGap]:
    open_gaps = []
    for item in problem.gap.skills:
        if reached[item.skill_id] >= int(item.required_level):
            continue
        reason, detail, teacher_ids = _open_reason(kb, problem, steps, item, reached[item.skill_id])
        if item.note:
            detail = f"{detail}; {item.note}"
        open_gaps.append(
            OpenGap(
                skill_id=item.skill_id,
                label=item.label,
                required_level=int(item.required_level),
                reached_level=reached[item.skill_id],
                importance=item.importance,
                reason=reason,
                detail=detail,
                credential_ids=teacher_ids[:5],
            )
        )
    return open_gaps


def _open_reason(
    kb: KnowledgeBase, problem: PlanProblem, steps: list[PathwayStep], item: GapSkill, reached: int
) -> tuple[OpenGapReason, str, list[str]]:
    teachers = [
        credential_id
        for credential_id, level in get_catalog_index(kb).teachers.get(item.skill_id, [])
        if level > reached
    ]
    if not teachers:
        if reached:
            detail = f"no catalog credential teaches it above {level_name(reached)}"
        else:
            detail = "no catalog credential teaches it"
        return OpenGapReason.NO_CREDENTIAL, detail, []
    if is_practice_skill(item.skill_id) and not any(teaches_by_label(kb, kb.credentials[key], item.skill_id) for key in teachers):
        return (OpenGapReason.PRACTICE,
                "a general skill developed through practice; no credential teaches it by name", [])

    allowed: list[str] = []
    blocked: list[str] = []
    rejected: dict[str, str] = {}
    for credential_id in teachers:
        candidate = problem.candidates.get(credential_id)
        if candidate is not None:
            (blocked if candidate.blocked else allowed).append(credential_id)
            continue
        reason = problem.rejection(kb.credentials[credential_id])
        if reason:
            rejected[credential_id] = reason
        else:
            allowed.append(credential_id)

    if allowed:
        return _limit_reason(kb, problem, steps, allowed)
    if blocked:
        why = problem.candidates[blocked[0]].blocked
        return OpenGapReason.PREREQUISITE_UNAVAILABLE, f"{blocked[0]}: {why}", blocked
    reasons = set(rejected.values())
    if "excluded" in reasons:
        excluded = [key for key, value in rejected.items() if value == "excluded"]
        return OpenGapReason.EXCLUDED, f"the credentials that teach it are excluded: {', '.join(excluded)}", excluded
    if reasons & FILTER_REASONS:
        filtered = [key for key, value in rejected.items() if value in FILTER_REASONS]
        kinds = ", ".join(sorted(reasons & FILTER_REASONS))
        return OpenGapReason.FILTERED, f"the credentials that teach it do not match the allowed {kinds}", filtered
    return OpenGapReason.NO_CREDENTIAL, "only credentials the learner already holds teach it", list(rejected)


def _limit_reason(
    kb: KnowledgeBase, problem: PlanProblem, steps: list[PathwayStep], allowed: list[str]
) -> tuple[OpenGapReason, str, list[str]]:
    constraints = problem.constraints
    hours = sum(step.hours for step in steps)
    cost = sum(step.cost or 0.0 for step in steps)
    ranked = sorted(allowed, key=lambda key: (get_catalog_index(kb).hours[key][0], key))
    best = ranked[0]
    credential = kb.credentials[best]
    candidate = problem.candidates.get(best)
    extra_hours = candidate.hours if candidate else get_catalog_index(kb).hours[credential.id][0]
    extra_cost = candidate.cost if candidate else credential.cost

    if constraints.budget is not None and extra_cost is not None and cost + extra_cost > constraints.budget + 1e-9:
        return (OpenGapReason.OVER_BUDGET,
                f"{best} costs {extra_cost:g}; with the plan's {cost:g} that exceeds the budget of "
                f"{constraints.budget:g}", ranked)
    if problem.hours_capacity is not None and hours + extra_hours > problem.hours_capacity + 1e-9:
        return (OpenGapReason.PAST_DEADLINE,
                f"{best} takes {extra_hours:g} h; together with the plan's {hours:g} h that ends after the deadline "
                f"{constraints.deadline} ({problem.hours_capacity:g} h available)", ranked)
    if constraints.max_credentials is not None and len(steps) >= constraints.max_credentials:
        return (OpenGapReason.MAX_CREDENTIALS,
                f"the plan already has the maximum of {constraints.max_credentials} credentials", ranked)
    return (OpenGapReason.NOT_CHOSEN,
            f"{best} teaches it but together with the plan it breaks a limit or its prerequisites, "
            "or it ranked below the kept candidates", ranked)

