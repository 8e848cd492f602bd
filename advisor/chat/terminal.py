"""A terminal conversation with the advisor, as ``advisor chat`` runs it.

Lines are read until end of input or a line saying ``quit`` (or ``exit``). Each answer is
printed as it streams; when the model's streamed text is replaced by a grounded answer, the
replacement is printed after a note saying so.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from advisor.chat.events import FinalEvent, TextDelta
from advisor.chat.service import ChatService
from advisor.config import Settings, get_settings
from advisor.domain import LearnerRecord
from advisor.errors import AdvisorError

logger = logging.getLogger(__name__)

LOCAL_LEARNER_ID = "local-learner"
QUIT_WORDS = frozenset({"quit", "exit", ":q"})

Write = Callable[[str], None]


def load_record(service: ChatService, record_path: Path | None, learner_id: str | None) -> str:
    """Import the record file when given, store it for the learner and return the learner id."""
    if record_path is None:
        return learner_id or LOCAL_LEARNER_ID

    from advisor.ingest.records import import_record

    result = import_record(record_path, learner_id=learner_id, knowledge_base=service.knowledge)
    for rejection in result.report.rejected:
        logger.warning("Record item rejected: %s", rejection)
    record: LearnerRecord = result.items[0]
    service.records.save(record)
    return record.learner_id


async def converse(service: ChatService, learner_id: str, lines: Iterable[str], write: Write) -> int:
    """Hold the conversation over input lines and return how many turns were answered."""
    conversation_id = service.start_conversation(learner_id)
    turns = 0
    for line in lines:
        message = line.strip()
        if not message:
            continue
        if message.lower() in QUIT_WORDS:
            break

        streamed = False
        async for event in service.stream_turn(conversation_id, learner_id, message):
            if isinstance(event, TextDelta):
                write(event.text)
                streamed = True
            elif isinstance(event, FinalEvent):
                write(final_text(event, streamed))
        turns += 1
    return turns


def final_text(event: FinalEvent, streamed: bool) -> str:
    """Return what to print at the end of a turn, given whether text was streamed before it."""
    if not streamed:
        return event.answer + "\n\n"
    if event.replaces_streamed_text:
        return "\n\n(The answer above could not be checked; this answer from the catalog replaces it.)\n" + \
            event.answer + "\n\n"
    return "\n\n"


def prompted_lines(stream: TextIO, write: Write, interactive: bool) -> Iterable[str]:
    """Yield input lines, writing a prompt before each when the input is a terminal."""
    while True:
        if interactive:
            write("you> ")
        line = stream.readline()
        if not line:
            return
        yield line


def run_terminal_chat(
    record_path: Path | None,
    learner_id: str | None,
    stream: TextIO,
    write: Write,
    settings: Settings | None = None,
) -> int:
    """Run ``advisor chat``: build the service, load the record, converse; return the exit status."""
    settings = settings or get_settings()
    try:
        service = ChatService.create(settings)
        learner = load_record(service, record_path, learner_id)
    except AdvisorError as error:
        write(f"Error: {error}\n")
        return 1

    mode = "the chat model" if service.mode == "llm" else "the offline advisor (no API key is set)"
    write(f"Talking with {mode}. Type your goal or \"help\"; \"quit\" or end of input stops.\n\n")
    try:
        asyncio.run(converse(service, learner, prompted_lines(stream, write, stream.isatty()), write))
    except AdvisorError as error:
        write(f"Error: {error}\n")
        return 1
    return 0
