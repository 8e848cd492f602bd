"""The learner's skill profile: every skill the record evidences, its level and strongest evidence.

Evidence rules, per record item:

- an achievement joined to a catalog credential (its ``credential_id`` or an alignment's)
  evidences every skill that credential teaches, at the taught level; the learner holds that
  credential;
- an achievement's alignments and stated skill names evidence those skills at Intermediate,
  unless the joined credential teaches the skill at another level;
- the strength of achievement evidence is verified when the achievement was issued as a
  verified credential, endorsed when it is endorsed, otherwise inferred for the joined
  credential's skills and self-reported for the alignments and names;
- a degree's skills: verified when the degree is verified, else self-reported, at Intermediate;
- work experience and projects: inferred, at Intermediate;
- a work-experience title that equals an occupation's title or alternative title (no fuzzy
  match, and an ambiguous title infers nothing): each essential skill of that occupation,
  inferred, at Foundational, citing the work-experience item, but only when
  ``INFER_SKILLS_FROM_TITLES`` is on, and it is off by default;
- a self-reported skill: endorsed when endorsed, else self-reported, at its stated level or
  Intermediate.

The effective level, which the gap counts, is the level for verified and endorsed evidence and
one step lower for self-reported and inferred evidence. Title-inferred skills are the exception:
they count at Foundational, because Foundational is already the discounted level for having held
the job, and one step lower would count them as no evidence at all. The strongest evidence of a
skill is the one with the highest effective level, then the stronger kind. An empty record is a
cold start.

A skill name that matches no taxonomy skill is kept in ``LearnerProfile.unmatched`` with the
record items that name it and, when a label is near, that label as a suggestion.
"""

from __future__ import annotations

import logging

from advisor.domain import (
    EarnedAchievement,
    EvidenceStrength,
    KnowledgeBase,
    LearnerProfile,
    LearnerRecord,
    Proficiency,
    ProfileSkill,
    SkillEvidence,
    SkillMatch,
    WorkExperience,
)
from advisor.domain.pathway import UnmatchedSkill
from advisor.engine.catalog_index import taught_levels
from advisor.engine.goals import find_occupation_by_title
from advisor.engine.normalize import SkillNormalizer, clean, get_normalizer
from advisor.engine.ports import SkillSearch

logger = logging.getLogger(__name__)

DEFAULT_LEVEL = Proficiency.INTERMEDIATE
TITLE_LEVEL = Proficiency.FOUNDATIONAL

# Whether a work-experience title that names an occupation adds that occupation's essential skills.
# Off, because on the evaluation set (``advisor eval``) it lowered NDCG@5 from 0.353 to 0.345 and
# Recall@5 from 0.316 to 0.312, with closable-gap coverage unchanged at 0.752.
INFER_SKILLS_FROM_TITLES = False

STRENGTH_RANK: dict[EvidenceStrength, int] = {
    EvidenceStrength.VERIFIED: 3,
    EvidenceStrength.ENDORSED: 2,
    EvidenceStrength.SELF_REPORTED: 1,
    EvidenceStrength.INFERRED: 0,
}

DISCOUNTED = {EvidenceStrength.SELF_REPORTED, EvidenceStrength.INFERRED}


def effective_level(level: int, strength: EvidenceStrength) -> int:
    """Return the level the gap counts: one step lower for self-reported and inferred evidence."""
    return max(0, int(level) - 1) if strength in DISCOUNTED else int(level)


def build_profile(
    kb: KnowledgeBase,
    record: LearnerRecord | None,
    skill_search: SkillSearch | None = None,
) -> LearnerProfile:
    """Build the learner's skill profile from a record; ``None`` gives an empty cold-start profile."""
    if record is None:
        return LearnerProfile()

    collector = _EvidenceCollector(kb, get_normalizer(kb), skill_search)
    collector.item_ids = [item.id for item in _record_items(record)]
    for achievement in record.achievements:
        collector.add_achievement(achievement)

    for degree in record.degrees:
        strength = EvidenceStrength.VERIFIED if degree.verified else EvidenceStrength.SELF_REPORTED
        collector.add_names(degree.skills, DEFAULT_LEVEL, strength, degree.id, "degree")

    for job in record.work_experience:
        collector.add_names(job.skills, DEFAULT_LEVEL, EvidenceStrength.INFERRED, job.id, "work")
        if INFER_SKILLS_FROM_TITLES:
            collector.add_title(job)

    for project in record.projects:
        collector.add_names(project.skills, DEFAULT_LEVEL, EvidenceStrength.INFERRED, project.id, "project")

    for stated in record.self_reported_skills:
        strength = EvidenceStrength.ENDORSED if stated.endorsed else EvidenceStrength.SELF_REPORTED
        collector.add_names([stated.name], stated.level or DEFAULT_LEVEL, strength, stated.id, "stated")

    profile = collector.profile(record.learner_id)
    logger.debug(
        "profile of %s: %d skills, %d held credentials, %d unmatched",
        record.learner_id,
        len(profile.skills),
        len(profile.held_credentials),
        len(profile.unmatched),
    )
    return profile


def _record_items(record: LearnerRecord) -> list:
    """Return every item of a record that can evidence a skill, in record order."""
    return [
        *record.achievements,
        *record.degrees,
        *record.work_experience,
        *record.projects,
        *record.self_reported_skills,
    ]


