"""Prometheus metrics of one app: requests, latencies, chat tokens, answer sources and verifier outcomes.

Each app gets its own registry, so several apps in one process (as in tests) never clash.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

from advisor.chat.events import FinalEvent

VERIFIER_FAILURES = {"verifier_failed", "grounded_answer_unverified"}
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    """The counters and histograms the app updates, in one registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "advisor_http_requests",
            "HTTP requests by method, route template and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "advisor_http_request_duration_seconds",
            "Time from request start to the last byte of the response, by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.tokens = Counter(
            "advisor_chat_tokens",
            "Chat model tokens by direction (input or output).",
            ["direction"],
            registry=self.registry,
        )
        self.answers = Counter(
            "advisor_chat_answers",
            "Chat answers by source (llm or fallback) and whether the turn was interrupted.",
            ["source", "interrupted"],
            registry=self.registry,
        )
        self.verifier = Counter(
            "advisor_verifier_outcomes",
            "Answer verifier outcomes: passed, repaired, failed or skipped.",
            ["outcome"],
            registry=self.registry,
        )

    def observe_final(self, final: FinalEvent) -> None:
        """Count the tokens, source and verifier outcome of one finished turn."""
        self.tokens.labels("input").inc(final.usage.input_tokens)
        self.tokens.labels("output").inc(final.usage.output_tokens)
        self.answers.labels(final.source, str(final.interrupted).lower()).inc()
        self.verifier.labels(verifier_outcome(final)).inc()


def verifier_outcome(final: FinalEvent) -> str:
    """Return the verifier outcome of a turn: passed, or failed when an incident records a failed check.

    NOTE: the final event does not carry the outcome itself, so an answer the model repaired
    counts as passed; a ``verifier_outcome`` field on the event, once it exists, is used instead.
    """
    outcome = getattr(final, "verifier_outcome", None)
    if outcome:
        return str(outcome)
    if any(incident.kind in VERIFIER_FAILURES for incident in final.incidents):
        return "failed"
    return "passed"
