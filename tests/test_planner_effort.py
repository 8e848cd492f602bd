"""Effort weighting: hours scaled by distance from the goal in the coverage objective."""

from __future__ import annotations

from datetime import date

import pytest

from advisor.domain import (
    Constraints,
    Credential,
    Goal,
    GoalKind,
    KnowledgeBase,
    Occupation,
    RequiredSkill,
    Skill,
    SkillLevel,
)
from advisor.engine import advise, scaling

TODAY = date(2026, 1, 5)
GOAL = Goal(kind=GoalKind.OCCUPATION, occupation="occ")


def catalog() -> KnowledgeBase:
    credentials = [
        Credential(id="focused", title="Focused", skills=[SkillLevel(skill_id="x", level=2)], hours=12),
        Credential(
            id="broad",
            title="Broad",
            skills=[SkillLevel(skill_id=item, level=2) for item in ("x", "y", "z")],
            hours=10,
        ),
    ]
    occupation = Occupation(id="occ", title="role", framework="esco", required_skills=[RequiredSkill(skill_id="x", level=2)])
    skills = [Skill(id=item, label=f"skill {item}", framework="esco") for item in ("x", "y", "z")]
    return KnowledgeBase.from_items(credentials, skills, [occupation])


@pytest.mark.parametrize(("alpha", "expected"), [(0.0, ["broad"]), (2.0, ["focused"])])
def test_effort_weight_picks_focused(monkeypatch: pytest.MonkeyPatch, alpha: float, expected: list[str]) -> None:
    monkeypatch.setattr(scaling, "EFFORT_ALPHA", alpha)
    pathway = advise(catalog(), None, GOAL, Constraints(hours_per_week=10), today=TODAY).pathway
    assert pathway.credential_ids == expected
