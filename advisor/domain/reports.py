"""Import reports: what an importer accepted and every record it rejected, and why."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field, ValidationError

T = TypeVar("T")


class Rejection(BaseModel):
    """One rejected record: where it was, which field was wrong, and why."""

    file: str
    position: str = Field(description="Line number such as 'line 12' or a JSON path.")
    field: str | None = None
    value: str | None = Field(default=None, description="Offending value, shortened for display.")
    reason: str

    def __str__(self) -> str:
        where = f"{self.file} {self.position}"
        what = f" field {self.field!r}" if self.field else ""
        value = f" value {self.value!r}" if self.value is not None else ""
        return f"{where}:{what}{value}: {self.reason}"


class ImportReport(BaseModel):
    """Counts of an import and the list of rejected records."""

    source: str
    accepted: int = 0
    rejected: list[Rejection] = Field(default_factory=list)
    warnings: list[Rejection] = Field(default_factory=list)

    def reject(
        self,
        position: str,
        reason: str,
        field: str | None = None,
        value: object = None,
        file: str | None = None,
    ) -> None:
        """Record one rejected record."""
        shown = None if value is None else shorten(repr(value) if not isinstance(value, str) else value)
        self.rejected.append(
            Rejection(file=file or self.source, position=position, field=field, value=shown, reason=reason)
        )

    def reject_invalid(
        self,
        position: str,
        error: ValidationError,
        reason: str | None = None,
        file: str | None = None,
    ) -> None:
        """Record a record that failed model validation, naming its first invalid field."""
        problem = error.errors()[0]
        location = ".".join(str(part) for part in problem["loc"])
        message = f"{reason}: {problem['msg']}" if reason else problem["msg"]
        value = problem.get("input") if location else None
        self.reject(position, message, field=location or None, value=value, file=file)

    def warn(self, position: str, reason: str, field: str | None = None, value: object = None) -> None:
        """Record a problem that did not cost the record its place."""
        shown = None if value is None else shorten(str(value))
        self.warnings.append(
            Rejection(file=self.source, position=position, field=field, value=shown, reason=reason)
        )


class ImportResult(BaseModel, Generic[T]):
    """The good records of an import together with its report."""

    items: list[T] = Field(default_factory=list)
    report: ImportReport


def shorten(text: str, limit: int = 120) -> str:
    """Return text cut to ``limit`` characters with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
