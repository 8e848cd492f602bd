"""Errors the project raises on purpose.

    AdvisorError
    ├── InvalidInputError      bad user input: a record, a goal, a file, an option
    ├── NotFoundError          an id that names nothing: a credential, skill, occupation, learner
    ├── ConfigurationError     settings that cannot work together
    ├── IndexMismatchError     a Chroma collection built by another embedding model
    ├── PromptError            a prompt file that cannot be loaded, or rendered with the given variables
    └── LLMCallError           a chat model call that ended in a fault (timeout, rate limit, ...)

Every error carries the offending value and says what to do next. The API layer turns them
into HTTP responses; nothing below it knows about HTTP.
"""

from __future__ import annotations


class AdvisorError(Exception):
    """Base of every error the project raises on purpose."""

    def __init__(self, message: str, *, value: object = None, hint: str | None = None) -> None:
        self.message = message
        self.value = value
        self.hint = hint
        super().__init__(f"{message} {hint}" if hint else message)


class InvalidInputError(AdvisorError):
    """Input that cannot be used as given."""


class NotFoundError(AdvisorError):
    """An id that names nothing known."""


class ConfigurationError(AdvisorError):
    """Settings that cannot work, alone or together."""


class IndexMismatchError(AdvisorError):
    """A collection whose vectors come from another embedding model than the configured one."""


class PromptError(AdvisorError):
    """A prompt file that is invalid, or variables that do not match the ones it declares."""


class LLMCallError(AdvisorError):
    """A chat model call that failed; ``value`` is the typed fault it ended in."""
