"""Answer verifier: checks a drafted answer against the catalog and this turn's tool results.

It finds the credentials an answer names, by id (cited in square brackets or bare) and by
title, and reports:

- an id that names nothing, or a credential-like title that matches no catalog title;
- a catalog credential that this turn's tool results did not return;
- an hours or cost figure, in the same sentence as a credential, that differs from the catalog;
- an id or title of another learner's record item.

Titles are compared as sequences of lower-cased word tokens, so case and punctuation do not
matter. To keep ordinary phrases from matching, a title is only looked for when it has at
least two words, not all of them common words, and it is not also the label of a skill or
the title of an occupation ("Data Analysis" the skill is no mention of a course of that name).

NOTE: a distinctive title written in ordinary prose ("good data analysis fundamentals") still
counts as a mention of that credential.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from rapidfuzz import fuzz, process

from advisor.domain import Credential, KnowledgeBase

logger = logging.getLogger(__name__)

WORD = re.compile(r"\w+")
BRACKETED = re.compile(r"\[([^\[\]\n]{1,200})\]")
BARE_ID = re.compile(r"(?<![\w\[])[A-Za-z0-9][\w:./-]*[\w](?![\w\]])")
SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?](?!\d)|\n|$)")
ID_SHAPE = re.compile(r"[0-9:_/.-]")
ID_PREFIX = re.compile(r"^([A-Za-z][A-Za-z0-9]*[:/_-])")

HOURS = re.compile(
    r"(?:(?P<low>\d+(?:\.\d+)?)\s*(?:-|–|to)\s*)?(?P<value>\d+(?:\.\d+)?)\s*-?\s*(?:hours?|hrs?|h)\b"
    r"(?P<pace>\s*(?:per|a|/|each|every)\s*(?:week|day|month)|\s*weekly|\s*daily)?",
    re.IGNORECASE,
)
SYMBOL_COST = re.compile(r"(?P<symbol>[$€£])\s?(?P<value>\d[\d,]*(?:\.\d+)?)")
CODE_COST = re.compile(
    r"(?P<value>\d[\d,]*(?:\.\d+)?)\s?(?P<code>USD|EUR|GBP|CAD|AUD|dollars?|euros?|pounds?)\b",
    re.IGNORECASE,
)
FREE_COST = re.compile(r"\((?:free|no cost)\)|\b(?:is|are|it's|costs?)\s+(?:free|nothing)\b", re.IGNORECASE)
CURRENCY_OF = {
    "$": "USD", "€": "EUR", "£": "GBP", "usd": "USD", "eur": "EUR", "gbp": "GBP", "cad": "CAD",
    "aud": "AUD", "dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR",
    "pound": "GBP", "pounds": "GBP",
}

CREDENTIAL_NOUNS = (
    "Certificate|Certification|Course|Badge|Microcredential|Micro-credential|Bootcamp|Diploma|"
    "Degree|Program|Programme|Specialization|Specialisation|Nanodegree|Module|Credential"
)
CREDENTIAL_PHRASE = re.compile(
    r"(?:(?<=\s)|(?<=^)|(?<=[\"'“(*]))"
    r"((?:[A-Z0-9][\w+#.&'-]*\s+(?:(?:of|for|and|in|to|with|the|&)\s+)?){2,8}"
    rf"(?:{CREDENTIAL_NOUNS}))\b"
)
PHRASE_OPENERS = {"the", "a", "an", "this", "that", "these", "your", "each", "every", "our", "my"}
FUZZY_TITLE_SCORE = 90

HOURS_TOLERANCE = 0.5
COST_TOLERANCE = 0.5

# Words too common to make a title distinctive on their own.
COMMON_WORDS = frozenset(
    """a an and the of for to in on with by from at as or your you our my is are be how what why
    introduction intro basics basic fundamentals foundations foundation essentials overview
    course courses program programme certificate certification badge module part level
    beginner beginners intermediate advanced skills skill learning learn data work working
    professional practice practical applied general new i ii iii 1 2 3 101""".split()
)


class ProblemKind(StrEnum):
    """Kind of a problem the verifier found."""

    UNKNOWN_CREDENTIAL = "unknown_credential"
    UNKNOWN_ID = "unknown_id"
    CREDENTIAL_NOT_FROM_TOOLS = "credential_not_from_tools"
    WRONG_HOURS = "wrong_hours"
    WRONG_COST = "wrong_cost"
    OTHER_LEARNER_ITEM = "other_learner_item"


class Problem(BaseModel):
    """One problem in an answer: its kind, the offending text and what the catalog says."""

    kind: ProblemKind
    value: str
    message: str
    credential_id: str | None = None

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class RecordItemRef:
    """A record item of some learner, for telling the caller's items from other learners'."""

    learner_id: str
    item_id: str
    title: str


@dataclass(frozen=True)
class Mention:
    """A place in the answer that names a credential."""

    credential_ids: frozenset[str]
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Figure:
    """An hours or cost figure stated in the answer."""

    kind: str
    value: float
    low: float | None
    currency: str | None
    start: int
    end: int
    text: str


def normalize_words(text: str) -> tuple[str, ...]:
    """Return the lower-cased word tokens of ``text``, accents removed."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in folded if not unicodedata.combining(char))
    return tuple(WORD.findall(plain))


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """Return each word token of ``text`` normalised, with its span in the original text."""
    spans = []
    for match in WORD.finditer(text):
        words = normalize_words(match.group())
        if words:
            spans.append((words[0], match.start(), match.end()))
    return spans


