"""Offline responder: the intent recogniser, and multi-turn conversations grounded in the engine."""

from __future__ import annotations

from datetime import date

import pytest
from chat_helpers import TODAY, alice_record, small_knowledge_base

from advisor.chat.advising import Advising, ConversationState
from advisor.chat.catalog_search import TitleSearch
from advisor.chat.intents import IntentKind, recognise
from advisor.chat.offline import OfflineResponder
from advisor.chat.verifier import AnswerVerifier
from advisor.domain import Constraints
from advisor.engine import advise, cheaper_alternative
from advisor.engine.goals import goal_from_text


@pytest.mark.parametrize(
    ("message", "kind", "goal", "references"),
    [
        ("hi", IntentKind.GREET, None, []),
        ("Hello there, what can you do?", IntentKind.HELP, None, []),
        ("help", IntentKind.HELP, None, []),
        ("I want to become a data analyst", IntentKind.SET_GOAL, "data analyst", []),
        ("Hi! I'd like to work as a nurse.", IntentKind.SET_GOAL, "nurse", []),
        ("change my goal to web developer", IntentKind.SET_GOAL, "web developer", []),
        ("my goal is software developer", IntentKind.SET_GOAL, "software developer", []),
        ("I want to learn python, sql and statistics", IntentKind.SET_GOAL, "skills: python, sql, statistics", []),
        ("what should I take next?", IntentKind.NEXT, None, []),
        ("plan", IntentKind.NEXT, None, []),
        ("why SQL Basics for Analysts?", IntentKind.WHY, None, ["SQL Basics for Analysts"]),
        ("why is step 2 in my plan?", IntentKind.WHY, None, ["step 2"]),
        ("what does Statistics for Analysts cover?", IntentKind.COVERS, None, ["Statistics for Analysts"]),
        ("tell me about cred:viz", IntentKind.COVERS, None, ["cred:viz"]),
        ("something cheaper?", IntentKind.CHEAPER, None, []),
        ("is there anything faster", IntentKind.FASTER, None, []),
        ("compare SQL Basics and Data Analysis Bootcamp", IntentKind.COMPARE, None,
         ["SQL Basics", "Data Analysis Bootcamp"]),
        ("step 1 vs step 2", IntentKind.COMPARE, None, ["step 1", "step 2"]),
        ("what skills do I have?", IntentKind.MY_SKILLS, None, []),
        ("the weather is nice", IntentKind.UNKNOWN, None, []),
    ],
)
def test_recognise_intent(message: str, kind: IntentKind, goal: str | None, references: list[str]) -> None:
    intent = recognise(message, TODAY)

    assert intent.kind is kind
    assert intent.goal_text == goal
    assert intent.references == references


@pytest.mark.parametrize(
    ("message", "constraints"),
    [
        ("5 hours a week", {"hours_per_week": 5.0}),
        ("I have 7.5 hrs per week", {"hours_per_week": 7.5}),
        ("2 hours a day", {"hours_per_week": 14.0}),
        ("my budget is $300", {"budget": 300.0, "currency": "USD"}),
        ("I can spend 500 euros", {"budget": 500.0, "currency": "EUR"}),
        ("only free courses", {"budget": 0.0, "unknown_cost": "exclude"}),
        ("by 2026-12-31", {"deadline": date(2026, 12, 31)}),
        ("by June 2027", {"deadline": date(2027, 6, 30)}),
        ("within 6 months", {"deadline": date(2026, 7, 5)}),
        ("online only", {"modalities": ["online"]}),
        ("preferably in person", {"modalities": ["in_person"]}),
    ],
)
def test_recognise_constraints(message: str, constraints: dict) -> None:
    intent = recognise(message, TODAY)

    assert intent.kind is IntentKind.CONSTRAINTS
    assert intent.constraints == constraints


def test_goal_and_constraints_together() -> None:
    intent = recognise("I want to become a data analyst with 10 hours a week and a budget of $300", TODAY)

    assert intent.kind is IntentKind.SET_GOAL
    assert intent.goal_text == "data analyst"
    assert intent.constraints == {"hours_per_week": 10.0, "budget": 300.0, "currency": "USD"}


@pytest.fixture
def responder() -> OfflineResponder:
    knowledge = small_knowledge_base()
    return OfflineResponder(Advising(knowledge, today=TODAY), TitleSearch(knowledge), TODAY)


