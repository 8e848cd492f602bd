"""Cleaning rules for the scraped catalogs, one small named function per rule.

Each rule is documented in knowledge_base/SOURCES.md and has its own test. The rules never
invent facts: they repair scrape artefacts (run-together words, stray whitespace, number
formatting) or turn a stated range into one number by a stated assumption.
"""

from __future__ import annotations

import ast
import logging
import re
import unicodedata

logger = logging.getLogger(__name__)

# Coursera states durations assuming about this many study hours a week.
HOURS_PER_WEEK = 10.0
WEEKS_PER_MONTH = 52.0 / 12.0

NO_PREREQUISITE_TEXTS = {
    "none",
    "none enforced",
    "ninguno",
    "ninguna",
    "aucun",
    "aucune",
    "nessuno",
    "n/a",
    "no",
    "no prerequisites",
    "there are no prerequisites for this course",
    "no prior knowledge required",
}

# Small words that stay lower case when a title is completed from its URL slug.
TITLE_SMALL_WORDS = {
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to",
    "with", "de", "del", "la", "las", "los", "el", "en", "y", "para", "con", "e", "et", "du",
}

DURATION_RANGE = re.compile(
    r"^\s*(?P<low>\d+(?:\.\d+)?)\s*-\s*(?P<high>\d+(?:\.\d+)?)\s*(?P<unit>hours?|weeks?|months?)\s*$",
    re.IGNORECASE,
)
DURATION_UPPER_BOUND = re.compile(
    r"^\s*less than\s*(?P<high>\d+(?:\.\d+)?)\s*(?P<unit>hours?|weeks?|months?)\s*$", re.IGNORECASE
)
DURATION_SINGLE = re.compile(
    r"^\s*(?:about\s*)?(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>hours?|weeks?|months?)\s*$", re.IGNORECASE
)
COUNT = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<suffix>[kKmM]?)$")
COUNT_SUFFIXES = {"": 1, "k": 1_000, "m": 1_000_000}
HOURS_PER_UNIT = {"hour": 1.0, "week": HOURS_PER_WEEK, "month": HOURS_PER_WEEK * WEEKS_PER_MONTH}

MISSING_SPACE_AFTER_PUNCTUATION = re.compile(r"([:,&;])(?=[A-Za-zÀ-ÿ])")
MISSING_SPACE_AFTER_DASH = re.compile(r"(?<=\s)([–—])(?=\w)")
TOKEN = re.compile(r"[A-Za-z0-9À-ÿ]+")
# A connecting word glued to a capitalised word, such as 'ofLife' or 'yUltima'.
SMALL_WORD_PREFIX = re.compile(r"\b(of|and|to|in|for|with|on|the|de|la|y|con|para)([A-Z][a-zà-ÿ])")
PARENTHETICAL = re.compile(r"\s*\(([^()]*)\)\s*")
PROGRAM_PREFIX = re.compile(
    r"(Professional\s*Certificate|MicroMasters®?\s*Program|MicroBachelors®?\s*Program|XSeries|"
    r"Master'?s?\s*Degree|Bachelor'?s?\s*Degree)\s*in\s*(?=\S)",
)


def collapse_whitespace(text: str | None) -> str:
    """Strip a string and collapse every run of whitespace (tabs, no-break spaces) to one space."""
    if text is None:
        return ""
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def none_if_blank(text: str | None) -> str | None:
    """Return the collapsed text, or None when nothing is left."""
    cleaned = collapse_whitespace(text)
    return cleaned or None


def parse_count(text: str | None) -> int | None:
    """Parse a count such as '6,706', '39.2k' or '1.1M'; blank gives None."""
    cleaned = collapse_whitespace(text).replace(",", "").replace("\u202f", "")
    if not cleaned:
        return None

    match = COUNT.match(cleaned)
    if match is None:
        raise ValueError(f"not a count: {text!r}")
    multiplier = COUNT_SUFFIXES[match["suffix"].lower()]
    return round(float(match["number"]) * multiplier)


def parse_rating(text: str | None) -> float | None:
    """Parse a rating such as '4.7'; blank gives None."""
    cleaned = collapse_whitespace(text)
    return float(cleaned) if cleaned else None


