"""Chat tools over the engine: schemas, validation, scoping to the caller, compact results."""

from __future__ import annotations

import json

import pytest
from chat_helpers import TODAY, alice_record, small_knowledge_base

from advisor.chat.advising import Advising, ConversationState
from advisor.chat.catalog_search import TitleSearch
from advisor.chat.service import search_record_in_memory
from advisor.chat.tools import ToolBox, ToolContext
from advisor.domain import Goal, GoalKind


@pytest.fixture
def toolbox() -> ToolBox:
    knowledge = small_knowledge_base()
    record = alice_record()
    context = ToolContext(
        learner_id="alice",
        record=record,
        state=ConversationState(),
        advising=Advising(knowledge, today=TODAY),
        catalog=TitleSearch(knowledge),
        record_search=lambda query, limit: search_record_in_memory(record, query, limit),
    )
    return ToolBox(context)


def test_schemas_never_take_learner_id(toolbox: ToolBox) -> None:
    names = set()
    for schema in toolbox.schemas():
        function = schema["function"]
        names.add(function["name"])
        assert "learner_id" not in function["parameters"].get("properties", {})
        assert function["parameters"]["additionalProperties"] is False

    assert names == {
        "search_catalog", "describe_credential", "get_learner_profile", "analyse_gap", "plan_pathway",
        "cheaper_alternative", "faster_alternative", "compare_credentials", "search_my_record",
    }


def test_learner_id_argument_rejected(toolbox: ToolBox) -> None:
    outcome = toolbox.run("search_my_record", {"query": "projects", "learner_id": "bob"})

    assert outcome.error is not None
    assert "learner_id" in outcome.error
    assert outcome.record_item_ids == []


@pytest.mark.parametrize(
    ("name", "arguments", "expected"),
    [
        ("search_catalog", {}, "query"),
        ("search_catalog", {"query": "sql", "limit": 500}, "limit"),
        ("plan_pathway", {"hours_per_week": "lots"}, "hours_per_week"),
        ("plan_pathway", {"goal": "data analyst", "deadline": "next tuesday-ish"}, "deadline"),
        ("compare_credentials", {"first_id": "cred:sql-basics"}, "second_id"),
        ("describe_credential", {"credential_id": "cred:nope"}, "not in the catalog"),
        ("no_such_tool", {}, "Unknown tool"),
    ],
)
def test_invalid_arguments_become_errors(toolbox: ToolBox, name: str, arguments: dict, expected: str) -> None:
    outcome = toolbox.run(name, arguments)

    assert outcome.error is not None
    assert expected in outcome.error
    assert json.loads(outcome.to_json()) == {"error": outcome.error}


def test_search_catalog_compact(toolbox: ToolBox) -> None:
    outcome = toolbox.run("search_catalog", {"query": "SQL Basics", "limit": 3})

    results = outcome.content["results"]
    assert results[0]["id"] == "cred:sql-basics"
    assert results[0]["hours"] == 20
    assert results[0]["cost"] == 49
    assert outcome.credential_ids[0] == "cred:sql-basics"
    assert outcome.retrieved[0].score is not None
    assert len(outcome.to_json()) < 800


def test_describe_unknown_cost(toolbox: ToolBox) -> None:
    outcome = toolbox.run("describe_credential", {"credential_id": "cred:guide"})

    assert outcome.content["cost"] == "unknown"
    assert outcome.content["skills"] == [{"skill_id": "skill:spreadsheets", "label": "spreadsheets", "level": "Foundational"}]


def test_plan_sets_goal_and_constraints(toolbox: ToolBox) -> None:
    outcome = toolbox.run("plan_pathway", {"goal": "data analyst", "hours_per_week": 10, "currency": "usd"})

    state = toolbox.context.state
    assert outcome.error is None
    assert state.goal == Goal(kind=GoalKind.OCCUPATION, occupation="data analyst")
    assert state.constraints.hours_per_week == 10
    assert state.constraints.currency == "USD"
    assert [step["id"] for step in outcome.content["steps"]] == [
        "cred:sql-basics", "cred:viz", "cred:stats", "cred:python"
    ]
    assert outcome.content["steps"][1]["after"] == ["cred:sql-basics"]
    assert outcome.pathway is not None
    assert outcome.pathway.steps[0].url == "https://example.org/sql-basics"
    assert outcome.pathway.steps[0].closes == ["SQL"]


def test_alternatives_need_goal(toolbox: ToolBox) -> None:
    outcome = toolbox.run("cheaper_alternative", {})

    assert outcome.error is not None
    assert "No goal" in outcome.error


def test_cheaper_after_plan(toolbox: ToolBox) -> None:
    toolbox.run("plan_pathway", {"goal": "data analyst", "hours_per_week": 10})
    outcome = toolbox.run("cheaper_alternative", {})

    assert outcome.content["found"] is True
    assert outcome.content["known_cost"] == 49
    assert outcome.pathway is not None
    assert outcome.pathway.label == "cheaper"


def test_compare_credentials(toolbox: ToolBox) -> None:
    toolbox.run("analyse_gap", {"goal": "data analyst"})
    outcome = toolbox.run("compare_credentials", {"first_id": "cred:sql-basics", "second_id": "cred:bootcamp"})

    assert outcome.content["more_gap_closed"] == "cred:bootcamp"
    assert outcome.content["fewer_hours"] == "cred:sql-basics"
    assert outcome.content["cheaper"] == "cred:sql-basics"
    assert set(outcome.credential_ids) >= {"cred:sql-basics", "cred:bootcamp"}


def test_profile_and_record_search(toolbox: ToolBox) -> None:
    profile = toolbox.run("get_learner_profile", {})
    found = toolbox.run("search_my_record", {"query": "sales spreadsheet"})

    assert profile.content["has_record"] is True
    assert "alice-skill-python" in profile.record_item_ids
    assert found.record_item_ids[0] == "alice-project-1"
    assert toolbox.record_item_ids >= {"alice-skill-python", "alice-project-1"}


def test_gap_lists_missing(toolbox: ToolBox) -> None:
    outcome = toolbox.run("analyse_gap", {"goal": "skills: sql, statistics"})

    missing = {entry["skill_id"] for entry in outcome.content["missing"]}
    assert missing == {"skill:sql", "skill:statistics"}
    assert outcome.content["goal"] == "SQL, statistics"