def check_grounded(responder: OfflineResponder, answer, learner_id: str = "alice") -> None:
    problems = AnswerVerifier(responder.knowledge).verify(
        answer.text, credential_ids=answer.credential_ids, record_item_ids=answer.record_item_ids, learner_id=learner_id
    )
    assert problems == []


def test_scripted_conversation(responder: OfflineResponder) -> None:
    knowledge = responder.knowledge
    record = alice_record()
    state = ConversationState()
    goal = goal_from_text("data analyst")

    first = responder.respond("I want to become a data analyst", record, state)
    expected = advise(knowledge, record, goal, Constraints(), today=TODAY).pathway
    assert first.intent is IntentKind.SET_GOAL
    assert [step.credential_id for step in first.pathway.steps] == expected.credential_ids
    for credential_id in expected.credential_ids:
        assert f"[{credential_id}]" in first.text
    assert "SQL Basics for Analysts [cred:sql-basics]: 20 hours, 49 USD." in first.text
    check_grounded(responder, first)

    second = responder.respond("I can do 10 hours a week", record, state)
    assert state.constraints.hours_per_week == 10
    assert second.text.startswith("Noted: 10 hours per week.")
    assert "at 10 hours per week" in second.text
    check_grounded(responder, second)

    third = responder.respond("why Data Visualisation Workshop?", record, state)
    assert third.intent is IntentKind.WHY
    assert "Data Visualisation Workshop [cred:viz] is step 2 of 4" in third.text
    assert "It requires SQL Basics for Analysts [cred:sql-basics], and an earlier step of the plan provides it." in third.text
    check_grounded(responder, third)

    fourth = responder.respond("something cheaper?", record, state)
    cheaper, _note = cheaper_alternative(knowledge, record, goal, state.constraints, today=TODAY)
    assert cheaper is not None
    assert fourth.pathway.label == "cheaper"
    assert [step.credential_id for step in fourth.pathway.steps] == cheaper.credential_ids
    assert "Its known costs add up to 49 USD" in fourth.text
    assert "against 248 USD" in fourth.text
    check_grounded(responder, fourth)

    fifth = responder.respond("and why step 4?", record, state)
    assert "Python Programming Essentials [cred:python] is step 4 of 4" in fifth.text


def test_why_outside_plan(responder: OfflineResponder) -> None:
    state = ConversationState()
    responder.respond("I want to become a data analyst", None, state)

    answer = responder.respond("why not the Data Analysis Bootcamp?", None, state)

    assert "Data Analysis Bootcamp [cred:bootcamp] is not in your pathway" in answer.text
    assert "other credentials" in answer.text
    check_grounded(responder, answer)


def test_covers_and_compare(responder: OfflineResponder) -> None:
    state = ConversationState()
    covers = responder.respond("what does Spreadsheet Careers Guide cover?", None, state)
    responder.respond("I want to become a data analyst", None, state)
    compared = responder.respond("compare step 1 and the bootcamp", None, state)

    assert "Spreadsheet Careers Guide [cred:guide] is a course by Careers Hub" in covers.text
    assert "5 hours, cost unknown" in covers.text
    assert "It teaches spreadsheets (Foundational)." in covers.text
    assert "Data Analysis Bootcamp [cred:bootcamp] closes more of your gap." in compared.text
    assert "SQL Basics for Analysts [cred:sql-basics] takes fewer hours." in compared.text
    check_grounded(responder, covers)
    check_grounded(responder, compared)


def test_goal_persists_and_changes(responder: OfflineResponder) -> None:
    state = ConversationState()
    responder.respond("I want to become a data analyst", None, state)
    kept = responder.respond("I want to become an astronaut pilot of mars", None, state)
    changed = responder.respond("I want to learn python", None, state)

    assert "I could not use" in kept.text
    assert "Your goal is still \"data analyst\"" in kept.text
    assert changed.pathway is not None
    assert [step.credential_id for step in changed.pathway.steps] == ["cred:python"]


def test_unknown_lists_examples(responder: OfflineResponder) -> None:
    answer = responder.respond("the weather is nice", None, ConversationState())

    assert answer.understood is False
    assert answer.text.startswith("Sorry, I did not understand that.")
    assert "what should I take next?" in answer.text


def test_questions_before_goal(responder: OfflineResponder) -> None:
    for message in ("what should I take next?", "something cheaper?", "why step 1?"):
        answer = responder.respond(message, None, ConversationState())
        assert "You have not told me your goal yet." in answer.text


