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
- a self-reported skill: endorsed when endorsed, else self-reported, at its stated level or
  Intermediate.

The effective level, which the gap counts, is the level for verified and endorsed evidence and
one step lower for self-reported and inferred evidence. The strongest evidence of a skill is the
one with the highest effective level, then the stronger kind. An empty record is a cold start.
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
)
from advisor.engine.catalog_index import taught_levels
from advisor.engine.normalize import SkillNormalizer, clean, get_normalizer
from advisor.engine.ports import SkillSearch

logger = logging.getLogger(__name__)

DEFAULT_LEVEL = Proficiency.INTERMEDIATE

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
    for achievement in record.achievements:
        collector.add_achievement(achievement)

    for degree in record.degrees:
        strength = EvidenceStrength.VERIFIED if degree.verified else EvidenceStrength.SELF_REPORTED
        collector.add_names(degree.skills, DEFAULT_LEVEL, strength, degree.id, "degree")

    for job in record.work_experience:
        collector.add_names(job.skills, DEFAULT_LEVEL, EvidenceStrength.INFERRED, job.id, "work")

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


class _EvidenceCollector:
    """Gathers skill evidence from record items, then picks the strongest per skill."""

    def __init__(
        self, kb: KnowledgeBase, normalizer: SkillNormalizer, skill_search: SkillSearch | None
    ) -> None:
        self.kb = kb
        self.normalizer = normalizer
        self.skill_search = skill_search
        self.evidence: dict[str, list[SkillEvidence]] = {}
        self.held: dict[str, str] = {}
        self.unmatched: list[SkillMatch] = []
        self.uri_to_skill = normalizer.by_uri

    def add(self, skill_id: str, level: int, strength: EvidenceStrength, item_id: str, note: str) -> None:
        """Record one piece of evidence."""
        level = min(max(int(level), 1), 4)
        self.evidence.setdefault(skill_id, []).append(
            SkillEvidence(
                skill_id=skill_id,
                level=Proficiency(level),
                strength=strength,
                record_item_id=item_id,
                note=note,
            )
        )

    def add_names(
        self, names: list[str], level: int, strength: EvidenceStrength, item_id: str, note: str
    ) -> None:
        """Normalise skill names and record each matched one; keep the unmatched texts."""
        for name in names:
            match = self.normalizer.normalize(name, self.skill_search)
            if match.skill_id is None:
                self.unmatched.append(match)
                continue
            self.add(match.skill_id, level, strength, item_id, f"{note}: {name}")

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
                self.unmatched.append(match)
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
            best = max(
                items,
                key=lambda item: (effective_level(item.level, item.strength), STRENGTH_RANK[item.strength]),
            )
            item_ids = list(dict.fromkeys(item.record_item_id for item in items))
            skill = self.kb.skills.get(skill_id)
            skills[skill_id] = ProfileSkill(
                skill_id=skill_id,
                label=skill.label if skill else skill_id,
                level=best.level,
                effective_level=effective_level(best.level, best.strength),
                strength=best.strength,
                record_item_ids=item_ids,
                evidence=items,
            )

        unmatched = list({clean(item.text): item for item in self.unmatched}.values())
        return LearnerProfile(
            learner_id=learner_id, skills=skills, held_credentials=self.held, unmatched=unmatched
        )
