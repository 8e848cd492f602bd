"""Measure the chat layer's cost per turn beyond the model: latency and prompt tokens.

Run: python benchmarks/bench_chat.py [--conversations N] [--knowledge-base DIR]

Each conversation has five turns over the shipped knowledge base (set a goal, give hours per
week, ask why step 1, ask for something cheaper, compare steps 1 and 2) with a learner record
of a few skills. The intent recogniser understands all five, so each runs the engine first and
sends one model request without tools. The chat model is an in-process fake with zero latency:
offered no tools, it returns the engine's answer from the prompt as its phrasing; offered tools,
it asks for the tool a turn needs, then answers by citing the ids, hours and costs of the tool
result. Every turn runs the real engine, verifier, history budget and database writes.

Reported:

- overhead per turn (p50, p95): the whole ``stream_turn`` with a zero-latency model, so it is
  everything but the model; also split into the engine calls inside tools and the rest;
- prompt tokens per turn: the tokens of every request the turn sends (messages plus tool
  schemas, counted with cl100k_base), and the tokens of the engine's answer inside them, against a naive RAG chain that sends the same system
  prompt, history and question with the top-10 catalog entries retrieved for the question.
  The naive chain's entries are counted twice: as full catalog records (JSON lines as shipped)
  and as the shorter index documents (title, provider, kind, skills).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from advisor.chat import tools as chat_tools
from advisor.chat.budget import count_tokens
from advisor.chat.catalog_search import TitleSearch
from advisor.chat.events import TextDelta, Usage
from advisor.chat.llm import ModelReply, ToolCall
from advisor.chat.service import ChatService
from advisor.config import Settings
from advisor.domain import KnowledgeBase, LearnerRecord, SelfReportedSkill
from advisor.index.documents import credential_document
from advisor.ingest.knowledge_base import load_knowledge_base

GOALS = ["data analyst", "software developer", "web developer", "accountant", "graphic designer",
         "project manager", "nurse", "marketing manager", "database administrator", "teacher"]
NAIVE_TOP_K = 10
ENGINE_ANSWER = "Engine answer:"


class ZeroLatencyModel:
    """A chat model stand-in: requests the turn's tool, then cites the tool result."""

    model_name = "zero-latency-fake"

    def __init__(self) -> None:
        self.request_tokens: list[int] = []
        self.engine_answer_tokens: list[int] = []

    async def astream(
        self, messages: Sequence[BaseMessage], tools: Sequence[Any] = (), *, stream: bool = True
    ) -> AsyncIterator[TextDelta | ModelReply]:
        """Yield the reply as one text delta and the reply, counting the request's tokens."""
        self.request_tokens.append(request_tokens(messages, tools))
        reply = self.reply(messages, tools)
        if reply.text:
            yield TextDelta(text=reply.text)
        yield reply

    async def acomplete(self, messages: Sequence[BaseMessage], tools: Sequence[Any] = ()) -> ModelReply:
        """Return the reply without streaming."""
        self.request_tokens.append(request_tokens(messages, tools))
        return self.reply(messages)

    def reply(self, messages: Sequence[BaseMessage], tools: Sequence[Any] = ()) -> ModelReply:
        """Phrase the engine's answer without tools; with tools, ask for one, then cite its result."""
        last = messages[-1]
        usage = Usage(input_tokens=0, output_tokens=0)
        if not tools and ENGINE_ANSWER in str(messages[0].content):
            engine_answer = str(messages[0].content).split(ENGINE_ANSWER, 1)[1].strip()
            self.engine_answer_tokens.append(count_tokens(engine_answer))
            return ModelReply(text=engine_answer, model=self.model_name, usage=usage)
        if isinstance(last, ToolMessage):
            return ModelReply(text=answer_from(json.loads(last.content)), model=self.model_name, usage=usage)

        question = str(last.content).lower()
        call = tool_for(question)
        return ModelReply(tool_calls=[ToolCall(id=f"call_{len(self.request_tokens)}", name=call[0],
                                               arguments=call[1])], model=self.model_name, usage=usage)