def parse_python_list(text: str | None) -> list[str]:
    """Parse a Python list literal such as "['SQL', 'R']" safely; blank gives an empty list."""
    cleaned = (text or "").strip()
    if not cleaned:
        return []
    value = ast.literal_eval(cleaned)
    if not isinstance(value, list | tuple):
        raise ValueError(f"not a list literal: {shorten_for_error(text)}")
    return [str(item) for item in value]


def split_comma_list(text: str | None) -> list[str]:
    """Split a comma-separated list, dropping blanks."""
    return [item for item in (collapse_whitespace(part) for part in (text or "").split(",")) if item]


def unique_in_order(items: list[str]) -> list[str]:
    """Drop repeated items, comparing case-insensitively and keeping the first spelling."""
    seen: set[str] = set()
    kept: list[str] = []
    for item in items:
        key = item.casefold()
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def strip_trailing_period(text: str) -> str:
    """Drop a trailing full stop from a skill string such as 'Allergy/asthma.'."""
    return text[:-1].rstrip() if text.endswith(".") and not text.endswith("..") else text


def is_learning_outcome(text: str, max_words: int = 8) -> bool:
    """Tell a sentence-long learning outcome from a skill name by its word count."""
    return len(text.split()) > max_words


def duration_to_hours(text: str | None) -> float | None:
    """Turn a stated duration into hours: a range gives its midpoint, 'Less Than N' gives N.

    Weeks and months count ``HOURS_PER_WEEK`` hours a week. Unknown formats give None.
    """
    cleaned = collapse_whitespace(text)
    if not cleaned:
        return None

    ranged = DURATION_RANGE.match(cleaned)
    if ranged:
        midpoint = (float(ranged["low"]) + float(ranged["high"])) / 2
        return round(midpoint * unit_hours(ranged["unit"]), 1)

    bounded = DURATION_UPPER_BOUND.match(cleaned)
    if bounded:
        return round(float(bounded["high"]) * unit_hours(bounded["unit"]), 1)

    single = DURATION_SINGLE.match(cleaned)
    if single:
        return round(float(single["value"]) * unit_hours(single["unit"]), 1)

    logger.debug("duration %r has no known format", text)
    return None


def unit_hours(unit: str) -> float:
    """Return the hours in one hour, week or month of study."""
    return HOURS_PER_UNIT[unit.lower().rstrip("s")]


def is_no_prerequisite(text: str | None) -> bool:
    """Tell whether a prerequisites text states that there are none ('None.', 'Ninguno', blank)."""
    cleaned = collapse_whitespace(text).casefold().rstrip(".! ")
    return not cleaned or cleaned in NO_PREREQUISITE_TEXTS


def slug_words(url_or_slug: str) -> list[str]:
    """Return the words of the last path segment of a URL, split at hyphens."""
    segment = url_or_slug.rstrip("/").rsplit("/", 1)[-1]
    return [word for word in segment.lower().split("-") if word]


def split_run_together_words(title: str, slug: str) -> str:
    """Insert the spaces a scrape lost, where the URL slug shows the words apart.

    'Introduction toComputer Science' becomes 'Introduction to Computer Science' because the
    slug contains 'to-computer'. 'JavaScript' stays because the slug contains 'javascript'. A
    word is split only into words that follow each other in the slug.
    """
    text = MISSING_SPACE_AFTER_PUNCTUATION.sub(r"\1 ", collapse_whitespace(title))
    text = MISSING_SPACE_AFTER_DASH.sub(r"\1 ", text)
    words = slug_words(slug)
    known = set(words)
    pairs = set(zip(words, words[1:]))

    def repair(match: re.Match[str]) -> str:
        token = match.group(0)
        if ascii_word(token) in known:
            return token
        parts = segment_token(token, known, pairs)
        return " ".join(parts) if parts else token

    return SMALL_WORD_PREFIX.sub(r"\1 \2", TOKEN.sub(repair, text))


def segment_token(token: str, known: set[str], pairs: set[tuple[str, str]]) -> list[str] | None:
    """Split a token into two or more slug words that follow each other, or return None."""
    for cut in range(1, len(token)):
        head, tail = token[:cut], token[cut:]
        head_word, tail_word = ascii_word(head), ascii_word(tail)
        if head_word not in known:
            continue
        if tail_word in known and (head_word, tail_word) in pairs:
            return [head, tail]
        rest = segment_token(tail, known, pairs)
        if rest and (head_word, ascii_word(rest[0])) in pairs:
            return [head, *rest]
    return None


