"""CTDL JSON-LD catalog import, on the public examples and on small documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.domain import CourseLevel, CredentialKind, Framework, KnowledgeBase, Modality, Skill
from advisor.ingest.ctdl import credential_kind, import_ctdl, import_ctdl_files
from advisor.ingest.iso_duration import parse_iso_duration

CTDL_DIR = Path("credential_engine_ctdl")
LEARNING_PROGRAM = "ctdl:ce-23b0e606-545c-4383-8630-f97ec3b190fa"
COURSE_A = "ctdl:ce-7160aae4-5185-4564-95ab-428419974643"
COURSE_B = "ctdl:ce-3c5e4bbc-40c3-44eb-90c2-3f27d98d88f1"

EXPECTED_COUNTS = {
    "Course-1a.json": 1,
    "Course-1b.json": 1,
    "Course-1c.json": 1,
    "Credential-1-graph.json": 1,
    "Credential-1.json": 1,
    "LearningProgram-1-graph.json": 4,
    "LearningProgram-1.json": 1,
    "LearningProgram-2.json": 1,
    "Organization-1.json": 0,
    "CompTIA-IT_Networking_Specialist.jsonld": 8,
    "Illinois-IT.json": 33,
    "programWithCourses.json": 6,
    "s1_2_DegreeInRegistryAndVC.json": 1,
    "s_2_1_StandaloneCompetence.json": 0,
    "s_2_2_CompetenceAndDegree.json": 1,
    "s_3_1_CoursesFromDifferntOrgs.json": 3,
    "s_4_1_AssessmentAccreditation.json": 0,
}


def ctdl_file(shared_data: Path, name: str) -> Path:
    """Return the path of one public CTDL example by file name."""
    return next((shared_data / CTDL_DIR).glob(f"*/{name}"))


@pytest.mark.parametrize(("name", "count"), sorted(EXPECTED_COUNTS.items()))
def test_ctdl_example_counts(shared_data: Path, name: str, count: int) -> None:
    result = import_ctdl(ctdl_file(shared_data, name))
    assert result.report.accepted == count
    assert len(result.items) == count
    assert result.report.rejected == []


def test_ctdl_every_file_covered(shared_data: Path) -> None:
    names = {path.name for path in (shared_data / CTDL_DIR).glob("*/*")}
    assert names == set(EXPECTED_COUNTS)


def test_ctdl_all_files_together(shared_data: Path) -> None:
    files = sorted((shared_data / CTDL_DIR).glob("*/*"))
    result = import_ctdl_files(files)
    by_id = {item.id: item for item in result.items}
    degree = by_id["ctdl:ce-edc318c1-aa67-47e2-9638-a8529e6612d4"]
    assert result.report.accepted == 58
    assert len(result.report.rejected) == 5
    assert all("duplicate ctid" in rejection.reason for rejection in result.report.rejected)
    assert degree.prerequisite_credentials == ["ctdl:ce-602de2f0-3593-4b46-8386-85554cd582cd"]


def test_ctdl_degree_fields(shared_data: Path) -> None:
    degree = import_ctdl(ctdl_file(shared_data, "Credential-1.json")).items[0]
    assert degree.id == "ctdl:ce-edc318c1-aa67-47e2-9638-a8529e6612d4"
    assert degree.kind is CredentialKind.DEGREE
    assert degree.title == "Bachelor of Science in Cybersecurity"
    assert degree.language == "en"
    assert degree.model_extra["ctdl_type"] == "BachelorDegree"


def test_ctdl_graph_stacking_and_prerequisites(shared_data: Path) -> None:
    result = import_ctdl(ctdl_file(shared_data, "LearningProgram-1-graph.json"))
    by_id = {item.id: item for item in result.items}
    program = by_id[LEARNING_PROGRAM]
    assert len(program.has_part) == 3
    assert by_id[COURSE_A].is_part_of == [LEARNING_PROGRAM]
    assert by_id[COURSE_B].prerequisite_credentials == [COURSE_A]


def test_ctdl_cost_aggregate_and_currency(shared_data: Path) -> None:
    by_id = {
        item.id: item
        for item in import_ctdl(ctdl_file(shared_data, "LearningProgram-1-graph.json")).items
    }
    assert by_id[LEARNING_PROGRAM].cost == 4485.0
    assert by_id[LEARNING_PROGRAM].currency == "USD"
    assert by_id[COURSE_A].cost == 995.0


def test_ctdl_calendar_duration_derives_hours(shared_data: Path) -> None:
    by_id = {
        item.id: item
        for item in import_ctdl(ctdl_file(shared_data, "LearningProgram-1-graph.json")).items
    }
    program = by_id[LEARNING_PROGRAM]
    assert program.hours == 390.0
    assert program.derived == ["hours"]
    assert program.model_extra["duration_weeks"] == 39.0


def test_ctdl_delivery_and_level(shared_data: Path) -> None:
    course = import_ctdl(ctdl_file(shared_data, "Course-1a.json")).items[0]
    assert course.modality is Modality.ONLINE
    assert course.level is CourseLevel.BEGINNER
    assert course.model_extra["occupations"][0]["code"] == "15-1131.00"


def test_ctdl_pathway_conditions_chain(shared_data: Path) -> None:
    by_title = {
        item.title: item
        for item in import_ctdl(
            ctdl_file(shared_data, "CompTIA-IT_Networking_Specialist.jsonld")
        ).items
    }
    network_plus = by_title["CompTIA Network+"]
    a_plus = by_title["CompTIA A+"]
    assert network_plus.prerequisite_credentials == [a_plus.id]
    assert a_plus.kind is CredentialKind.CERTIFICATE


def test_ctdl_unprefixed_terms(shared_data: Path) -> None:
    items = import_ctdl(ctdl_file(shared_data, "Illinois-IT.json")).items
    kinds = [item.kind for item in items]
    assert kinds.count(CredentialKind.COURSE) == 27
    assert kinds.count(CredentialKind.CERTIFICATE) == 6


def test_ctdl_requires_points_at_program(shared_data: Path) -> None:
    by_title = {
        item.title: item
        for item in import_ctdl(ctdl_file(shared_data, "programWithCourses.json")).items
    }
    assert by_title["MS Applied Data Science"].prerequisite_credentials == [
        by_title["Applied Data Science"].id
    ]
    assert by_title["Statistics"].provider == "UC Sunnydale"


def test_ctdl_competencies_kept_as_text(shared_data: Path) -> None:
    degree = import_ctdl(ctdl_file(shared_data, "s1_2_DegreeInRegistryAndVC.json")).items[0]
    labels = [item["label"] for item in degree.model_extra["prerequisite_competencies"]]
    assert labels == ["Knowledge of Science", "Knowledge of Arts"]
    assert degree.prerequisite_skills == []


def test_ctdl_teaches_resolves_to_taxonomy() -> None:
    esco_uri = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"
    knowledge_base = KnowledgeBase.from_items(
        skills=[
            Skill(
                id="esco:skill:sql", label="SQL", framework=Framework.ESCO, framework_uri=esco_uri
            )
        ]
    )
    document = {
        "@type": "ceterms:Course",
        "ceterms:ctid": "ce-00000000-0000-4000-8000-000000000001",
        "ceterms:name": {"en-US": "Databases"},
        "ceterms:teaches": [
            {
                "@type": "ceterms:CredentialAlignmentObject",
                "ceterms:targetNode": esco_uri,
                "ceterms:targetNodeName": {"en-US": "SQL"},
            },
            {
                "@type": "ceterms:CredentialAlignmentObject",
                "ceterms:targetNodeName": {"en-US": "Query tuning"},
            },
        ],
        "ceterms:estimatedDuration": [
            {"@type": "ceterms:DurationProfile", "ceterms:exactDuration": "PT40H"}
        ],
        "ceterms:estimatedCost": [
            {"@type": "ceterms:CostProfile", "ceterms:price": 100, "ceterms:currency": "EUR"},
            {"@type": "ceterms:CostProfile", "ceterms:price": 50, "ceterms:currency": "EUR"},
        ],
        "ceterms:inLanguage": ["de"],
    }
    course = import_ctdl(document, knowledge_base=knowledge_base).items[0]
    assert [skill.skill_id for skill in course.skills] == ["esco:skill:sql"]
    assert course.model_extra["competencies"] == [{"label": "Query tuning"}]
    assert course.hours == 40.0
    assert course.derived == []
    assert course.cost == 150.0
    assert course.currency == "EUR"
    assert course.language == "de"


def test_ctdl_mixed_currency_unknown_cost() -> None:
    document = {
        "@type": "ceterms:Certificate",
        "ceterms:ctid": "ce-00000000-0000-4000-8000-000000000002",
        "ceterms:name": "Mixed",
        "ceterms:estimatedCost": [
            {"ceterms:price": 100, "ceterms:currency": "USD"},
            {"ceterms:price": 50, "ceterms:currency": "EUR"},
        ],
    }
    result = import_ctdl(document)
    assert result.items[0].cost is None
    assert result.report.warnings[0].field == "ceterms:estimatedCost"


@pytest.mark.parametrize(
    ("type_name", "kind"),
    [
        ("AssociateDegree", CredentialKind.DEGREE),
        ("ApprenticeshipCertificate", CredentialKind.CERTIFICATE),
        ("DigitalBadge", CredentialKind.BADGE),
        ("MicroCredential", CredentialKind.MICROCREDENTIAL),
        ("LearningOpportunityProfile", CredentialKind.COURSE),
        ("Organization", None),
    ],
)
def test_credential_kind_mapping(type_name: str, kind: CredentialKind | None) -> None:
    assert credential_kind(type_name) is kind


@pytest.mark.parametrize(
    ("text", "clock", "hours", "weeks"),
    [
        ("PT40H", True, 40.0, 0.0),
        ("PT1H30M", True, 1.5, 0.0),
        ("P4W", False, 0.0, 4.0),
        ("P9M", False, 0.0, 39.0),
        ("P1Y", False, 0.0, 52.0),
        ("P1DT12H", False, 12.0, 1 / 7),
        ("p0,5w", False, 0.0, 0.5),
    ],
)
def test_iso_duration_parts(text: str, clock: bool, hours: float, weeks: float) -> None:
    duration = parse_iso_duration(text)
    assert duration.is_clock_time is clock
    assert duration.clock_hours() == pytest.approx(hours)
    assert duration.calendar_weeks() == pytest.approx(weeks)


@pytest.mark.parametrize("text", ["", "P", "PT", "40 hours", "P4X", "PT4H5D"])
def test_iso_duration_invalid(text: str) -> None:
    with pytest.raises(ValueError):
        parse_iso_duration(text)