class _EvidenceCollector:
    """Gathers skill evidence from record items, then picks the strongest per skill."""

    def __init__(
        self, kb: KnowledgeBase, normalizer: SkillNormalizer, skill_search: SkillSearch | None
    ) -> None:
        self.kb = kb
        self.normalizer = normalizer
        self.skill_search = skill_search
        # Per skill, each piece of evidence with the level the gap counts for it.
        self.evidence: dict[str, list[tuple[SkillEvidence, int]]] = {}
        self.held: dict[str, str] = {}
        self.unmatched: list[tuple[SkillMatch, str]] = []
        self.item_ids: list[str] = []
        self.uri_to_skill = normalizer.by_uri

    def add(
        self,
        skill_id: str,
        level: int,
        strength: EvidenceStrength,
        item_id: str,
        note: str,
        discounted: bool = True,
    ) -> None:
        """Record one piece of evidence; ``discounted=False`` counts it at its level whatever its strength."""
        level = min(max(int(level), 1), 4)
        evidence = SkillEvidence(
            skill_id=skill_id,
            level=Proficiency(level),
            strength=strength,
            record_item_id=item_id,
            note=note,
        )
        counted = effective_level(level, strength) if discounted else level
        self.evidence.setdefault(skill_id, []).append((evidence, counted))

    def add_names(
        self, names: list[str], level: int, strength: EvidenceStrength, item_id: str, note: str
    ) -> None:
        """Normalise skill names and record each matched one; keep the unmatched texts."""
        for name in names:
            match = self.normalizer.normalize(name, self.skill_search)
            if match.skill_id is None:
                self.unmatched.append((match, item_id))
                continue
            self.add(match.skill_id, level, strength, item_id, f"{note}: {name}")

    def add_title(self, job: WorkExperience) -> None:
        """Record the essential skills of the occupation a job title names, at Foundational."""
        occupation = find_occupation_by_title(self.kb, job.title)
        if occupation is None:
            return

        for required in occupation.required_skills:
            if required.essential and required.skill_id in self.kb.skills:
                self.add(required.skill_id, TITLE_LEVEL, EvidenceStrength.INFERRED, job.id,
                         f"job title: {job.title}", discounted=False)

    def add_achievement(self, achievement: EarnedAchievement) -> None:
        """Record the evidence of one earned achievement and the catalog credentials it holds."""
        if achievement.verified:
            strength = EvidenceStrength.VERIFIED
        elif achievement.endorsed:
            strength = EvidenceStrength.ENDORSED
        else:
            strength = None

        joined = [achievement.credential_id] if achievement.credential_id else []
        joined += [item.credential_id for item in achievement.alignments if item.credential_id]
        levels: dict[str, int] = {}
        for credential_id in joined:
            credential = self.kb.credentials.get(credential_id)
            if credential is None:
                continue
            self.held.setdefault(credential_id, achievement.id)
            for skill_id, level in taught_levels(credential).items():
                levels[skill_id] = max(levels.get(skill_id, 0), level)
                self.add(skill_id, level, strength or EvidenceStrength.INFERRED, achievement.id,
                         f"completed {credential_id}")

        stated_strength = strength or EvidenceStrength.SELF_REPORTED
        for alignment in achievement.alignments:
            skill_id = self._alignment_skill(alignment.skill_id, alignment.target_url)
            if skill_id:
                level = levels.get(skill_id, DEFAULT_LEVEL)
                self.add(skill_id, level, stated_strength, achievement.id, "alignment")
            elif alignment.target_name and not alignment.credential_id:
                self.add_names([alignment.target_name], DEFAULT_LEVEL, stated_strength,
                               achievement.id, "alignment")

        for name in achievement.skills:
            match = self.normalizer.normalize(name, self.skill_search)
            if match.skill_id is None:
                self.unmatched.append((match, achievement.id))
                continue
            level = levels.get(match.skill_id, DEFAULT_LEVEL)
            self.add(match.skill_id, level, stated_strength, achievement.id, f"stated: {name}")

    def _alignment_skill(self, skill_id: str | None, target_url: str | None) -> str | None:
        if skill_id and skill_id in self.kb.skills:
            return skill_id
        if target_url:
            return self.uri_to_skill.get(target_url)
        return None

    def profile(self, learner_id: str) -> LearnerProfile:
        """Return the profile: per skill, the strongest evidence and every record item behind it."""
        skills: dict[str, ProfileSkill] = {}
        for skill_id, items in self.evidence.items():
            best, counted = max(
                items, key=lambda pair: (pair[1], STRENGTH_RANK[pair[0].strength])
            )
            evidence = [item for item, _ in items]
            item_ids = list(dict.fromkeys(item.record_item_id for item in evidence))
            skill = self.kb.skills.get(skill_id)
            skills[skill_id] = ProfileSkill(
                skill_id=skill_id,
                label=skill.label if skill else skill_id,
                level=best.level,
                effective_level=counted,
                strength=best.strength,
                record_item_ids=item_ids,
                evidence=evidence,
            )

        return LearnerProfile(
            learner_id=learner_id,
            skills=skills,
            held_credentials=self.held,
            unmatched=self.unmatched_skills(),
            record_item_ids=self.item_ids,
        )

    def unmatched_skills(self) -> list[UnmatchedSkill]:
        """Return the unmatched names, one per cleaned text, with their items and a suggestion."""
        by_text: dict[str, UnmatchedSkill] = {}
        for match, item_id in self.unmatched:
            key = clean(match.text)
            found = by_text.get(key)
            if found is None:
                suggestion_id = self.normalizer.suggest(match.text)
                suggestion = self.kb.skills[suggestion_id].label if suggestion_id else None
                by_text[key] = UnmatchedSkill(
                    text=match.text,
                    record_item_ids=[item_id],
                    suggestion_id=suggestion_id,
                    suggestion=suggestion,
                )
            elif item_id not in found.record_item_ids:
                found.record_item_ids.append(item_id)
        return list(by_text.values())
