"""The last check of an engine-written answer before it reaches the learner.

The grounded responder cites every credential it names, so its answers pass the verifier.
Should one still fail, the sentences that hold a problem are removed and the answer says
that it left something out; when the shortened answer still fails, or nothing is left, a
fixed answer replaces it. No answer that fails the verifier is delivered as if it passed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from advisor.chat.verifier import Problem

logger = logging.getLogger(__name__)

SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?](?=\s|$)|\n|$)")
LEFT_OUT_NOTE = "(I left out {count} that I could not check against the catalog.)"
REPLACEMENT = (
    "I could not check my answer against the catalog, so I am not showing it. Ask again, or ask "
    "\"what should I take next?\" to see your plan."
)

Verify = Callable[[str], list[Problem]]


@dataclass
class CheckedAnswer:
    """An answer after the last check: its text, the problems first found, and what was done."""

    text: str
    problems: list[Problem] = field(default_factory=list)
    removed_sentences: int = 0
    replaced: bool = False

    @property
    def changed(self) -> bool:
        """Return whether the text differs from the answer that was checked."""
        return self.removed_sentences > 0 or self.replaced


def check_answer(text: str, verify: Verify) -> CheckedAnswer:
    """Verify an answer; remove the sentences with problems, or replace it when that is not enough."""
    problems = verify(text)
    if not problems:
        return CheckedAnswer(text)

    shortened, removed = remove_sentences(text, [problem.value for problem in problems])
    if removed and shortened.strip() and not verify(shortened):
        word = "a sentence" if removed == 1 else f"{removed} sentences"
        note = LEFT_OUT_NOTE.format(count=word)
        logger.warning("Removed %d sentences that failed the verifier: %s", removed, problems[0].message)
        return CheckedAnswer(f"{shortened}\n\n{note}", problems, removed)

    logger.warning("Replaced an answer that failed the verifier: %s", problems[0].message)
    return CheckedAnswer(REPLACEMENT, problems, removed, replaced=True)


def remove_sentences(text: str, values: list[str]) -> tuple[str, int]:
    """Return the text without the sentences that contain any of ``values``, and how many went."""
    paragraphs = []
    removed = 0
    for paragraph in text.split("\n\n"):
        kept_lines = []
        for line in paragraph.split("\n"):
            sentences = [match.group() for match in SENTENCE.finditer(line)]
            kept = [sentence for sentence in sentences if not any(value and value in sentence for value in values)]
            removed += len(sentences) - len(kept)
            if "".join(kept).strip():
                kept_lines.append("".join(kept).strip())
        if kept_lines:
            paragraphs.append("\n".join(kept_lines))
    return "\n\n".join(paragraphs), removed