def looks_like_id(token: str) -> bool:
    """Return whether a token has the shape of an id: a digit or a separator inside."""
    return bool(ID_SHAPE.search(token))


class TitleIndex:
    """Distinctive titles, looked up by their first word, matched on word tokens."""

    def __init__(self, titles: Iterable[tuple[str, str]], excluded: set[tuple[str, ...]]) -> None:
        self.by_first_word: dict[str, dict[tuple[str, ...], set[str]]] = {}
        self.normalized_titles: dict[str, set[str]] = {}
        for owner_id, title in titles:
            words = normalize_words(title)
            if not is_distinctive(words) or words in excluded:
                continue
            self.by_first_word.setdefault(words[0], {}).setdefault(words, set()).add(owner_id)
            self.normalized_titles.setdefault(" ".join(words), set()).add(owner_id)

    def find(self, text: str) -> list[Mention]:
        """Return the longest title matches in ``text``, left to right, not overlapping."""
        spans = word_spans(text)
        mentions = []
        position = 0
        while position < len(spans):
            best: tuple[tuple[str, ...], set[str]] | None = None
            for words, owners in self.by_first_word.get(spans[position][0], {}).items():
                candidate = tuple(span[0] for span in spans[position : position + len(words)])
                if candidate == words and (best is None or len(words) > len(best[0])):
                    best = (words, owners)
            if best is None:
                position += 1
                continue

            last = spans[position + len(best[0]) - 1]
            start = spans[position][1]
            mentions.append(Mention(frozenset(best[1]), start, last[2], text[start : last[2]]))
            position += len(best[0])
        return mentions


