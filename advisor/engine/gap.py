"""Gap analysis: per required skill, the required level minus the learner's effective level.

The effective level comes from the profile (see ``advisor.engine.profile``): verified and
endorsed evidence counts at its level, self-reported and inferred evidence one step lower, so a
self-reported Advanced skill meets an Intermediate requirement but not an Advanced one. A skill
held at or above the required level is met and leaves the gap. Each missing skill weighs
``importance * (required level - effective level)``.
"""

from __future__ import annotations

import logging

from advisor.domain import Gap, GapSkill, LearnerProfile, ResolvedGoal

logger = logging.getLogger(__name__)


def compute_gap(profile: LearnerProfile, goal: ResolvedGoal) -> Gap:
    """Compare a profile with a resolved goal's required skills, heaviest gaps first."""
    missing: list[GapSkill] = []
    met: list[GapSkill] = []
    for required in goal.required:
        held = profile.skills.get(required.skill_id)
        item = GapSkill(
            skill_id=required.skill_id,
            label=required.label,
            required_level=required.level,
            current_level=held.effective_level if held else 0,
            importance=required.importance,
            essential=required.essential,
            strength=held.strength if held else None,
            record_item_ids=held.record_item_ids if held else [],
        )
        (missing if item.missing_levels > 0 else met).append(item)

    missing.sort(key=lambda item: (-item.weighted_gap, item.label, item.skill_id))
    gap = Gap(goal_title=goal.title, occupation_id=goal.occupation_id, skills=missing, met=met)
    logger.debug("gap toward %r: %d missing, %d met", goal.title, len(missing), len(met))
    return gap