def test_skills_from_record(responder: OfflineResponder) -> None:
    answer = responder.respond("what skills do I have?", alice_record(), ConversationState())

    assert "- Python: Intermediate, self reported [alice-skill-python]" in answer.text
    assert "- spreadsheets: Intermediate, inferred [alice-project-1]" in answer.text
    assert sorted(answer.record_item_ids) == ["alice-project-1", "alice-skill-python"]


def test_unknown_step_number(responder: OfflineResponder) -> None:
    state = ConversationState()
    responder.respond("I want to become a data analyst", None, state)

    answer = responder.respond("why step 9?", None, state)

    assert "Your pathway has 4 steps" in answer.text


def test_invalid_deadline_keeps_constraints(responder: OfflineResponder) -> None:
    state = ConversationState()
    responder.respond("5 hours a week", None, state)

    answer = responder.respond("by 2020-01-01", None, state)

    assert "is not in the future" in answer.text
    assert state.constraints.deadline is None
    assert state.constraints.hours_per_week == 5


def test_title_inside_skill_label_ignored() -> None:
    from advisor.domain import Credential, KnowledgeBase, Skill

    knowledge = KnowledgeBase.from_items(
        [Credential(id="cred:big-data", title="Big Data", hours=10)],
        [Skill(id="skill:big-data", label="analyse big data", framework="esco")],
    )
    verifier = AnswerVerifier(knowledge)

    in_label = verifier.verify("Left open: analyse big data.", credential_ids=[], record_item_ids=[], learner_id="a")
    named = verifier.verify("Take Big Data next.", credential_ids=[], record_item_ids=[], learner_id="a")

    assert in_label == []
    assert [problem.kind.value for problem in named] == ["credential_not_from_tools"]


def echo_knowledge_base() -> "KnowledgeBase":
    """Return the small knowledge base plus a credential titled like a phrase learners use as a skill."""
    from advisor.domain import Credential, KnowledgeBase

    base = small_knowledge_base()
    extra = Credential(id="cred:survey", title="Survey Design", provider="Field School", hours=12, cost=0,
                       currency="USD")
    return KnowledgeBase.from_items([*base.credentials.values(), extra], list(base.skills.values()),
                                    list(base.occupations.values()))


def test_echoed_goal_title_cited() -> None:
    knowledge = echo_knowledge_base()
    responder = OfflineResponder(Advising(knowledge, today=TODAY), TitleSearch(knowledge), TODAY)

    answer = responder.respond("I want to learn sql and survey design", None, ConversationState())

    assert "'survey design'" in answer.text
    assert "Survey Design [cred:survey]" in answer.text
    assert "cred:survey" in answer.credential_ids
    check_grounded(responder, answer)


def test_offline_turn_sends_engine_evidence() -> None:
    from chat_helpers import collect, final_of, offline_service

    from advisor.chat.events import ToolResultEvent
    from advisor.chat.memory import VerifierOutcome

    service = offline_service(echo_knowledge_base())
    conversation_id = service.start_conversation("carol")

    events = collect(service, conversation_id, "carol", "I want to learn sql and survey design")
    final = final_of(events)
    results = [event for event in events if isinstance(event, ToolResultEvent)]
    exchange = service.conversations.list_exchanges(conversation_id, "carol")[-1]

    assert results[0].name == "engine"
    assert "cred:survey" in results[0].ids
    assert "Survey Design [cred:survey]" in final.answer
    assert exchange.verifier_outcome is VerifierOutcome.PASSED
    assert exchange.turn_path == "offline"
    assert {"cred:survey", "cred:sql-basics"} <= {item.id for item in exchange.retrieved}
    assert not any(incident.kind == "grounded_answer_unverified" for incident in final.incidents)


def test_check_answer_removes_failing_sentence() -> None:
    from advisor.chat.answer_check import REPLACEMENT, check_answer

    knowledge = small_knowledge_base()
    verifier = AnswerVerifier(knowledge)

    def verify(text: str) -> list:
        return verifier.verify(text, credential_ids=["cred:sql-basics"], record_item_ids=[], learner_id="a")

    text = "Start with SQL Basics for Analysts [cred:sql-basics]. Then take Python Programming Essentials."
    checked = check_answer(text, verify)
    replaced = check_answer("Take Python Programming Essentials [cred:python].", verify)

    assert checked.removed_sentences == 1
    assert "Python" not in checked.text
    assert checked.text.startswith("Start with SQL Basics for Analysts [cred:sql-basics].")
    assert "I left out a sentence" in checked.text
    assert verify(checked.text) == []
    assert replaced.replaced is True
    assert replaced.text == REPLACEMENT
    assert verify(replaced.text) == []