class PhraseIndex:
    """Word sequences, looked up by their first word, for finding labels in free text."""

    def __init__(self, phrases: Iterable[tuple[str, ...]]) -> None:
        self.by_first_word: dict[str, set[tuple[str, ...]]] = {}
        for words in phrases:
            self.by_first_word.setdefault(words[0], set()).add(words)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Return the character spans of the longest phrase starting at each word, overlaps included."""
        words = word_spans(text)
        found = []
        for position, (word, start, _end) in enumerate(words):
            longest = 0
            for phrase in self.by_first_word.get(word, ()):
                candidate = tuple(item[0] for item in words[position : position + len(phrase)])
                if candidate == phrase:
                    longest = max(longest, len(phrase))
            if longest:
                found.append((start, words[position + longest - 1][2]))
        return found


def inside_longer(mention: Mention, spans: list[tuple[int, int]]) -> bool:
    """Return whether a mention lies inside a longer span."""
    return any(
        start <= mention.start and mention.end <= end and end - start > mention.end - mention.start
        for start, end in spans
    )


def is_distinctive(words: tuple[str, ...]) -> bool:
    """Return whether a title is specific enough to be looked for in free text."""
    return len(words) >= 2 and any(word not in COMMON_WORDS for word in words)


class AnswerVerifier:
    """Verifies answers against one knowledge base; build it once and reuse it."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.knowledge = knowledge
        self.credentials = knowledge.credentials
        self.other_ids = set(knowledge.skills) | set(knowledge.occupations)

        labels = {normalize_words(label) for skill in knowledge.skills.values() for label in skill.all_labels()}
        labels |= {normalize_words(occupation.title) for occupation in knowledge.occupations.values()}
        self.label_words = labels
        self.titles = TitleIndex(((item.id, item.title) for item in self.credentials.values()), labels)
        self.labels = PhraseIndex(words for words in labels if len(words) >= 2)
        self.id_prefixes = credential_id_prefixes(self.credentials)

    def verify(
        self,
        answer: str,
        *,
        credential_ids: Collection[str],
        record_item_ids: Collection[str],
        learner_id: str,
        record_items: Iterable[RecordItemRef] = (),
    ) -> list[Problem]:
        """Return every problem found in ``answer``; an empty list means it passed.

        ``credential_ids`` and ``record_item_ids`` are what this turn's tool results returned;
        ``record_items`` may list items of any learner, and those of ``learner_id`` are ignored.
        """
        others = [item for item in record_items if item.learner_id != learner_id]
        own_ids = {item.item_id for item in record_items if item.learner_id == learner_id} | set(record_item_ids)
        other_by_id = {item.item_id: item for item in others if item.item_id not in own_ids}

        problems: list[Problem] = []
        id_mentions = self.check_ids(answer, set(credential_ids), own_ids, other_by_id, problems)
        # A title inside a longer skill or occupation label ("Big Data" in "analyse big data") names the skill.
        label_spans = self.labels.spans(answer)
        title_mentions = [mention for mention in self.titles.find(answer) if not inside_longer(mention, label_spans)]
        for mention in title_mentions:
            self.check_title_source(mention, set(credential_ids), problems)

        own_titles = [item.title for item in record_items if item.learner_id == learner_id]
        self.check_unknown_titles(answer, id_mentions + title_mentions, own_titles, problems)
        self.check_other_learner_titles(answer, others, own_ids, problems)
        self.check_figures(answer, id_mentions + title_mentions, set(credential_ids), problems)

        if problems:
            logger.debug("Verifier found %d problems: %s", len(problems), [problem.kind.value for problem in problems])
        return dedupe(problems)

    def check_ids(
        self,
        answer: str,
        allowed: set[str],
        own_ids: set[str],
        other_by_id: dict[str, RecordItemRef],
        problems: list[Problem],
    ) -> list[Mention]:
        """Check every id the answer cites or names; return the mentions of catalog credentials."""
        mentions = []
        for token, start, end in find_id_tokens(answer):
            if token in self.credentials:
                mentions.append(Mention(frozenset({token}), start, end, token))
                if token not in allowed:
                    problems.append(not_from_tools(self.credentials[token], token))
            elif token in other_by_id:
                problems.append(
                    Problem(
                        kind=ProblemKind.OTHER_LEARNER_ITEM,
                        value=token,
                        message=f"The id {token!r} belongs to another learner's record.",
                    )
                )
            elif token in own_ids or token in self.other_ids:
                continue
            elif self.is_cited(answer, start) or token.startswith(self.id_prefixes):
                kind = ProblemKind.UNKNOWN_CREDENTIAL if token.startswith(self.id_prefixes) else ProblemKind.UNKNOWN_ID
                problems.append(
                    Problem(kind=kind, value=token, message=f"The id {token!r} is not in the catalog or the record.")
                )
        return mentions

    @staticmethod
    def is_cited(answer: str, start: int) -> bool:
        """Return whether the token at ``start`` is inside square brackets."""
        opening = answer.rfind("[", 0, start)
        closing = answer.rfind("]", 0, start)
        return opening > closing

    def check_title_source(self, mention: Mention, allowed: set[str], problems: list[Problem]) -> None:
        """Report a credential named by title that no tool result of this turn returned."""
        if mention.credential_ids & allowed:
            return
        credential = self.credentials[sorted(mention.credential_ids)[0]]
        problems.append(not_from_tools(credential, mention.text))

    def check_unknown_titles(
        self, answer: str, known: list[Mention], own_titles: list[str], problems: list[Problem]
    ) -> None:
        """Report credential-like names ("... Professional Certificate") that match no known title.

        Known titles are those of the catalog and of the caller's own record items.
        """
        choices = list(self.titles.normalized_titles) + [" ".join(normalize_words(title)) for title in own_titles]
        for match in CREDENTIAL_PHRASE.finditer(answer):
            phrase = strip_openers(match.group(1))
            start = match.start(1)
            if len(phrase.split()) < 3 or overlaps(start, match.end(1), known):
                continue

            if matches_known_title(phrase, choices):
                continue
            problems.append(
                Problem(
                    kind=ProblemKind.UNKNOWN_CREDENTIAL,
                    value=phrase,
                    message=f"No credential titled {phrase!r} is in the catalog.",
                )
            )

    def check_other_learner_titles(
        self, answer: str, others: list[RecordItemRef], own_ids: set[str], problems: list[Problem]
    ) -> None:
        """Report titles of other learners' record items that the answer names."""
        index = TitleIndex(((item.item_id, item.title) for item in others if item.item_id not in own_ids), set())
        for mention in index.find(answer):
            problems.append(
                Problem(
                    kind=ProblemKind.OTHER_LEARNER_ITEM,
                    value=mention.text,
                    message=f"{mention.text!r} is an item of another learner's record.",
                )
            )

    def check_figures(self, answer: str, mentions: list[Mention], allowed: set[str], problems: list[Problem]) -> None:
        """Compare hours and cost figures with the catalog values of the nearest credential."""
        for sentence in SENTENCE.finditer(answer):
            inside = [mention for mention in mentions if sentence.start() <= mention.start < sentence.end()]
            if not inside:
                continue
            for figure in find_figures(answer, sentence.start(), sentence.end()):
                if overlaps(figure.start, figure.end, inside):
                    continue
                nearest = min(inside, key=lambda mention: distance(mention, figure))
                credential = self.pick_credential(nearest, allowed)
                problem = compare_figure(figure, credential)
                if problem is not None:
                    problems.append(problem)

    def pick_credential(self, mention: Mention, allowed: set[str]) -> Credential:
        """Return the credential a mention names, preferring one the tools returned."""
        preferred = sorted(mention.credential_ids & allowed) or sorted(mention.credential_ids)
        return self.credentials[preferred[0]]


