"""`advisor chat`: a terminal conversation over standard input, offline without a key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from chat_helpers import small_knowledge_base, write_knowledge_base
from fakes.openai_server import Answer, FakeOpenAIServer
from typer.testing import CliRunner

from advisor.cli import app
from advisor.config import get_settings


@pytest.fixture
def knowledge_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = write_knowledge_base(tmp_path / "kb", small_knowledge_base())
    monkeypatch.setenv("ADVISOR_KNOWLEDGE_BASE_DIR", str(directory))
    get_settings.cache_clear()
    return directory


def test_offline_conversation_until_quit(knowledge_dir: Path) -> None:
    lines = "hi\nI want to become a data analyst\n10 hours a week\nwhy step 2?\nquit\nwhat should I take next?\n"

    result = CliRunner().invoke(app, ["chat"], input=lines)

    assert result.exit_code == 0, result.output
    assert "Talking with the offline advisor (no API key is set)." in result.output
    assert "Hello! I help you plan" in result.output
    assert "1. SQL Basics for Analysts [cred:sql-basics]: 20 hours, 49 USD." in result.output
    assert "Noted: 10 hours per week." in result.output
    assert "Data Visualisation Workshop [cred:viz] is step 2 of 4" in result.output
    assert result.output.count("Here is the pathway I recommend") == 2


def test_record_file_used(knowledge_dir: Path, tmp_path: Path) -> None:
    record = {
        "learner_id": "casey",
        "self_reported_skills": [{"id": "casey-sql", "name": "SQL", "level": 3}],
    }
    path = tmp_path / "casey.json"
    path.write_text(json.dumps(record), encoding="utf-8")

    result = CliRunner().invoke(app, ["chat", "--record", str(path)], input="what skills do I have?\n")

    assert result.exit_code == 0, result.output
    assert "- SQL: Advanced, self reported [casey-sql]" in result.output


def test_missing_record_file(knowledge_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["chat", "--record", str(tmp_path / "absent.json")], input="hi\n")

    assert result.exit_code == 1
    assert "Error:" in result.output


def test_model_answers_with_key(knowledge_dir: Path, fake_openai: FakeOpenAIServer,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("ADVISOR_OPENAI_BASE_URL", fake_openai.base_url)
    get_settings.cache_clear()
    fake_openai.script(Answer(text="Hello from the model. What is your goal?"))

    result = CliRunner().invoke(app, ["chat"], input="hello\n")

    assert result.exit_code == 0, result.output
    assert "Talking with the chat model." in result.output
    assert "Hello from the model. What is your goal?" in result.output
