"""Faults a chat model call can end in, and the retry policy that decides which to try again.

The ``openai`` client (3.x, ``_base_client.py``) retries 408, 409, 429 and 5xx responses and
timeouts by itself, twice by default. It honours ``retry-after-ms`` and ``retry-after`` up to
two minutes, but it does not read the response body, so it also retries a 429 whose error code
is ``insufficient_quota``, which no wait can fix. The provider therefore builds its client with
``max_retries=0`` and this module owns the whole policy: which fault is retried, how long to
wait, and the bound on the total wait.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import openai
from pydantic import BaseModel, Field

from advisor.chat.events import Incident

logger = logging.getLogger(__name__)


class FaultKind(StrEnum):
    """Why a chat model call produced no usable answer."""

    TIMEOUT = "timeout"
    STREAM_STALLED = "stream_stalled"
    RATE_LIMITED = "rate_limited"
    QUOTA_EXHAUSTED = "quota_exhausted"
    SERVER_ERROR = "server_error"
    CONNECTION_ERROR = "connection_error"
    REQUEST_REJECTED = "request_rejected"
    INVALID_RESPONSE = "invalid_response"
    MALFORMED_TOOL_CALL = "malformed_tool_call"
    CONTENT_FILTERED = "content_filtered"
    EMPTY_ANSWER = "empty_answer"


RETRYABLE_KINDS = frozenset(
    {FaultKind.RATE_LIMITED, FaultKind.SERVER_ERROR, FaultKind.CONNECTION_ERROR}
)

QUOTA_ERROR_CODE = "insufficient_quota"


class Fault(BaseModel):
    """The typed outcome of a failed call, which the caller turns into a fallback answer."""

    kind: FaultKind
    message: str
    status: int | None = Field(default=None, description="HTTP status, when a response came.")
    retry_after: float | None = Field(default=None, description="Seconds the server asked to wait.")
    attempts: int = 1
    detail: dict[str, Any] = Field(default_factory=dict)

    @property
    def retryable(self) -> bool:
        """Whether trying the same request again can succeed."""
        return self.kind in RETRYABLE_KINDS

    def incident(self) -> Incident:
        """Return the incident to store with the exchange record."""
        detail = {"status": self.status, "attempts": self.attempts, **self.detail}
        if self.retry_after is not None:
            detail["retry_after"] = self.retry_after
        return Incident(kind=f"llm_{self.kind.value}", message=self.message, detail=detail)


def parse_retry_after(headers: Mapping[str, str] | None, now: float | None = None) -> float | None:
    """Return the wait in seconds that ``retry-after-ms`` or ``retry-after`` asks for, if any.

    ``retry-after`` may be a number of seconds or an HTTP date. An unreadable or negative
    value counts as absent.
    """
    if not headers:
        return None

    milliseconds = headers.get("retry-after-ms")
    if milliseconds is not None:
        try:
            return max(float(milliseconds) / 1000.0, 0.0)
        except ValueError:
            pass

    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = seconds_until_http_date(value, now)
    if seconds is None or seconds < 0 or seconds != seconds:
        return None
    return seconds


def seconds_until_http_date(value: str, now: float | None) -> float | None:
    """Return the seconds from ``now`` until an HTTP date, or None when it is no date."""
    try:
        parsed = email.utils.parsedate_tz(value)
    except (TypeError, ValueError):
        return None
    if parsed is None:
        return None
    return email.utils.mktime_tz(parsed) - (time.time() if now is None else now)


def error_code(error: openai.APIError) -> str | None:
    """Return the error code of an API error from its body, such as ``insufficient_quota``."""
    if error.code:
        return str(error.code)

    body = error.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            code = inner.get("code") or inner.get("type")
            return str(code) if code else None
    return None


def classify_error(error: BaseException) -> Fault:
    """Turn an exception raised by the OpenAI client or LangChain into a fault.

    Exceptions that name no API fault are re-raised, since they are bugs to fix.
    """
    if isinstance(error, openai.APITimeoutError):
        return Fault(kind=FaultKind.TIMEOUT, message="The chat model request timed out.")

    if isinstance(error, openai.APIConnectionError):
        return Fault(
            kind=FaultKind.CONNECTION_ERROR,
            message=f"Could not connect to the chat model server: {error}.",
        )

    if isinstance(error, openai.APIStatusError):
        return classify_status_error(error)

    if isinstance(error, openai.APIResponseValidationError):
        return Fault(kind=FaultKind.INVALID_RESPONSE, message=f"Invalid model response: {error}.")

    if isinstance(error, openai.APIError):
        return Fault(
            kind=FaultKind.SERVER_ERROR,
            message=f"The chat model server reported an error: {error.message}.",
            detail={"code": error_code(error)},
        )

    raise error


def classify_status_error(error: openai.APIStatusError) -> Fault:
    """Turn an HTTP error response into a fault."""
    status = error.status_code
    code = error_code(error)
    detail = {"code": code} if code else {}

    if status == 429 and code == QUOTA_ERROR_CODE:
        return Fault(
            kind=FaultKind.QUOTA_EXHAUSTED,
            message="The chat model account has exhausted its quota.",
            status=status,
            detail=detail,
        )

    if status == 429:
        return Fault(
            kind=FaultKind.RATE_LIMITED,
            message="The chat model server is rate limiting requests.",
            status=status,
            retry_after=parse_retry_after(error.response.headers),
            detail=detail,
        )

    if status >= 500:
        return Fault(
            kind=FaultKind.SERVER_ERROR,
            message=f"The chat model server failed with HTTP {status}.",
            status=status,
            retry_after=parse_retry_after(error.response.headers),
            detail=detail,
        )

    return Fault(
        kind=FaultKind.REQUEST_REJECTED,
        message=f"The chat model server rejected the request with HTTP {status}: {error.message}.",
        status=status,
        detail=detail,
    )


@dataclass(frozen=True)
class RetryPolicy:
    """Retry rules of chat model calls: retried faults, the wait before each retry, the total bound.

    A ``Retry-After`` that does not fit in what is left of ``max_total_wait`` ends the call at
    once, since retrying sooner than the server asked only earns another 429. Without that
    header the wait grows exponentially from ``base_delay``, with up to 25 % random jitter
    taken off, and is cut to what is left of the bound.
    """

    max_attempts: int = 3
    max_total_wait: float = 20.0
    base_delay: float = 0.5
    max_delay: float = 8.0
    jitter: Callable[[], float] = random.random

    def delay_before_retry(self, fault: Fault, attempt: int, waited: float) -> float | None:
        """Return the seconds to wait before attempt ``attempt + 1``, or None to stop."""
        if not fault.retryable or attempt >= self.max_attempts:
            return None

        remaining = self.max_total_wait - waited
        if fault.retry_after is not None:
            return fault.retry_after if fault.retry_after <= remaining else None

        backoff = min(self.base_delay * 2 ** (attempt - 1), self.max_delay)
        backoff *= 1.0 - 0.25 * self.jitter()
        if remaining <= 0:
            return None
        return min(backoff, remaining)