def matches_known_title(phrase: str, choices: list[str]) -> bool:
    """Return whether a phrase is a known title, allowing a typo but no added or missing word."""
    words = normalize_words(phrase)
    normalized = " ".join(words)
    same_length = [choice for choice in choices if len(choice.split()) == len(words)]
    if normalized in same_length:
        return True
    return bool(same_length) and process.extractOne(
        normalized, same_length, scorer=fuzz.ratio, score_cutoff=FUZZY_TITLE_SCORE
    ) is not None


def find_id_tokens(answer: str) -> list[tuple[str, int, int]]:
    """Return id-shaped tokens of the answer with their spans: cited ones and bare ones.

    A bracket may cite several ids separated by commas or semicolons.
    """
    tokens = []
    for match in BRACKETED.finditer(answer):
        offset = match.start(1)
        for part in re.finditer(r"[^,;]+", match.group(1)):
            token = part.group().strip()
            if token and " " not in token:
                start = offset + part.start() + part.group().index(token)
                tokens.append((token, start, start + len(token)))

    cited_spans = [(start, end) for _, start, end in tokens]
    for match in BARE_ID.finditer(answer):
        inside = any(start <= match.start() < end for start, end in cited_spans)
        if not inside and looks_like_id(match.group()):
            tokens.append((match.group(), match.start(), match.end()))
    return sorted(tokens, key=lambda item: item[1])


def credential_id_prefixes(credentials: dict[str, Credential]) -> tuple[str, ...]:
    """Return id prefixes ("cred-", "coursera:") that at least two catalog ids share."""
    counts: dict[str, int] = {}
    for credential_id in credentials:
        match = ID_PREFIX.match(credential_id)
        if match:
            counts[match.group(1)] = counts.get(match.group(1), 0) + 1
    return tuple(sorted(prefix for prefix, count in counts.items() if count >= 2))


def find_figures(answer: str, start: int, end: int) -> list[Figure]:
    """Return the hours and cost figures between ``start`` and ``end`` of the answer."""
    text = answer[start:end]
    figures = []
    for match in HOURS.finditer(text):
        if match.group("pace"):
            continue
        low = float(match.group("low")) if match.group("low") else None
        figures.append(figure_from(match, "hours", float(match.group("value")), low, None, start))
    for match in SYMBOL_COST.finditer(text):
        value = parse_amount(match.group("value"))
        figures.append(figure_from(match, "cost", value, None, CURRENCY_OF[match.group("symbol")], start))
    for match in CODE_COST.finditer(text):
        value = parse_amount(match.group("value"))
        figures.append(figure_from(match, "cost", value, None, CURRENCY_OF[match.group("code").lower()], start))
    for match in FREE_COST.finditer(text):
        figures.append(figure_from(match, "cost", 0.0, None, None, start))
    return figures


