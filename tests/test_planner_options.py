"""Further options after the plan: goal-relevant credentials outside it that fit the limits."""

from __future__ import annotations

from datetime import date

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
from advisor.engine import advise

TODAY = date(2026, 1, 5)
GOAL = Goal(kind=GoalKind.OCCUPATION, occupation="occ")


class FixedRelevance:
    """A CredentialRelevance port with fixed scores."""

    def __init__(self, scores: dict[str, float]) -> None:
        self.scores = scores

    def relevance(self, goal_text: str, candidate_ids: list[str]) -> dict[str, float]:
        return {item: self.scores[item] for item in candidate_ids if item in self.scores}


def catalog() -> KnowledgeBase:
    credentials = [
        Credential(id="short", title="Short", skills=[SkillLevel(skill_id="x", level=2)], hours=10),
        Credential(id="cert", title="Certificate", skills=[SkillLevel(skill_id="x", level=2)], hours=40),
        Credential(id="advanced", title="Advanced", skills=[SkillLevel(skill_id="x", level=2)], hours=20,
                   prerequisite_credentials=["missing"]),
        Credential(id="off", title="Off goal", skills=[SkillLevel(skill_id="x", level=2)], hours=5),
        Credential(id="missing", title="Missing", skills=[SkillLevel(skill_id="y", level=1)], hours=5),
    ]
    occupation = Occupation(id="occ", title="role", framework="esco",
                            required_skills=[RequiredSkill(skill_id="x", level=2)])
    skills = [Skill(id=item, label=f"skill {item}", framework="esco") for item in ("x", "y")]
    return KnowledgeBase.from_items(credentials, skills, [occupation])


SCORES = {"short": 0.8, "cert": 0.9, "advanced": 0.95, "off": 0.1}


def test_options_ranked_after_plan() -> None:
    advice = advise(catalog(), None, GOAL, Constraints(hours_per_week=10), today=TODAY,
                    relevance=FixedRelevance(SCORES))
    options = [item.credential_id for item in advice.pathway.further_options]
    assert advice.pathway.credential_ids == ["short"]
    assert options == ["cert"]


def test_options_skip_unmet_prerequisite() -> None:
    advice = advise(catalog(), None, GOAL, Constraints(hours_per_week=10), today=TODAY,
                    relevance=FixedRelevance(SCORES))
    assert "advanced" not in [item.credential_id for item in advice.pathway.further_options]


def test_options_respect_deadline() -> None:
    constraints = Constraints(hours_per_week=10, deadline=date(2026, 1, 25))
    advice = advise(catalog(), None, GOAL, constraints, today=TODAY, relevance=FixedRelevance(SCORES))
    assert advice.pathway.further_options == []


def test_no_options_without_port() -> None:
    advice = advise(catalog(), None, GOAL, Constraints(hours_per_week=10), today=TODAY)
    assert advice.pathway.further_options == []
