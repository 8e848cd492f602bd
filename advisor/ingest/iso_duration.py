"""ISO 8601 durations (``P4W``, ``PT40H``, ``P1Y2M10DT2H30M``) as used by CTDL duration profiles."""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER = r"(\d+(?:[.,]\d+)?)"
DURATION = re.compile(
    rf"^P(?!$)(?:{NUMBER}Y)?(?:{NUMBER}M)?(?:{NUMBER}W)?(?:{NUMBER}D)?"
    rf"(?:T(?=\d)(?:{NUMBER}H)?(?:{NUMBER}M)?(?:{NUMBER}S)?)?$"
)

DAYS_PER_WEEK = 7.0
WEEKS_PER_YEAR = 52.0
WEEKS_PER_MONTH = WEEKS_PER_YEAR / 12.0


@dataclass(frozen=True)
class IsoDuration:
    """The parts of an ISO 8601 duration. Calendar parts and clock parts are kept apart."""

    years: float = 0.0
    months: float = 0.0
    weeks: float = 0.0
    days: float = 0.0
    hours: float = 0.0
    minutes: float = 0.0
    seconds: float = 0.0

    @property
    def is_clock_time(self) -> bool:
        """Whether only hours, minutes and seconds are given, as for a stated effort."""
        return not (self.years or self.months or self.weeks or self.days)

    def clock_hours(self) -> float:
        """Return the hours, minutes and seconds as hours."""
        return self.hours + self.minutes / 60.0 + self.seconds / 3600.0

    def calendar_weeks(self) -> float:
        """Return the years, months, weeks and days as weeks (a month is 52/12 weeks)."""
        return (
            self.years * WEEKS_PER_YEAR
            + self.months * WEEKS_PER_MONTH
            + self.weeks
            + self.days / DAYS_PER_WEEK
        )


def parse_iso_duration(text: str) -> IsoDuration:
    """Parse an ISO 8601 duration; raise ``ValueError`` for anything else."""
    match = DURATION.match(text.strip().upper()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{text!r} is not an ISO 8601 duration such as P4W or PT40H")

    years, months, weeks, days, hours, minutes, seconds = (
        float(part.replace(",", ".")) if part else 0.0 for part in match.groups()
    )
    return IsoDuration(years, months, weeks, days, hours, minutes, seconds)
