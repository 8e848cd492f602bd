"""Answer verifier: invented credentials, wrong figures and other learners' items are caught."""

from __future__ import annotations

import pytest

from advisor.chat.verifier import AnswerVerifier, ProblemKind, RecordItemRef, verify_answer
from advisor.domain import Credential, Framework, KnowledgeBase, Occupation, Skill

CREDENTIALS = [
    Credential(id="cred-101", title="Data Analysis Fundamentals", hours=40, cost=49, currency="USD"),
    Credential(id="cred-102", title="SQL for Data Analysts", hours=20, cost=None),
    Credential(id="cred-103", title="Applied Statistics with R", hours=35.5, cost=0, currency="USD"),
    Credential(id="cred-104", title="Machine Learning", hours=60, cost=99, currency="USD"),
    Credential(id="cred-105", title="Google Data Analytics Professional Certificate", hours=180, cost=294, currency="USD"),
]
SKILLS = [
    Skill(id="skill:data-analysis", label="Data Analysis", framework=Framework.CATALOG),
    Skill(id="skill:ml", label="Machine Learning", framework=Framework.CATALOG),
]
OCCUPATIONS = [Occupation(id="onet:15-2051.00", title="Data Scientist", framework=Framework.ONET)]
RECORD_ITEMS = [
    RecordItemRef("learner-1", "ach-1", "Excel Power User Badge"),
    RecordItemRef("learner-2", "ach-77", "AWS Certified Cloud Practitioner"),
    RecordItemRef("learner-2", "proj-9", "Hospital Readmission Dashboard"),
]
RETURNED = {"cred-101", "cred-102", "cred-103"}


@pytest.fixture(scope="module")
def verifier() -> AnswerVerifier:
    knowledge = KnowledgeBase.from_items(CREDENTIALS, SKILLS, OCCUPATIONS)
    return AnswerVerifier(knowledge)


def check(verifier: AnswerVerifier, answer: str, returned: set[str] = RETURNED) -> list:
    return verifier.verify(
        answer,
        credential_ids=returned,
        record_item_ids={"ach-1"},
        learner_id="learner-1",
        record_items=RECORD_ITEMS,
    )


def kinds(problems: list) -> list[ProblemKind]:
    return [problem.kind for problem in problems]


def test_correct_answer_passes(verifier: AnswerVerifier) -> None:
    answer = (
        "You already hold the Excel Power User Badge [ach-1], so your data analysis skills have a base. "
        "Start with Data Analysis Fundamentals [cred-101]: 40 hours, $49. "
        "Then take SQL for Data Analysts [cred-102] (20 hours; its cost is unknown) and "
        "Applied Statistics with R [cred-103], which takes 35.5 hours and is free. "
        "At 6 hours per week this moves you toward Data Scientist [onet:15-2051.00] and "
        "machine learning [skill:ml] later."
    )

    assert check(verifier, answer) == []


def test_invented_credential_id(verifier: AnswerVerifier) -> None:
    answer = "Take Advanced Data Wrangling [cred-999] next."

    problems = check(verifier, answer)

    assert kinds(problems) == [ProblemKind.UNKNOWN_CREDENTIAL]
    assert problems[0].value == "cred-999"


def test_invented_bare_credential_id(verifier: AnswerVerifier) -> None:
    problems = check(verifier, "After that, cred-999 covers dashboards.")

    assert kinds(problems) == [ProblemKind.UNKNOWN_CREDENTIAL]


def test_invented_title_extends_real(verifier: AnswerVerifier) -> None:
    answer = "Then earn the Google Data Analytics Advanced Professional Certificate."

    problems = check(verifier, answer, returned=RETURNED | {"cred-105"})

    assert kinds(problems) == [ProblemKind.UNKNOWN_CREDENTIAL]


def test_title_typo_tolerated(verifier: AnswerVerifier) -> None:
    answer = "Then earn the Google Data Analytcs Professional Certificate."

    assert check(verifier, answer, returned=RETURNED | {"cred-105"}) == []


def test_invented_credential_title(verifier: AnswerVerifier) -> None:
    answer = "Finish with the Quantum Data Storytelling Professional Certificate to stand out."

    problems = check(verifier, answer)

    assert kinds(problems) == [ProblemKind.UNKNOWN_CREDENTIAL]
    assert problems[0].value == "Quantum Data Storytelling Professional Certificate"


def test_unknown_cited_id(verifier: AnswerVerifier) -> None:
    problems = check(verifier, "See your record item [item-404].")

    assert kinds(problems) == [ProblemKind.UNKNOWN_ID]


def test_wrong_price(verifier: AnswerVerifier) -> None:
    answer = "Data Analysis Fundamentals [cred-101] costs $59 and takes 40 hours."

    problems = check(verifier, answer)

    assert kinds(problems) == [ProblemKind.WRONG_COST]
    assert problems[0].credential_id == "cred-101"
    assert problems[0].value == "$59"


