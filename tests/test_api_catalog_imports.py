"""Admin catalog imports through the ASGI app: stored, served, searched, planned and kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from api_support import api_settings, bearer, small_knowledge_base, write_knowledge_base
from fastapi.testclient import TestClient

from advisor.api import create_app
from advisor.api.auth import Role
from advisor.config import Settings
from advisor.domain import KnowledgeBase, Skill
from advisor.index.indexer import index_knowledge_base
from advisor.index.store import IndexStore
from advisor.ingest.imported_catalog import imported_catalog_path

IMPORTS = "/v1/admin/catalog/imports"
GOOD_AND_BAD_CSV = (
    b"id,title,description,hours,cost,currency,skills\n"
    b"uni:dataviz,Data Visualisation Microcredential,Charts and dashboards for data stories,8,0,USD,skill:dataviz@3\n"
    b"uni:broken,,A row without a title,5,0,USD,\n"
)
CTDL_COURSE = {
    "@context": "https://credreg.net/ctdl/schema/context/json",
    "@type": "ceterms:Course",
    "ceterms:ctid": "ce-00000000-0000-4000-8000-0000000000aa",
    "ceterms:name": {"en-US": "Geospatial Mapping Essentials"},
    "ceterms:description": {"en-US": "Maps and spatial data."},
    "ceterms:estimatedDuration": [{"@type": "ceterms:DurationProfile", "ceterms:exactDuration": "PT12H"}],
}


def knowledge_with_dataviz() -> KnowledgeBase:
    """Return the small knowledge base plus a skill that no shipped credential teaches."""
    shipped = small_knowledge_base()
    dataviz = Skill(id="skill:dataviz", label="Data visualisation", framework="esco")
    return KnowledgeBase.from_items(
        list(shipped.credentials.values()), [*shipped.skills.values(), dataviz], list(shipped.occupations.values())
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    knowledge = knowledge_with_dataviz()
    settings = api_settings(tmp_path, knowledge_base_dir=write_knowledge_base(tmp_path / "kb-dataviz", knowledge))
    index_knowledge_base(knowledge, IndexStore(settings))
    return settings


def import_file(client: TestClient, settings: Settings, name: str, content: bytes, role: Role = Role.ADMIN, **form: str):  # type: ignore[no-untyped-def]
    return client.post(IMPORTS, files={"file": (name, content)}, data=form, headers=bearer(settings, "registrar", role))


def search_ids(client: TestClient, settings: Settings, query: str) -> list[str]:
    response = client.get("/v1/catalog/search", params={"q": query, "limit": 5}, headers=bearer(settings, "kim"))
    assert response.status_code == 200, response.text
    return [hit["id"] for hit in response.json()["hits"]]


def test_import_serves_good_row(settings: Settings) -> None:
    goal = {"goal": "skills: Data visualisation:3"}
    with TestClient(create_app(settings)) as client:
        # Advice before the import builds the engine's cached tables for the shipped catalog.
        before = client.post("/v1/learners/me/advice", json=goal, headers=bearer(settings, "kim"))
        response = import_file(client, settings, "catalog.csv", GOOD_AND_BAD_CSV)
        body = response.json()
        found = client.get("/v1/catalog/credentials/uni:dataviz", headers=bearer(settings, "kim"))
        advice = client.post("/v1/learners/me/advice", json=goal, headers=bearer(settings, "kim"))
        hits = search_ids(client, settings, "data visualisation dashboards")

    assert before.json()["pathway"]["steps"] == []
    assert response.status_code == 200, response.text
    assert body["counts"] == {"added": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert body["added_ids"] == ["uni:dataviz"]
    assert body["indexed"] is True
    assert body["rejected"][0]["file"] == "catalog.csv"
    assert body["rejected"][0]["position"] == "line 3"
    assert found.status_code == 200
    assert found.json()["title"] == "Data Visualisation Microcredential"
    assert "uni:dataviz" in hits
    assert advice.status_code == 200, advice.text
    assert "uni:dataviz" in [step["credential_id"] for step in advice.json()["pathway"]["steps"]]
    stored = imported_catalog_path(settings).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in stored] == ["uni:dataviz"]


def test_reimport_unchanged_after_restart(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        import_file(client, settings, "catalog.csv", GOOD_AND_BAD_CSV)

    with TestClient(create_app(settings)) as client:
        found = client.get("/v1/catalog/credentials/uni:dataviz", headers=bearer(settings, "kim"))
        hits = search_ids(client, settings, "data visualisation dashboards")
        again = import_file(client, settings, "catalog.csv", GOOD_AND_BAD_CSV)

    assert found.status_code == 200
    assert "uni:dataviz" in hits
    assert again.status_code == 200, again.text
    assert again.json()["counts"] == {"added": 0, "updated": 0, "unchanged": 1, "rejected": 1}


def test_edited_credential_replaces_old(settings: Settings) -> None:
    edited = GOOD_AND_BAD_CSV.replace(b"Data Visualisation Microcredential", b"Dashboards and Data Visualisation")
    with TestClient(create_app(settings)) as client:
        import_file(client, settings, "catalog.csv", GOOD_AND_BAD_CSV)
        response = import_file(client, settings, "catalog.csv", edited)
        found = client.get("/v1/catalog/credentials/uni:dataviz", headers=bearer(settings, "kim"))

    assert response.json()["counts"]["updated"] == 1
    assert response.json()["updated_ids"] == ["uni:dataviz"]
    assert found.json()["title"] == "Dashboards and Data Visualisation"


def test_shipped_id_rejected(settings: Settings) -> None:
    csv = b"id,title,hours\ncred:python,Replacement Python,3\n"
    with TestClient(create_app(settings)) as client:
        response = import_file(client, settings, "catalog.csv", csv)
        found = client.get("/v1/catalog/credentials/cred:python", headers=bearer(settings, "kim"))

    body = response.json()
    assert body["counts"] == {"added": 0, "updated": 0, "unchanged": 0, "rejected": 1}
    assert body["rejected"][0]["value"] == "cred:python"
    assert "shipped credential" in body["rejected"][0]["reason"]
    assert found.json()["title"] == "Python for Everybody"


def test_unknown_references_warned(settings: Settings) -> None:
    csv = b"id,title,hours,skills,prerequisite_credentials\nuni:x,Course X,3,skill:nowhere,cred:nowhere\n"
    with TestClient(create_app(settings)) as client:
        response = import_file(client, settings, "catalog.csv", csv)

    warnings = {(item["field"], item["value"]) for item in response.json()["warnings"]}
    assert response.json()["counts"]["added"] == 1
    assert ("skills", "skill:nowhere") in warnings
    assert ("prerequisite_credentials", "cred:nowhere") in warnings


@pytest.mark.parametrize("role", [Role.LEARNER, Role.ADVISOR])
def test_import_needs_admin(settings: Settings, role: Role) -> None:
    with TestClient(create_app(settings)) as client:
        response = import_file(client, settings, "catalog.csv", GOOD_AND_BAD_CSV, role=role)
        missing = client.get("/v1/catalog/credentials/uni:dataviz", headers=bearer(settings, "kim"))

    assert response.status_code == 403
    assert missing.status_code == 404
    assert not imported_catalog_path(settings).exists()


def test_ctdl_file_imports(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        response = import_file(client, settings, "course.json", json.dumps(CTDL_COURSE).encode())
        added = response.json()["added_ids"]
        found = client.get(f"/v1/catalog/credentials/{added[0]}", headers=bearer(settings, "kim"))
        hits = search_ids(client, settings, "geospatial mapping")

    assert response.status_code == 200, response.text
    assert len(added) == 1
    assert found.json()["title"] == "Geospatial Mapping Essentials"
    assert found.json()["hours"] == 12.0
    assert added[0] in hits


def test_delete_imported_credential(settings: Settings) -> None:
    admin = bearer(settings, "registrar", Role.ADMIN)
    with TestClient(create_app(settings)) as client:
        import_file(client, settings, "catalog.csv", GOOD_AND_BAD_CSV)
        deleted = client.delete(f"{IMPORTS}/uni:dataviz", headers=admin)
        missing = client.get("/v1/catalog/credentials/uni:dataviz", headers=bearer(settings, "kim"))
        shipped = client.delete(f"{IMPORTS}/cred:python", headers=admin)
        hits = search_ids(client, settings, "data visualisation dashboards")

    assert deleted.status_code == 204
    assert missing.status_code == 404
    assert shipped.status_code == 404
    assert "shipped credential" in shipped.json()["message"]
    assert "uni:dataviz" not in hits


def test_cli_apply_then_index(settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from advisor.cli import app
    from advisor.config import get_settings
    from advisor.index.store import CollectionKind

    monkeypatch.setenv("ADVISOR_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ADVISOR_KNOWLEDGE_BASE_DIR", str(settings.knowledge_base_dir))
    get_settings.cache_clear()
    catalog = tmp_path / "catalog.csv"
    catalog.write_bytes(GOOD_AND_BAD_CSV)
    runner = CliRunner()

    dry_run = runner.invoke(app, ["import", "catalog", str(catalog)])
    stored_after_dry_run = imported_catalog_path(settings).exists()
    applied = runner.invoke(app, ["import", "catalog", str(catalog), "--apply"])
    indexed = runner.invoke(app, ["index"])
    stored = IndexStore(settings).collection(CollectionKind.CREDENTIALS).get(ids=["uni:dataviz"])

    assert dry_run.exit_code == 0, dry_run.output
    assert "1 accepted, 1 rejected" in dry_run.output
    assert not stored_after_dry_run
    assert applied.exit_code == 0, applied.output
    assert "1 added, 0 updated, 0 unchanged" in applied.output
    assert indexed.exit_code == 0, indexed.output
    assert "(1 imported)" in indexed.output
    assert stored["ids"] == ["uni:dataviz"]
