"""Learner skill profile from a record."""

from __future__ import annotations

import pytest

from advisor.domain import (
    Alignment,
    Occupation,
    Proficiency,
    RequiredSkill,
    Credential,
    Degree,
    EarnedAchievement,
    EvidenceStrength,
    Goal,
    GoalKind,
    KnowledgeBase,
    LearnerRecord,
    Project,
    SelfReportedSkill,
    Skill,
    SkillLevel,
    WorkExperience,
)
from advisor.engine import profile as profile_module
from advisor.engine.gap import compute_gap
from advisor.engine.goals import resolve_goal
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


def test_swapped_letters_matched(kb: KnowledgeBase) -> None:
    record = LearnerRecord(learner_id="l1", self_reported_skills=[SelfReportedSkill(id="s1", name="pyhton")])
    profile = build_profile(kb, record)
    assert "py" in profile.skills
    assert profile.unmatched == []


def test_unmatched_keeps_items_and_suggestion(kb: KnowledgeBase) -> None:
    record = LearnerRecord(
        learner_id="l1",
        work_experience=[WorkExperience(id="w1", title="Clerk", skills=["statisticz ok", "juggling"])],
        self_reported_skills=[SelfReportedSkill(id="s1", name="Juggling")],
    )
    unmatched = {item.text: item for item in build_profile(kb, record).unmatched}
    assert sorted(unmatched) == ["juggling", "statisticz ok"]
    assert unmatched["juggling"].record_item_ids == ["w1", "s1"]
    assert unmatched["juggling"].suggestion is None
    assert unmatched["statisticz ok"].record_item_ids == ["w1"]
    assert unmatched["statisticz ok"].suggestion == "statistics"
    assert unmatched["statisticz ok"].suggestion_id == "stats"


def test_record_item_ids_listed(kb: KnowledgeBase) -> None:
    record = LearnerRecord(
        learner_id="l1",
        work_experience=[WorkExperience(id="w1", title="Clerk")],
        projects=[Project(id="p1", title="Repo")],
    )
    profile = build_profile(kb, record)
    assert profile.skills == {}
    assert profile.record_item_ids == ["w1", "p1"]


def test_title_inference_off_by_default() -> None:
    assert profile_module.INFER_SKILLS_FROM_TITLES is False


@pytest.fixture
def kb_with_occupation(monkeypatch: pytest.MonkeyPatch) -> KnowledgeBase:
    monkeypatch.setattr(profile_module, "INFER_SKILLS_FROM_TITLES", True)
    skills = [
        Skill(id="acc", label="accounting", framework="esco"),
        Skill(id="tax", label="tax law", framework="esco"),
        Skill(id="xl", label="spreadsheets", framework="esco"),
    ]
    occupation = Occupation(
        id="occ-book",
        title="bookkeeper",
        alt_titles=["accounts clerk"],
        framework="esco",
        required_skills=[
            RequiredSkill(skill_id="acc", level=2),
            RequiredSkill(skill_id="tax", level=1),
            RequiredSkill(skill_id="xl", level=2, essential=False),
        ],
    )
    return KnowledgeBase.from_items([], skills, [occupation])


def test_title_infers_essential_skills(kb_with_occupation: KnowledgeBase) -> None:
    record = LearnerRecord(learner_id="l1", work_experience=[WorkExperience(id="w1", title="Bookkeeper")])
    skills = build_profile(kb_with_occupation, record).skills
    assert sorted(skills) == ["acc", "tax"]
    assert skills["acc"].level is Proficiency.FOUNDATIONAL
    assert skills["acc"].strength is EvidenceStrength.INFERRED
    assert skills["acc"].effective_level == 1
    assert skills["acc"].record_item_ids == ["w1"]


def test_title_by_alternative_title(kb_with_occupation: KnowledgeBase) -> None:
    record = LearnerRecord(learner_id="l1", work_experience=[WorkExperience(id="w1", title="Accounts Clerks")])
    assert sorted(build_profile(kb_with_occupation, record).skills) == ["acc", "tax"]


def test_near_title_infers_nothing(kb_with_occupation: KnowledgeBase) -> None:
    record = LearnerRecord(learner_id="l1", work_experience=[WorkExperience(id="w1", title="Bookkeepers assistant")])
    assert build_profile(kb_with_occupation, record).skills == {}


def test_title_skill_meets_foundational(kb_with_occupation: KnowledgeBase) -> None:
    record = LearnerRecord(learner_id="l1", work_experience=[WorkExperience(id="w1", title="bookkeeper")])
    profile = build_profile(kb_with_occupation, record)
    gap = compute_gap(profile, resolve_goal(kb_with_occupation, Goal(kind=GoalKind.OCCUPATION, occupation="occ-book")))
    met = {item.skill_id: item for item in gap.met}
    missing = {item.skill_id: item for item in gap.skills}
    assert list(met) == ["tax"]
    assert met["tax"].record_item_ids == ["w1"]
    assert missing["acc"].current_level == 1


def test_stronger_evidence_beats_title(kb_with_occupation: KnowledgeBase) -> None:
    record = LearnerRecord(
        learner_id="l1",
        work_experience=[WorkExperience(id="w1", title="bookkeeper")],
        self_reported_skills=[SelfReportedSkill(id="s1", name="accounting", level=4)],
    )
    item = build_profile(kb_with_occupation, record).skills["acc"]
    assert item.strength is EvidenceStrength.SELF_REPORTED
    assert item.effective_level == 3
    assert item.record_item_ids == ["w1", "s1"]


def test_title_inference_switch_off(kb_with_occupation: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(profile_module, "INFER_SKILLS_FROM_TITLES", False)
    record = LearnerRecord(learner_id="l1", work_experience=[WorkExperience(id="w1", title="bookkeeper")])
    assert build_profile(kb_with_occupation, record).skills == {}