def test_wrong_currency(verifier: AnswerVerifier) -> None:
    problems = check(verifier, "Data Analysis Fundamentals [cred-101] costs 49 EUR.")

    assert kinds(problems) == [ProblemKind.WRONG_COST]


def test_unknown_cost_stated(verifier: AnswerVerifier) -> None:
    problems = check(verifier, "SQL for Data Analysts [cred-102] is free.")

    assert kinds(problems) == [ProblemKind.WRONG_COST]
    assert "unknown" in problems[0].message


def test_wrong_hours(verifier: AnswerVerifier) -> None:
    answer = "Applied Statistics with R [cred-103] takes only 12 hours."

    problems = check(verifier, answer)

    assert kinds(problems) == [ProblemKind.WRONG_HOURS]
    assert problems[0].credential_id == "cred-103"


def test_hours_range_and_rounding(verifier: AnswerVerifier) -> None:
    answer = "Applied Statistics with R [cred-103] takes about 36 hours. Data Analysis Fundamentals [cred-101] needs 35-45 hours."

    assert check(verifier, answer) == []


def test_weekly_pace_ignored(verifier: AnswerVerifier) -> None:
    answer = "With 10 hours per week, Data Analysis Fundamentals [cred-101] fits in a month."

    assert check(verifier, answer) == []


def test_figures_go_to_nearest(verifier: AnswerVerifier) -> None:
    answer = "Take Data Analysis Fundamentals [cred-101] (40 hours) and SQL for Data Analysts [cred-102] (20 hours)."

    assert check(verifier, answer) == []


def test_other_learner_credential_id(verifier: AnswerVerifier) -> None:
    answer = "Like the AWS badge [ach-77] in your record, this builds on cloud skills."

    problems = check(verifier, answer)

    assert kinds(problems) == [ProblemKind.OTHER_LEARNER_ITEM]
    assert problems[0].value == "ach-77"


def test_other_learner_title(verifier: AnswerVerifier) -> None:
    answer = "Your aws certified cloud-practitioner credential shows cloud skills."

    problems = check(verifier, answer)

    assert kinds(problems) == [ProblemKind.OTHER_LEARNER_ITEM]


def test_other_learner_project_title(verifier: AnswerVerifier) -> None:
    problems = check(verifier, "Build on your Hospital Readmission Dashboard project.")

    assert kinds(problems) == [ProblemKind.OTHER_LEARNER_ITEM]


def test_credential_not_from_tools_by_id(verifier: AnswerVerifier) -> None:
    problems = check(verifier, "Also consider [cred-105].")

    assert kinds(problems) == [ProblemKind.CREDENTIAL_NOT_FROM_TOOLS]
    assert problems[0].credential_id == "cred-105"


def test_credential_not_from_tools_by_title(verifier: AnswerVerifier) -> None:
    problems = check(verifier, "Also consider the google data-analytics PROFESSIONAL certificate.")

    assert kinds(problems) == [ProblemKind.CREDENTIAL_NOT_FROM_TOOLS]
    assert problems[0].credential_id == "cred-105"


@pytest.mark.parametrize(
    "title",
    ["DATA ANALYSIS FUNDAMENTALS", "data-analysis fundamentals", "Data Analysis: Fundamentals", "“Data  Analysis Fundamentals”"],
)
def test_title_match_robust(verifier: AnswerVerifier, title: str) -> None:
    problems = check(verifier, f"{title} costs $10.")

    assert kinds(problems) == [ProblemKind.WRONG_COST]
    assert problems[0].credential_id == "cred-101"


@pytest.mark.parametrize(
    "answer",
    [
        "Machine learning is a skill you will need later.",
        "Data analysis is the core of the Data Scientist role.",
        "Statistics with a tool such as R helps.",
    ],
)
def test_common_words_not_matched(verifier: AnswerVerifier, answer: str) -> None:
    problems = check(verifier, answer, returned=set())

    assert problems == []


def test_verify_answer_function() -> None:
    knowledge = KnowledgeBase.from_items(CREDENTIALS, SKILLS, OCCUPATIONS)

    problems = verify_answer(
        "Take [cred-999].", knowledge, credential_ids=RETURNED, record_item_ids=(), learner_id="learner-1"
    )

    assert kinds(problems) == [ProblemKind.UNKNOWN_CREDENTIAL]


def test_planted_problems_all_caught(verifier: AnswerVerifier) -> None:
    answer = (
        "Start with Data Analysis Fundamentals [cred-101], 40 hours for $79. "
        "Then Applied Statistics with R [cred-103] in 20 hours. "
        "Finish with Cloud Data Mastery [cred-777]. "
        "Your AWS Certified Cloud Practitioner [ach-77] helps too."
    )

    problems = check(verifier, answer)

    assert set(kinds(problems)) == {
        ProblemKind.WRONG_COST,
        ProblemKind.WRONG_HOURS,
        ProblemKind.UNKNOWN_CREDENTIAL,
        ProblemKind.OTHER_LEARNER_ITEM,
    }
