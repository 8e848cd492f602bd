"""History token budget: counting offline, summarising older turns, keeping goal and constraints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from advisor.chat.budget import (
    MESSAGE_OVERHEAD_TOKENS,
    count_tokens,
    extractive_summary,
    fit_history,
    truncate_to_tokens,
)
from advisor.errors import InvalidInputError

GOAL = {"kind": "occupation", "occupation_id": "onet:15-2051.00", "title": "Data Scientist"}
CONSTRAINTS = {"hours_per_week": 6, "budget": 300, "currency": "USD"}


@dataclass
class Message:
    role: str
    content: str


def conversation(turn_count: int) -> list[Message]:
    turns = []
    for index in range(turn_count):
        if index % 2 == 0:
            text = f"Question {index}: what about statistics and SQL for my goal? I can study evenings."
        else:
            text = f"Answer {index}: take Statistics Basics [cred-{index}] first. It takes 20 hours and builds on algebra."
        turns.append(Message("user" if index % 2 == 0 else "assistant", text))
    return turns


def message_tokens(history_messages: list) -> int:
    return sum(count_tokens(message.content) + MESSAGE_OVERHEAD_TOKENS for message in history_messages)


def test_count_tokens_offline() -> None:
    assert count_tokens("hello world") == 2


def test_count_tokens_special_text() -> None:
    assert count_tokens("<|endoftext|>") > 1


def test_truncate_to_tokens() -> None:
    text = "one two three four five six seven"

    cut = truncate_to_tokens(text, 3)

    assert count_tokens(cut) == 3
    assert text.startswith(cut)


def test_short_history_kept_whole() -> None:
    turns = conversation(4)

    history = fit_history(turns, 2000, goal=GOAL, constraints=CONSTRAINTS)

    assert history.turns == turns
    assert history.summary == ""
    assert history.summarized_turns == 0


@pytest.mark.parametrize("budget", [250, 400, 800])
def test_long_history_fits_budget(budget: int) -> None:
    turns = conversation(60)

    history = fit_history(turns, budget, goal=GOAL, constraints=CONSTRAINTS)

    assert message_tokens(history.messages()) <= budget
    assert history.summarized_turns > 0
    assert history.turns[-1] == turns[-1]
    assert history.summarized_turns + len(history.turns) == len(turns)


def test_goal_and_constraints_never_dropped() -> None:
    turns = conversation(80)

    history = fit_history(turns, 250, goal=GOAL, constraints=CONSTRAINTS)
    system = history.messages()[0].content

    assert "Data Scientist" in system
    assert '"hours_per_week": 6' in system
    assert '"budget": 300' in system


def test_summary_keeps_cited_ids() -> None:
    turns = conversation(40)

    history = fit_history(turns, 800, goal=GOAL)

    assert history.summary.startswith("Summary of the earlier conversation:")
    assert "cred-" in history.summary


def test_custom_summarizer_used() -> None:
    seen: list[int] = []

    def summarize(older: Sequence[Message], max_tokens: int) -> str:
        seen.append(len(older))
        return "The learner wants data science."

    history = fit_history(conversation(40), 400, goal=GOAL, summarize=summarize)

    assert history.summary == "The learner wants data science."
    assert seen == [history.summarized_turns]


def test_long_summary_cut_to_budget() -> None:
    def summarize(older: Sequence[Message], max_tokens: int) -> str:
        return "word " * 5000

    history = fit_history(conversation(40), 400, goal=GOAL, summarize=summarize)

    assert message_tokens(history.messages()) <= 400


def test_oversized_context_rejected() -> None:
    huge_goal = {"title": "data " * 600}

    with pytest.raises(InvalidInputError) as caught:
        fit_history(conversation(2), 300, goal=huge_goal)

    assert "ADVISOR_CHAT_HISTORY_TOKEN_BUDGET" in str(caught.value)


def test_extractive_summary_deterministic() -> None:
    turns = conversation(6)

    first = extractive_summary(turns, 500)
    second = extractive_summary(turns, 500)

    assert first == second
    assert first.count("\n- ") == 6
    assert "- Advisor: Answer 1: take Statistics Basics [cred-1] first. (ids: cred-1)" in first


def test_extractive_summary_drops_oldest() -> None:
    turns = conversation(30)

    summary = extractive_summary(turns, 120)

    assert count_tokens(summary) <= 120
    assert "Question 28" in summary
    assert "Question 0:" not in summary