def tool_for(question: str) -> tuple[str, dict[str, Any]]:
    """Return the tool call a careful model would make for one of the benchmark's questions."""
    if question.startswith("i want to become"):
        return "plan_pathway", {"goal": question.removeprefix("i want to become a ").strip()}
    if "hours a week" in question:
        return "plan_pathway", {"hours_per_week": 8}
    if question.startswith("why"):
        return "plan_pathway", {}
    if "cheaper" in question:
        return "cheaper_alternative", {}
    return "plan_pathway", {}


def answer_from(result: dict[str, Any]) -> str:
    """Write a short answer citing the first steps of a pathway result, with hours and costs."""
    steps = result.get("steps") or (result.get("recommended") or {}).get("steps") or []
    if not steps:
        return "I could not find a pathway for that goal; tell me another goal."
    sentences = []
    for step in steps[:3]:
        hours = f"{step['hours']:g} hours" if isinstance(step.get("hours"), (int, float)) else "a length not stated"
        cost = "cost unknown" if step["cost"] == "unknown" else f"{step['cost']:g} {step.get('currency') or ''}".strip()
        sentences.append(f"Step {step['n']} is {step['title']} [{step['id']}], {hours}, {cost}.")
    return " ".join(sentences)


def request_tokens(messages: Sequence[BaseMessage], tools: Sequence[Any]) -> int:
    """Return the tokens of a request: each message's text and tool calls, and the tool schemas."""
    total = 0
    for message in messages:
        total += count_tokens(str(message.content)) + 4
        if isinstance(message, AIMessage) and message.tool_calls:
            total += count_tokens(json.dumps(message.tool_calls))
    if tools:
        total += count_tokens(json.dumps(list(tools)))
    return total


def naive_tokens(
    knowledge: KnowledgeBase, search: TitleSearch, records: dict[str, str], system: str, history: list[str], question: str
) -> tuple[int, int]:
    """Return the prompt tokens of a naive RAG request: full records and index documents."""
    hits = search.search(question, NAIVE_TOP_K)
    full = "\n".join(records[hit.id] for hit in hits)
    short = "\n".join(credential_document(knowledge.credentials[hit.id], knowledge.skills).text for hit in hits)
    base = count_tokens(system) + sum(count_tokens(text) + 4 for text in history) + count_tokens(question) + 12
    return base + count_tokens(full), base + count_tokens(short)


