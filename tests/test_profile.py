"""Learner skill profile from a record."""

from __future__ import annotations

import pytest

from advisor.domain import (
    Alignment,
    Credential,
    Degree,
    EarnedAchievement,
    EvidenceStrength,
    KnowledgeBase,
    LearnerRecord,
    Project,
    SelfReportedSkill,
    Skill,
    SkillLevel,
    WorkExperience,
)
from advisor.engine.profile import build_profile, effective_level


@pytest.fixture
def kb() -> KnowledgeBase:
    skills = [
        Skill(id="py", label="Python", framework="esco", framework_uri="http://esco/py"),
        Skill(id="sql", label="SQL", framework="esco"),
        Skill(id="stats", label="statistics", framework="esco"),
        Skill(id="git", label="Git", framework="esco"),
    ]
    credentials = [
        Credential(id="c-py", title="Python", skills=[SkillLevel(skill_id="py", level=3)]),
    ]
    return KnowledgeBase.from_items(credentials, skills)


def test_cold_start_empty(kb: KnowledgeBase) -> None:
    profile = build_profile(kb, None)
    assert profile.skills == {}
    assert profile.held_credentials == {}


def test_empty_record_empty(kb: KnowledgeBase) -> None:
    assert build_profile(kb, LearnerRecord(learner_id="l1")).skills == {}


def test_verified_credential_join(kb: KnowledgeBase) -> None:
    record = LearnerRecord(
        learner_id="l1",
        achievements=[EarnedAchievement(id="a1", title="Py", verified=True, credential_id="c-py")],
    )
    profile = build_profile(kb, record)
    assert profile.skills["py"].strength is EvidenceStrength.VERIFIED
    assert profile.skills["py"].effective_level == 3
    assert profile.skills["py"].record_item_ids == ["a1"]
    assert profile.held_credentials == {"c-py": "a1"}


def test_unverified_credential_inferred(kb: KnowledgeBase) -> None:
    record = LearnerRecord(
        learner_id="l1",
        achievements=[EarnedAchievement(id="a1", title="Py", alignments=[Alignment(credential_id="c-py")])],
    )
    item = build_profile(kb, record).skills["py"]
    assert item.strength is EvidenceStrength.INFERRED
    assert item.effective_level == 2


def test_alignment_by_uri(kb: KnowledgeBase) -> None:
    record = LearnerRecord(
        learner_id="l1",
        achievements=[
            EarnedAchievement(id="a1", title="Badge", endorsed=True, alignments=[Alignment(target_url="http://esco/py")])
        ],
    )
    item = build_profile(kb, record).skills["py"]
    assert item.strength is EvidenceStrength.ENDORSED
    assert item.effective_level == 2


def test_sources_and_strengths(kb: KnowledgeBase) -> None:
    record = LearnerRecord(
        learner_id="l1",
        degrees=[Degree(id="d1", title="BSc", verified=True, skills=["statistics"])],
        work_experience=[WorkExperience(id="w1", title="Analyst", skills=["SQL"])],
        projects=[Project(id="p1", title="Repo", skills=["git"])],
        self_reported_skills=[SelfReportedSkill(id="s1", name="sql", level=4)],
    )
    skills = build_profile(kb, record).skills
    assert skills["stats"].strength is EvidenceStrength.VERIFIED
    assert skills["git"].strength is EvidenceStrength.INFERRED
    assert skills["git"].effective_level == 1
    assert skills["sql"].strength is EvidenceStrength.SELF_REPORTED
    assert skills["sql"].effective_level == 3
    assert skills["sql"].record_item_ids == ["w1", "s1"]


def test_strongest_evidence_wins(kb: KnowledgeBase) -> None:
    record = LearnerRecord(
        learner_id="l1",
        achievements=[EarnedAchievement(id="a1", title="Py", verified=True, credential_id="c-py")],
        self_reported_skills=[SelfReportedSkill(id="s1", name="Python", level=3)],
    )
    item = build_profile(kb, record).skills["py"]
    assert item.strength is EvidenceStrength.VERIFIED
    assert item.record_item_ids == ["a1", "s1"]


def test_unmatched_reported(kb: KnowledgeBase) -> None:
    record = LearnerRecord(learner_id="l1", self_reported_skills=[SelfReportedSkill(id="s1", name="juggling")])
    profile = build_profile(kb, record)
    assert profile.skills == {}
    assert [item.text for item in profile.unmatched] == ["juggling"]


@pytest.mark.parametrize(
    ("strength", "expected"),
    [
        (EvidenceStrength.VERIFIED, 3),
        (EvidenceStrength.ENDORSED, 3),
        (EvidenceStrength.SELF_REPORTED, 2),
        (EvidenceStrength.INFERRED, 2),
    ],
)
def test_effective_level_rule(strength: EvidenceStrength, expected: int) -> None:
    assert effective_level(3, strength) == expected