def ascii_word(word: str) -> str:
    """Lower-case a word and reduce it to the letters and digits a URL slug would keep."""
    folded = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", folded)


def is_truncated_title(title: str) -> bool:
    """Tell whether a scraped title was cut off with an ellipsis."""
    return title.rstrip().endswith(("…", "..."))


def complete_title_from_slug(title: str, slug: str) -> str:
    """Complete a title cut off with an ellipsis using the remaining words of its URL slug.

    The words of the title before the cut are found in the slug; the slug words after them
    are appended, capitalised except for small words. The title stays as it is when the
    slug does not contain the title's words.
    """
    stem = title.rstrip().rstrip("…").rstrip(".").rstrip()
    title_words = [ascii_word(word) for word in re.split(r"[\s\-–/]+", stem)]
    title_words = [word for word in title_words if word]
    words = slug_words(slug)
    if len(title_words) < 2:
        return title

    # The last title word may itself be cut off, so match it as a prefix.
    complete, partial = title_words[:-1], title_words[-1]
    for start in range(len(words) - len(complete)):
        if words[start : start + len(complete)] != complete:
            continue
        following = start + len(complete)
        if following < len(words) and words[following].startswith(partial):
            rest = words[following:]
            head = stem[: len(stem) - len(re.split(r"[\s\-–/]+", stem)[-1])].rstrip()
            tail = " ".join(capitalise_title_word(word) for word in rest)
            return f"{head} {tail}".strip()
    return title


def capitalise_title_word(word: str) -> str:
    """Capitalise a title word unless it is a small word."""
    return word if word in TITLE_SMALL_WORDS else word[:1].upper() + word[1:]


def split_program_names(text: str | None) -> list[tuple[str, str]]:
    """Split edX's concatenated program text into (program type, program name) pairs.

    'Professional CertificateinData ScienceXSeries inAstrophysics' gives
    [('Professional Certificate', 'Data Science'), ('XSeries', 'Astrophysics')].
    """
    cleaned = collapse_whitespace(text)
    matches = list(PROGRAM_PREFIX.finditer(cleaned))
    programs: list[tuple[str, str]] = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(cleaned)
        name = collapse_whitespace(cleaned[match.end() : end]).rstrip(".").strip()
        if name:
            programs.append((normalise_program_type(match.group(1)), name))
    return programs


def normalise_program_type(text: str) -> str:
    """Return a program type with its words spaced and the ® mark removed."""
    spaced = re.sub(r"(?<=[a-z])(?=Program)", " ", text.replace("®", ""))
    return collapse_whitespace(spaced)


def normalise_skill_text(text: str) -> str:
    """Reduce a skill string to the form used to match labels: case, punctuation, spacing.

    Parenthetical qualifiers are removed ('React (Web Framework)' gives 'react'), '&' reads
    'and', and the characters that name technologies ('+', '#', '.') are kept.
    """
    without_brackets = PARENTHETICAL.sub(" ", text)
    folded = unicodedata.normalize("NFKC", without_brackets).casefold().replace("&", " and ")
    kept = re.sub(r"[^\w+#.\s]", " ", folded)
    kept = re.sub(r"\.(?!\w)", " ", kept)
    return collapse_whitespace(kept)


def parenthetical_parts(text: str) -> list[str]:
    """Return the parenthetical qualifiers of a skill string, such as 'AI' in 'Artificial Intelligence (AI)'."""
    return [collapse_whitespace(part) for part in re.findall(r"\(([^()]*)\)", text) if part.strip()]


def slugify(text: str) -> str:
    """Make a lower-case ASCII slug of letters, digits and hyphens, keeping '+' and '#' as words."""
    spelled = text.replace("+", " plus ").replace("#", " sharp ")
    folded = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def shorten_for_error(text: str | None, limit: int = 80) -> str:
    """Return a value cut short for an error message."""
    value = repr(text)
    return value if len(value) <= limit else value[: limit - 1] + "…"
