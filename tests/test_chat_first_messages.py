"""First messages of a new learner: a goal with constraints in one message, all steps, unknown prices."""

from __future__ import annotations

from datetime import date

import pytest
from chat_helpers import TODAY, alice_record, small_knowledge_base

from advisor.chat.advising import Advising, ConversationState
from advisor.chat.catalog_search import TitleSearch
from advisor.chat.grounded import AnswerDraft, write_pathway
from advisor.chat.intents import IntentKind, recognise
from advisor.chat.offline import OfflineResponder
from advisor.domain import KnowledgeBase
from advisor.engine import advise
from advisor.engine.goals import goal_from_text


@pytest.mark.parametrize(
    ("message", "goal", "constraints"),
    [
        ("I want to become a data analyst. I have 5 hours a week.", "data analyst", {"hours_per_week": 5.0}),
        ("I want to be a data analyst, I can do 5 hours a week", "data analyst", {"hours_per_week": 5.0}),
        ("I want to become a data analyst; I have 2 hours per day", "data analyst", {"hours_per_week": 14.0}),
        ("I want to become a data analyst. I can spend 300 dollars", "data analyst",
         {"budget": 300.0, "currency": "USD"}),
        ("I want to become a data analyst by June 2027", "data analyst", {"deadline": date(2027, 6, 30)}),
        ("Hi! My goal is data analyst, online only.", "data analyst", {"modalities": ["online"]}),
        ("I want to become a Data analyst <script>alert(1)</script>", "Data analyst", {}),
    ],
)
def test_goal_with_constraints_recognised(message: str, goal: str, constraints: dict) -> None:
    intent = recognise(message, TODAY)

    assert intent.kind is IntentKind.SET_GOAL
    assert intent.goal_text == goal
    assert intent.constraints == constraints


@pytest.mark.parametrize(
    ("message", "constraints"),
    [
        ("I can spend 300 dollars", {"budget": 300.0, "currency": "USD"}),
        ("I have 2 hours per day", {"hours_per_week": 14.0}),
        ("I need to finish by June 2027.", {"deadline": date(2027, 6, 30)}),
    ],
)
def test_constraints_alone_recognised(message: str, constraints: dict) -> None:
    intent = recognise(message, TODAY)

    assert intent.kind is IntentKind.CONSTRAINTS
    assert intent.constraints == constraints


@pytest.mark.parametrize("message", ["show all steps", "show me the other 2 steps", "list every step",
                                     "show me the full plan"])
def test_all_steps_recognised(message: str) -> None:
    assert recognise(message, TODAY).kind is IntentKind.ALL_STEPS


def test_skill_list_keeps_commas() -> None:
    intent = recognise("I want to learn python, sql. I have 4 hours a week", TODAY)

    assert intent.goal_text == "skills: python, sql"
    assert intent.constraints == {"hours_per_week": 4.0}


def responder_for(knowledge: KnowledgeBase) -> OfflineResponder:
    return OfflineResponder(Advising(knowledge, today=TODAY), TitleSearch(knowledge), TODAY)


def test_goal_and_hours_planned_once() -> None:
    responder = responder_for(small_knowledge_base())
    state = ConversationState()

    answer = responder.respond("I want to become a data analyst. I have 5 hours a week.", alice_record(), state)

    assert answer.intent is IntentKind.SET_GOAL
    assert state.goal is not None
    assert state.goal.occupation == "data analyst"
    assert state.constraints.hours_per_week == 5
    assert answer.text.startswith("Noted: 5 hours per week.")
    assert "at 5 hours per week" in answer.text
    assert answer.pathway is not None


def test_markup_goal_sets_goal() -> None:
    responder = responder_for(small_knowledge_base())
    state = ConversationState()

    answer = responder.respond("I want to become a Data analyst <script>alert(1)</script>", None, state)

    assert answer.intent is IntentKind.SET_GOAL
    assert state.goal is not None
    assert "<script>" not in answer.text


def test_occupation_clause_beside_hours() -> None:
    responder = responder_for(small_knowledge_base())
    state = ConversationState()

    answer = responder.respond("data analyst. 2 hours a day", None, state)

    assert answer.intent is IntentKind.SET_GOAL
    assert state.constraints.hours_per_week == 14


def test_all_steps_lists_every_step() -> None:
    responder = responder_for(small_knowledge_base())
    record = alice_record()
    state = ConversationState()
    responder.respond("I want to become a data analyst", record, state)

    answer = responder.respond("show all steps", record, state)

    steps = answer.pathway.steps
    assert answer.intent is IntentKind.ALL_STEPS
    assert steps
    for step in steps:
        assert f"{step.order}. {step.title} [{step.credential_id}]" in answer.text


def test_hidden_steps_line_names_request() -> None:
    knowledge = small_knowledge_base()
    advice = advise(knowledge, None, goal_from_text("data analyst"), today=TODAY)
    draft = AnswerDraft(knowledge)
    total = len(advice.pathway.steps)

    write_pathway(draft, advice.pathway, "Steps:", max_steps=1)

    assert total > 1
    assert f"… and {total - 1} more step" in draft.text
    assert "show all steps" in draft.text
    assert "card" not in draft.text


def test_budget_note_counts_unpriced() -> None:
    responder = responder_for(small_knowledge_base())

    answer = responder.respond("I can spend 300 dollars", None, ConversationState())

    assert answer.text.startswith("Noted: a budget of 300 USD.")
    assert "The catalog gives no price for 1 of its 6 credentials" in answer.text


def unpriced_knowledge_base() -> KnowledgeBase:
    knowledge = small_knowledge_base()
    credentials = [item.model_copy(update={"cost": None, "currency": None}) for item in knowledge.credentials.values()]
    return KnowledgeBase.from_items(credentials, list(knowledge.skills.values()), list(knowledge.occupations.values()))


def test_budget_note_without_prices() -> None:
    responder = responder_for(unpriced_knowledge_base())

    answer = responder.respond("I can spend 300 dollars", None, ConversationState())

    assert "The catalog gives no price for any of its 6 credentials, so I cannot check the budget" in answer.text


def test_cheaper_without_prices_not_claimed() -> None:
    responder = responder_for(unpriced_knowledge_base())
    state = ConversationState()
    responder.respond("I want to become a data analyst", None, state)

    answer = responder.respond("anything cheaper?", None, state)

    assert "cheaper pathway" not in answer.text
    assert "so I cannot compare their cost" in answer.text
    assert answer.pathway is not None
    assert answer.pathway.label in {"faster", "recommended"}
    if answer.pathway.label == "faster":
        assert "Here is a shorter pathway instead" in answer.text