def figure_from(
    match: re.Match[str], kind: str, value: float, low: float | None, currency: str | None, offset: int
) -> Figure:
    """Build a figure from a regex match inside a sentence that starts at ``offset``."""
    return Figure(kind, value, low, currency, offset + match.start(), offset + match.end(), match.group())


def parse_amount(text: str) -> float:
    """Parse an amount with thousands separators, such as ``1,299.00``."""
    return float(text.replace(",", ""))


def compare_figure(figure: Figure, credential: Credential) -> Problem | None:
    """Return a problem when a figure disagrees with the credential's catalog value."""
    if figure.kind == "hours":
        return compare_hours(figure, credential)
    return compare_cost(figure, credential)


def compare_hours(figure: Figure, credential: Credential) -> Problem | None:
    """Check an hours figure or range against the catalog hours."""
    catalog = credential.hours
    if catalog is not None:
        low = figure.low if figure.low is not None else figure.value
        if low - HOURS_TOLERANCE <= catalog <= figure.value + HOURS_TOLERANCE:
            return None
    expected = "unknown" if catalog is None else f"{catalog:g} hours"
    return Problem(
        kind=ProblemKind.WRONG_HOURS,
        value=figure.text,
        credential_id=credential.id,
        message=f"The answer gives {figure.text!r} for {credential.id!r}; the catalog says {expected}.",
    )


def compare_cost(figure: Figure, credential: Credential) -> Problem | None:
    """Check a cost figure against the catalog cost and currency; unknown is never free."""
    catalog = credential.cost
    if catalog is not None and abs(figure.value - catalog) <= COST_TOLERANCE:
        currency_differs = figure.currency and credential.currency and figure.currency != credential.currency
        if not currency_differs or catalog == 0:
            return None
    expected = "unknown" if catalog is None else f"{catalog:g} {credential.currency or ''}".strip()
    return Problem(
        kind=ProblemKind.WRONG_COST,
        value=figure.text,
        credential_id=credential.id,
        message=f"The answer gives {figure.text!r} for {credential.id!r}; the catalog says {expected}.",
    )


def not_from_tools(credential: Credential, shown: str) -> Problem:
    """Return the problem of a catalog credential that no tool result of this turn returned."""
    return Problem(
        kind=ProblemKind.CREDENTIAL_NOT_FROM_TOOLS,
        value=shown,
        credential_id=credential.id,
        message=f"{credential.title!r} [{credential.id}] is in the catalog but no tool returned it this turn.",
    )


def strip_openers(phrase: str) -> str:
    """Drop a leading article or determiner from a capitalised phrase."""
    words = phrase.split()
    while words and words[0].lower() in PHRASE_OPENERS:
        words.pop(0)
    return " ".join(words)


def overlaps(start: int, end: int, mentions: Iterable[Any]) -> bool:
    """Return whether a span overlaps any mention."""
    return any(start < mention.end and mention.start < end for mention in mentions)


def distance(mention: Mention, figure: Figure) -> int:
    """Return the characters between a mention and a figure."""
    if figure.start >= mention.end:
        return figure.start - mention.end
    return max(mention.start - figure.end, 0)


def dedupe(problems: list[Problem]) -> list[Problem]:
    """Drop repeated problems, keeping the first of each kind, value and credential."""
    seen: set[tuple[str, str, str | None]] = set()
    unique = []
    for problem in problems:
        key = (problem.kind.value, problem.value, problem.credential_id)
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    return unique


def verify_answer(
    answer: str,
    knowledge: KnowledgeBase,
    *,
    credential_ids: Collection[str],
    record_item_ids: Collection[str],
    learner_id: str,
    record_items: Iterable[RecordItemRef] = (),
) -> list[Problem]:
    """Return the problems of ``answer``; build an AnswerVerifier instead to verify many."""
    return AnswerVerifier(knowledge).verify(
        answer,
        credential_ids=credential_ids,
        record_item_ids=record_item_ids,
        learner_id=learner_id,
        record_items=record_items,
    )
