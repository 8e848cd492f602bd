"""Learner record import: Open Badges 3.0, CLR 2.0, JWT, LER-RS and the plain format."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from advisor.cli import app
from advisor.domain import Credential, Framework, KnowledgeBase, Skill
from advisor.ingest.alignment_join import alignment_index
from advisor.ingest.records import import_record, report_lines

EXAMPLES = Path("1edtech_ob3_clr2") / "examples"
LER_EXAMPLES = Path("hropen_ler_rs") / "examples"
SAMPLES_DIR = Path(__file__).resolve().parents[1] / "knowledge_base" / "records"

ESCO_SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"


def badge(credential_id: str = "urn:uuid:1", **achievement: Any) -> dict[str, Any]:
    """Return a minimal Open Badges 3.0 credential with the given achievement fields."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://issuer.example/1", "type": ["Profile"], "name": "Example Issuer"},
        "validFrom": "2024-03-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:learner-1",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "urn:uuid:a1",
                "type": ["Achievement"],
                "name": "SQL basics",
                **achievement,
            },
        },
    }


def jwt_of(credential: dict[str, Any]) -> str:
    """Return an unsigned compact JWT carrying a credential in its ``vc`` claim."""

    def segment(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{segment({'alg': 'none', 'typ': 'JWT'})}.{segment({'vc': credential})}."


@pytest.fixture
def knowledge_base() -> KnowledgeBase:
    """Return a small knowledge base with one catalog credential and two skills."""
    return KnowledgeBase.from_items(
        credentials=[
            Credential(
                id="coursera:google-data-analytics",
                title="Google Data Analytics",
                url="https://www.coursera.org/professional-certificates/google-data-analytics",
            ),
            Credential(id="ctdl:ce-98cb027b-95ef-4494-908d-6f7790ec6b6b", title="1EdTech Degree"),
        ],
        skills=[
            Skill(
                id="esco:skill:sql", label="SQL", framework=Framework.ESCO, framework_uri=ESCO_SQL
            ),
            Skill(
                id="onet:2.A.2.a",
                label="Critical Thinking",
                framework=Framework.ONET,
                framework_code="2.A.2.a",
            ),
        ],
    )


def test_ob3_complete_maps_fields(shared_data: Path) -> None:
    result = import_record(shared_data / EXAMPLES / "ob30_complete.json")
    achievement = result.items[0].achievements[0]
    assert achievement.title == "1EdTech University Degree"
    assert achievement.issuer == "1EdTech University"
    assert achievement.achievement_type == "Degree"
    assert achievement.issued_on.isoformat() == "2010-01-01"
    assert achievement.verified is True
    assert achievement.endorsed is True
    assert len(achievement.alignments) == 2
    assert [result.value for result in achievement.results] == ["A", "Mastered", "Completed"]
    assert len(achievement.evidence) == 2
    assert achievement.model_extra["credential_status"]["type"] == "1EdTechRevocationList"


def test_ob3_learner_id_from_subject(shared_data: Path) -> None:
    result = import_record(shared_data / EXAMPLES / "ob30_simple.json")
    assert result.items[0].learner_id == "did:example:ebfeb1f712ebc6f1c276e12ec21"
    assert result.report.accepted == 1


def test_ob3_caller_learner_id_wins(shared_data: Path) -> None:
    result = import_record(shared_data / EXAMPLES / "ob30_simple.json", learner_id="learner-7")
    assert result.items[0].learner_id == "learner-7"


def test_ob3_item_id_is_stable() -> None:
    first = import_record(badge("urn:uuid:stable"), learner_id="l1").items[0].achievements[0]
    second = import_record(badge("urn:uuid:stable"), learner_id="l1").items[0].achievements[0]
    other = import_record(badge("urn:uuid:other"), learner_id="l1").items[0].achievements[0]
    assert first.id == second.id
    assert first.id != other.id


def test_ob3_revoked_status_kept(shared_data: Path) -> None:
    result = import_record(shared_data / EXAMPLES / "ob30_credential_status_revoked.json")
    achievement = result.items[0].achievements[0]
    assert achievement.model_extra["credential_status"]["id"].endswith(
        "da1e96e9-afcc-4eed-b9a2-2ddf7353214c"
    )
    assert any(w.field == "credentialStatus" for w in result.report.warnings)


def test_ob3_without_issuer_not_verified() -> None:
    credential = badge()
    del credential["issuer"]
    achievement = import_record(credential, learner_id="l1").items[0].achievements[0]
    assert achievement.verified is False


def test_alignment_joins_skill_by_esco_uri(knowledge_base: KnowledgeBase) -> None:
    credential = badge(
        alignment=[{"targetName": "SQL", "targetUrl": ESCO_SQL, "targetType": "ext:ESCO"}]
    )
    achievement = import_record(credential, knowledge_base=knowledge_base).items[0].achievements[0]
    assert achievement.alignments[0].skill_id == "esco:skill:sql"
    assert achievement.skills == ["SQL"]


def test_alignment_joins_skill_by_onet_code(knowledge_base: KnowledgeBase) -> None:
    credential = badge(alignment=[{"targetName": "Critical Thinking", "targetCode": "2.A.2.a"}])
    achievement = import_record(credential, knowledge_base=knowledge_base).items[0].achievements[0]
    assert achievement.alignments[0].skill_id == "onet:2.A.2.a"


def test_alignment_joins_credential_by_url(knowledge_base: KnowledgeBase) -> None:
    url = "https://www.coursera.org/professional-certificates/google-data-analytics/"
    credential = badge(alignment=[{"targetName": "Google Data Analytics", "targetUrl": url}])
    achievement = import_record(credential, knowledge_base=knowledge_base).items[0].achievements[0]
    assert achievement.alignments[0].credential_id == "coursera:google-data-analytics"
    assert achievement.credential_id == "coursera:google-data-analytics"


def test_alignment_joins_credential_by_ctid(
    shared_data: Path, knowledge_base: KnowledgeBase
) -> None:
    result = import_record(
        shared_data / EXAMPLES / "ob30_complete.json", knowledge_base=knowledge_base
    )
    assert (
        result.items[0].achievements[0].credential_id
        == "ctdl:ce-98cb027b-95ef-4494-908d-6f7790ec6b6b"
    )


def test_alignment_index_is_cached(knowledge_base: KnowledgeBase) -> None:
    assert alignment_index(knowledge_base) is alignment_index(knowledge_base)


def test_alignment_index_rebuilt_after_change(knowledge_base: KnowledgeBase) -> None:
    before = alignment_index(knowledge_base)
    knowledge_base.skills["esco:skill:python"] = Skill(
        id="esco:skill:python", label="Python", framework=Framework.ESCO
    )
    assert alignment_index(knowledge_base) is not before


def test_clr_complex_embeds_six(shared_data: Path) -> None:
    result = import_record(shared_data / EXAMPLES / "clr20_complex.json")
    record = result.items[0]
    assert len(record.achievements) == 6
    assert record.model_extra["source_format"] == "clr-2.0"
    assert result.report.rejected == []


def test_clr_associations_link_items(shared_data: Path) -> None:
    record = import_record(shared_data / EXAMPLES / "clr20_complex.json").items[0]
    program = record.achievements[0]
    links = program.model_extra["associations"]
    children = {
        item
        for link in links
        if link["association_type"] == "isParentOf"
        for item in link["target_item_ids"]
    }
    assert record.achievements[1].id in children
    assert len(record.model_extra["clr_associations"]) == 5


def test_clr_jwt_with_embedded_jwts(shared_data: Path) -> None:
    result = import_record(shared_data / EXAMPLES / "clr20_simple.jwt")
    assert result.items[0].achievements[0].title == "Achievement 1"
    assert result.items[0].achievements[0].verified is True


def test_clr_one_bad_credential_kept_others() -> None:
    clr = {
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": "https://school.example"},
        "credentialSubject": {
            "id": "did:example:learner-2",
            "verifiableCredential": [
                badge("urn:uuid:1"),
                {"type": ["VerifiableCredential"]},
                "not.a.jwt",
            ],
        },
    }
    result = import_record(clr)
    positions = [rejection.position for rejection in result.report.rejected]
    assert len(result.items[0].achievements) == 1
    assert "$.credentialSubject.verifiableCredential[1].credentialSubject.achievement" in positions
    assert "$.credentialSubject.verifiableCredential[2]" in positions


def test_jwt_ob3_payload_vc(shared_data: Path) -> None:
    result = import_record(shared_data / EXAMPLES / "ob30_simple.jwt")
    achievement = result.items[0].achievements[0]
    assert achievement.title == "Example University Degree"
    assert achievement.issuer == "Example University"
    assert achievement.model_extra["jwt_header"] == {"alg": "RS256", "typ": "JWT"}


def test_jwt_payload_without_vc_claim() -> None:
    credential = badge("urn:uuid:plain-payload")
    token = jwt_of(credential).split(".")
    payload = base64.urlsafe_b64encode(json.dumps(credential).encode()).decode().rstrip("=")
    result = import_record(f"{token[0]}.{payload}.", learner_id="l1")
    assert result.items[0].achievements[0].title == "SQL basics"


def test_ler_rs_maps_sections(shared_data: Path) -> None:
    result = import_record(
        shared_data / LER_EXAMPLES / "LER-RS_V2_VCwrapper.json", learner_id="learner-9"
    )
    record = result.items[0]
    assert record.name == "Gunilla Klein"
    assert [work.title for work in record.work_experience] == ["Corporate Project Manager"]
    assert len(record.degrees) == 2
    assert record.self_reported_skills[0].name == "Project Management"
    assert record.achievements[0].title == "Product Management Certificate"


def test_plain_json_record() -> None:
    record_data = {
        "learner_id": "learner-3",
        "name": "Test Learner",
        "achievements": [{"id": "a1", "title": "Excel for everyone", "verified": True}],
        "work": [{"role": "Support technician", "employer": "Helpdesk Co", "start": "2019-02-01"}],
        "skills": ["customer service", {"name": "SQL", "level": "beginner"}],
        "preferences": {"hours_per_week": 6, "budget": 300, "currency": "USD"},
    }
    result = import_record(record_data)
    record = result.items[0]
    assert record.achievements[0].verified is False
    assert record.work_experience[0].organization == "Helpdesk Co"
    assert record.self_reported_skills[1].level == 1
    assert record.preferences.hours_per_week == 6
    assert any(warning.field == "verified" for warning in result.report.warnings)


def test_plain_yaml_record() -> None:
    text = "learner_id: learner-4\nachievements:\n  - id: a1\n    title: Python basics\n    issued_on: 2023-05-02\n"
    record = import_record(text, filename="learner.yaml").items[0]
    assert record.achievements[0].issued_on.isoformat() == "2023-05-02"


def test_plain_credential_reference_joined(knowledge_base: KnowledgeBase) -> None:
    data = {
        "learner_id": "l5",
        "achievements": [
            {
                "id": "a1",
                "title": "GDA",
                "credential": "https://www.coursera.org/professional-certificates/google-data-analytics",
            }
        ],
    }
    record = import_record(data, knowledge_base=knowledge_base).items[0]
    assert record.achievements[0].credential_id == "coursera:google-data-analytics"


def test_plain_bad_item_reported() -> None:
    data = {"learner_id": "l6", "degrees": [{"id": "d1"}, {"id": "d2", "title": "BSc Biology"}]}
    result = import_record(data)
    assert [degree.id for degree in result.items[0].degrees] == ["d2"]
    assert result.report.rejected[0].position == "$.degrees[0]"
    assert result.report.rejected[0].field == "title"


@pytest.mark.parametrize(
    "sample",
    sorted(p.name for p in SAMPLES_DIR.glob("*") if p.suffix in {".json", ".yaml", ".jwt"}),
)
def test_shipped_sample_imports_cleanly(sample: str) -> None:
    result = import_record(SAMPLES_DIR / sample)
    assert result.report.rejected == []
    assert result.items[0].learner_id


def test_cli_import_record_json(shared_data: Path) -> None:
    runner = CliRunner()
    outcome = runner.invoke(
        app, ["import", "record", str(shared_data / EXAMPLES / "clr20_complex.json"), "--json"]
    )
    assert outcome.exit_code == 0
    assert json.loads(outcome.stdout)["accepted"] == 6


def test_cli_import_record_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("")
    outcome = CliRunner().invoke(app, ["import", "record", str(empty)])
    assert outcome.exit_code == 1
    assert "is empty" in outcome.stderr


def test_format_doc_example_imports() -> None:
    text = (SAMPLES_DIR.parent / "record-format.md").read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    result = import_record(example, filename="example.yaml")
    assert result.report.rejected == []
    assert result.report.accepted == 6


def test_samples_join_shipped_catalog() -> None:
    from advisor.ingest.knowledge_base import load_knowledge_base

    if not (SAMPLES_DIR.parent / "skills.jsonl").is_file():
        pytest.skip("the shipped knowledge base is not built")
    knowledge_base, _reports = load_knowledge_base(SAMPLES_DIR.parent)
    badge_record = import_record(
        SAMPLES_DIR / "ob3-it-support-badge.json", knowledge_base=knowledge_base
    ).items[0]
    clr_record = import_record(
        SAMPLES_DIR / "clr2-nursing-assistant.json", knowledge_base=knowledge_base
    ).items[0]
    skill_ids = {a.skill_id for a in badge_record.achievements[0].alignments if a.skill_id}
    assert badge_record.achievements[0].credential_id == "coursera:google-it-support"
    assert "onet:skill:2.A.2.a" in skill_ids
    assert len(skill_ids) == 3
    assert clr_record.achievements[3].credential_id == "coursera:intro-to-healthcare"


def test_unsigned_jwt_warned() -> None:
    result = import_record(SAMPLES_DIR / "ob3-it-support-badge.jwt")
    unsigned = [warning for warning in result.report.warnings if warning.field == "jwt_header.alg"]
    assert len(unsigned) == 1
    assert "unsigned" in unsigned[0].reason
    assert result.items[0].achievements[0].verified is True


def test_signed_credential_not_warned_unsigned() -> None:
    result = import_record(SAMPLES_DIR / "ob3-it-support-badge.json")
    assert all(warning.field != "jwt_header.alg" for warning in result.report.warnings)


def test_cli_record_label_not_verified() -> None:
    outcome = CliRunner().invoke(app, ["import", "record", str(SAMPLES_DIR / "ob3-it-support-badge.jwt")])
    assert outcome.exit_code == 0
    assert "[verified]" not in outcome.stdout
    assert "[issued by Harbourview College IT Academy, unsigned JWT]" in outcome.stdout
    assert "warning:" in outcome.stdout


def test_report_labels_by_origin() -> None:
    badge = report_lines(import_record(SAMPLES_DIR / "ob3-it-support-badge.json"))
    plain = report_lines(import_record(SAMPLES_DIR / "plain-helpdesk-to-data-analyst.json"))
    assert any("signature not checked]" in line for line in badge)
    assert any("[self-reported]" in line for line in plain)