def percentile(values: list[float], share: float) -> float:
    """Return the value below which ``share`` of the sorted values fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed_tools() -> list[float]:
    """Wrap ToolBox.run to record the seconds each tool call takes; return the list it fills."""
    spent: list[float] = []
    original = chat_tools.ToolBox.run

    def run(self: chat_tools.ToolBox, name: str, arguments: dict[str, Any]) -> chat_tools.ToolOutcome:
        started = time.perf_counter()
        try:
            return original(self, name, arguments)
        finally:
            spent.append(time.perf_counter() - started)

    chat_tools.ToolBox.run = run  # type: ignore[method-assign]
    return spent


async def run_conversation(
    service: ChatService, model: ZeroLatencyModel, learner_id: str, goal: str
) -> list[tuple[str, float, int]]:
    """Run the five benchmark turns and return (question, seconds, prompt tokens) for each."""
    conversation_id = service.start_conversation(learner_id)
    questions = [f"I want to become a {goal}", "I can do 8 hours a week", "why step 1?", "something cheaper?",
                 "compare step 1 and step 2"]
    timings = []
    for question in questions:
        before = len(model.request_tokens)
        started = time.perf_counter()
        async for _event in service.stream_turn(conversation_id, learner_id, question):
            pass
        timings.append((question, time.perf_counter() - started, sum(model.request_tokens[before:])))
    return timings


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10)
    parser.add_argument("--knowledge-base", type=Path, default=Settings().knowledge_base_dir)
    args = parser.parse_args()

    knowledge, _reports = load_knowledge_base(args.knowledge_base)
    full_records = {}
    for line in (args.knowledge_base / "credentials.jsonl").read_text(encoding="utf-8").splitlines():
        full_records[json.loads(line)["id"]] = line

    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=Path(data_dir), openai_api_key="unused")
        model = ZeroLatencyModel()
        service = ChatService.create(settings, knowledge, index=None, provider=model)  # type: ignore[arg-type]
        record = LearnerRecord(learner_id="bench", self_reported_skills=[
            SelfReportedSkill(id="s1", name="Python", level=2), SelfReportedSkill(id="s2", name="SQL", level=2)])
        service.records.save(record)
        tool_seconds = timed_tools()

        asyncio.run(run_conversation(service, model, "bench", "data analyst"))  # warm the engine's lookup tables
        del tool_seconds[:]
        model.request_tokens.clear()
        model.engine_answer_tokens.clear()

        turn_seconds: list[float] = []
        turn_tokens: list[int] = []
        naive_full: list[int] = []
        naive_short: list[int] = []
        search = TitleSearch(knowledge)
        system = service.prompts.get("advisor_system").render(learner_name="the learner", today="2026-01-05")
        paths_before = count_paths(service)
        for index in range(args.conversations):
            goal = GOALS[index % len(GOALS)]
            learner_id = f"bench-{index}"
            service.records.save(record.model_copy(update={"learner_id": learner_id}))
            timings = asyncio.run(run_conversation(service, model, learner_id, goal))
            turn_seconds += [seconds for _question, seconds, _tokens in timings]
            turn_tokens += [tokens for _question, _seconds, tokens in timings]

            history: list[str] = []
            for question, _seconds, _tokens in timings:
                full, short = naive_tokens(knowledge, search, full_records, system, history, question)
                naive_full.append(full)
                naive_short.append(short)
                history.append(question)
                history.append("(answer of about 120 tokens) " * 12)
        paths = {path: count - paths_before.get(path, 0) for path, count in count_paths(service).items()}

    tools_total = sum(tool_seconds)
    turns = len(turn_seconds)
    overhead = [seconds * 1000 for seconds in turn_seconds]
    print(f"turns measured: {turns} ({args.conversations} conversations of 5 turns), shipped catalog of "
          f"{len(knowledge.credentials)} credentials")
    print(f"overhead per turn beyond the model: p50 {percentile(overhead, 0.5):.1f} ms, "
          f"p95 {percentile(overhead, 0.95):.1f} ms, max {max(overhead):.1f} ms")
    print(f"  of which engine calls in tools: {1000 * tools_total / turns:.1f} ms per turn on average; "
          f"the rest (prompts, history, verifier, storage): {statistics.mean(overhead) - 1000 * tools_total / turns:.1f} ms")
    ours = statistics.mean(turn_tokens)
    requests = len(model.request_tokens)
    print(f"prompt tokens per turn: {ours:.0f} (mean over {len(turn_tokens)} turns, {requests} model requests); "
          f"turn paths: {paths}")
    if model.engine_answer_tokens:
        print(f"  of which the engine's answer: mean {statistics.mean(model.engine_answer_tokens):.0f} tokens, "
              f"max {max(model.engine_answer_tokens)}")
    print(f"naive RAG top-{NAIVE_TOP_K}, full catalog records: {statistics.mean(naive_full):.0f} tokens; "
          f"ratio {ours / statistics.mean(naive_full):.2f}")
    print(f"naive RAG top-{NAIVE_TOP_K}, index documents: {statistics.mean(naive_short):.0f} tokens; "
          f"ratio {ours / statistics.mean(naive_short):.2f}")
    print("BENCH_JSON " + json.dumps({
        "benchmark": "chat", "turns": turns,
        "overhead_p50_ms": round(percentile(overhead, 0.5), 1), "overhead_p95_ms": round(percentile(overhead, 0.95), 1),
        "prompt_tokens": round(ours), "tokens_over_naive_full": round(ours / statistics.mean(naive_full), 2),
        "tokens_over_naive_index_docs": round(ours / statistics.mean(naive_short), 2),
        "model_requests": requests, "turn_paths": paths,
        "engine_answer_tokens_mean": round(statistics.mean(model.engine_answer_tokens or [0])),
    }))


def count_paths(service: ChatService) -> dict[str, int]:
    """Return how many stored exchanges took each turn path."""
    from sqlalchemy import text

    with service.conversations.engine.connect() as connection:
        rows = connection.execute(text("SELECT turn_path, COUNT(*) FROM exchanges GROUP BY turn_path")).fetchall()
    return {str(path): count for path, count in rows}


if __name__ == "__main__":
    main()
