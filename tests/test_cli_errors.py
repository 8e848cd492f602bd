"""Command-line errors and output a first-time user meets: wrong paths, help texts, logs."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.cli import OwnLoggersFilter, app
from advisor.index.console import hits_table
from advisor.index.search import SearchHit

RECORDS_DIR = Path(__file__).resolve().parents[1] / "knowledge_base" / "records"

HELP_COMMANDS = [
    [],
    ["recommend"],
    ["index"],
    ["search"],
    ["import"],
    ["import", "catalog"],
    ["import", "record"],
    ["serve"],
    ["token"],
    ["chat"],
    ["eval"],
]


def invoke(arguments: list[str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, arguments, env={"COLUMNS": "200"})


def test_import_record_folder_rejected() -> None:
    outcome = invoke(["import", "record", str(RECORDS_DIR)])
    assert outcome.exit_code == 1
    assert "is a folder" in outcome.stderr
    assert str(RECORDS_DIR) in outcome.stderr
    assert "learner record file (Open Badges 3.0" in outcome.stderr
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)


def test_import_record_missing_file() -> None:
    outcome = invoke(["import", "record", str(RECORDS_DIR / "no-such-record.json")])
    assert outcome.exit_code == 1
    assert "not found" in outcome.stderr


def test_recommend_record_folder_rejected() -> None:
    outcome = invoke(["recommend", "--record", str(RECORDS_DIR), "--goal", "data analyst"])
    assert outcome.exit_code == 1
    assert "--record" in outcome.stderr
    assert "is a folder" in outcome.stderr


def test_import_catalog_folder_rejected() -> None:
    outcome = invoke(["import", "catalog", str(RECORDS_DIR)])
    assert outcome.exit_code == 2
    assert "is a folder" in outcome.stderr
    assert "catalog file" in outcome.stderr


def test_chat_record_folder_rejected() -> None:
    outcome = invoke(["chat", "--record", str(RECORDS_DIR)])
    assert outcome.exit_code == 1
    assert "is a folder" in outcome.stderr


def test_eval_dataset_file_rejected() -> None:
    outcome = invoke(["eval", "--dataset", str(RECORDS_DIR / "cold-start.json")])
    assert outcome.exit_code == 2
    assert "is a file" in outcome.stderr


@pytest.mark.parametrize("command", HELP_COMMANDS, ids=lambda command: " ".join(command) or "advisor")
def test_help_renders_cleanly(command: list[str]) -> None:
    outcome = invoke([*command, "--help"])
    assert outcome.exit_code == 0
    assert re.search(r"\s\.(\s|$)", outcome.stdout) is None
    assert "[default: none" not in outcome.stdout


def test_recommend_help_shows_defaults() -> None:
    outcome = invoke(["recommend", "--help"])
    assert "(default: none, a cold start)" in outcome.stdout


def test_search_table_labels_fused_score() -> None:
    hit = SearchHit(id="cred:sql", text="SQL basics", score=0.0318, dense_rank=5, lexical_rank=1)
    headers = [column.header for column in hits_table("sql", [hit]).columns]
    assert headers == ["rank", "id", "text", "fused score", "dense rank", "lexical rank"]


def make_record(name: str, level: int) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, "message", None, None)


def test_log_filter_drops_library_debug() -> None:
    quiet = OwnLoggersFilter({"advisor"})
    assert not quiet.filter(make_record("bm25s", logging.DEBUG))
    assert not quiet.filter(make_record("httpx", logging.INFO))


def test_log_filter_passes_warnings_and_own() -> None:
    quiet = OwnLoggersFilter({"advisor"})
    assert quiet.filter(make_record("bm25s", logging.WARNING))
    assert quiet.filter(make_record("advisor.ingest.records", logging.INFO))
