"""Intent recogniser of the offline responder: what a learner's message asks for.

Recognition is by regular expressions, tried in a fixed order, because the phrases of this
domain are few and a pattern that misfires can be read and fixed. The order, first match wins:

=============  ===========================================================  =====================
intent         typical messages                                             slots filled
=============  ===========================================================  =====================
help           "help", "what can you do?"                                   -
greet          "hi", "hello there" (nothing else in the message)            -
compare        "compare A and B", "A vs B", "difference between A and B"    two references
why            "why A?", "why is A in my plan?", "why step 2?"              one reference
cheaper        "something cheaper?", "less expensive", "lower cost"         -
faster         "anything faster?", "quicker", "fewer hours"                 -
my_skills      "what skills do I have?", "show my profile"                  -
covers         "what does A cover?", "tell me about A", "what is A?"        one reference
all_steps      "show all steps", "show me the other 2 steps"                -
set_goal       "I want to become a data analyst", "my goal is ...",         goal text
               "change my goal to ...", "I want to learn python, sql"
next           "what should I take next?", "plan", "where do I start?"      -
constraints    a message with only constraints: "5 hours a week",           constraints
               "budget $300", "by 2026-12-31", "online only"
unknown        anything else                                                -
=============  ===========================================================  =====================

Constraints are read from the whole message first, whatever its intent. The rest is split
into clauses at sentence punctuation, at a comma that starts a new clause ("..., I can do")
and where a constraint phrase was, and each clause is recognised on its own. The message's
intent is the first kind in ``INTENT_PRIORITY`` that some clause has, so "I want to become a
data analyst. I have 5 hours a week." sets the goal and the hours in one turn, and the goal
text ends at the end of its clause. References are the raw phrases naming credentials;
the responder resolves them with ids, plan step numbers, titles and the catalog search. Goal
text is checked by the engine's goal resolver, which matches occupation titles and skill
labels, so the recogniser itself stays free of any catalog.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from dateutil import parser as date_parser
from dateutil.relativedelta import relativedelta


class IntentKind(StrEnum):
    """The request a message makes."""

    HELP = "help"
    GREET = "greet"
    COMPARE = "compare"
    WHY = "why"
    CHEAPER = "cheaper"
    FASTER = "faster"
    MY_SKILLS = "my_skills"
    COVERS = "covers"
    ALL_STEPS = "all_steps"
    SET_GOAL = "set_goal"
    NEXT = "next"
    CONSTRAINTS = "constraints"
    UNKNOWN = "unknown"


@dataclass
class Intent:
    """A recognised intent with its slots."""

    kind: IntentKind
    goal_text: str | None = None
    references: list[str] = field(default_factory=list)
    constraints: dict[str, Any] = field(default_factory=dict)
    constraint_phrases: list[str] = field(default_factory=list)
    unmatched_clauses: list[str] = field(default_factory=list)


# The intent of a message whose clauses have several: the goal first, because every other
# request needs it, then the order in which one clause is matched.
INTENT_PRIORITY = (
    "set_goal", "compare", "why", "cheaper", "faster", "my_skills", "all_steps", "covers", "next", "help", "greet",
)


FLAGS = re.IGNORECASE

NUMBER = r"(\d+(?:[.,]\d+)?)"
HOURS_PER_WEEK = re.compile(rf"{NUMBER}\s*(?:hours?|hrs?|h)\s*(?:a|per|each|every|/|in a)\s*week\b|"
                            rf"{NUMBER}\s*(?:hours?|hrs?|h)\s*weekly\b", FLAGS)
HOURS_PER_DAY = re.compile(rf"{NUMBER}\s*(?:hours?|hrs?|h)\s*(?:a|per|each|every|/)\s*day\b|"
                           rf"{NUMBER}\s*(?:hours?|hrs?|h)\s*daily\b", FLAGS)
CURRENCY_WORDS = {"$": "USD", "€": "EUR", "£": "GBP", "usd": "USD", "eur": "EUR", "gbp": "GBP", "dollar": "USD",
                  "dollars": "USD", "euro": "EUR", "euros": "EUR", "pound": "GBP", "pounds": "GBP"}
AMOUNT = r"(?P<symbol>[$€£])?\s?(?P<amount>\d[\d,]*(?:\.\d+)?)\s?(?P<code>usd|eur|gbp|dollars?|euros?|pounds?)?"
BUDGET = re.compile(
    rf"\b(?:budget(?:\s+(?:is|of))?|spend(?:\s+up\s+to)?|afford|under|below|less than|up to|at most|"
    rf"no more than|max(?:imum)?(?:\s+of)?)\s*(?:is\s+|about\s+|around\s+)?{AMOUNT}", FLAGS)
BARE_MONEY = re.compile(r"(?P<symbol>[$€£])\s?(?P<amount>\d[\d,]*(?:\.\d+)?)|"
                        r"\b(?P<amount2>\d[\d,]*(?:\.\d+)?)\s?(?P<code>usd|eur|gbp|dollars?|euros?|pounds?)\b", FLAGS)
FREE_ONLY = re.compile(r"\b(?:only free|free only|free (?:courses|credentials|ones) only|nothing paid|"
                       r"no money|can(?:no|')t pay|without paying)\b", FLAGS)
DEADLINE_ISO = re.compile(r"\b(?:by|before|until|deadline(?:\s+is)?:?)\s+(\d{4}-\d{2}-\d{2})\b", FLAGS)
DEADLINE_MONTH = re.compile(
    r"\b(?:by|before|until)\s+(?:the\s+end\s+of\s+)?((?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)"
    r"[a-z]*\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?,?)?\s+\d{4})\b", FLAGS)
DEADLINE_WITHIN = re.compile(r"\b(?:within|in(?: the next)?|over)\s+(\d+|a|an|one|two|three|six|twelve)\s+"
                             r"(weeks?|months?|years?)\b", FLAGS)
MODALITY = re.compile(
    r"\b(?:only|prefer(?:ably)?|must be|needs? to be|just)\s+(online|in[- ]person|on[- ]campus|face[- ]to[- ]face|"
    r"blended|hybrid)\b|\b(online|in[- ]person|on[- ]campus|face[- ]to[- ]face|blended|hybrid)\s+(?:only|please)\b",
    FLAGS)
MODALITY_VALUES = {"online": "online", "in-person": "in_person", "in person": "in_person", "on-campus": "in_person",
                   "on campus": "in_person", "face-to-face": "in_person", "face to face": "in_person",
                   "blended": "blended", "hybrid": "blended"}
WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "six": 6, "twelve": 12}

HELP = re.compile(r"^\s*(?:help|\?|what can you do|what do you do|how does (?:this|it) work|what can i ask"
                  r"(?: you)?|options|commands)\b", FLAGS)
GREETING = re.compile(r"^\s*(?:hi|hello|hey|hiya|howdy|good (?:morning|afternoon|evening)|greetings)"
                      r"(?:\s+there)?\b[\s!.,]*", FLAGS)
COMPARE = (
    re.compile(r"\bcompare\s+(?P<a>.+?)\s+(?:and|with|to|against|vs\.?|versus)\s+(?P<b>.+?)[\s?.!]*$", FLAGS),
    re.compile(r"\bdifference between\s+(?P<a>.+?)\s+and\s+(?P<b>.+?)[\s?.!]*$", FLAGS),
    re.compile(r"\bwhich is better[,:]?\s+(?P<a>.+?)\s+or\s+(?P<b>.+?)[\s?.!]*$", FLAGS),
    re.compile(r"^\s*(?P<a>.+?)\s+(?:vs\.?|versus)\s+(?P<b>.+?)[\s?.!]*$", FLAGS),
)
WHY = re.compile(
    r"^\s*(?:and\s+|but\s+|so\s+)?why\s+(?:(?:should|do|would|must)\s+i\s+(?:take|do|need|start with)|"
    r"(?:is|are|was)|did you (?:pick|choose|include|recommend|add)|(?:do|does)\s+(?:i|my plan)\s+need|take)?"
    r"\s*(?P<ref>.+?)\s*(?:in my (?:plan|pathway)|in the (?:plan|pathway)|on (?:my|the) list|included|first|"
    r"next|there|before .+|after .+)?[\s?.!]*$", FLAGS)
CHEAPER = re.compile(r"\b(?:cheaper|less expensive|lower (?:the )?cost|costs? less|cheapest|save money|"
                     r"more affordable|too expensive)\b", FLAGS)
FASTER = re.compile(r"\b(?:faster|quicker|shorter|less time|fewer hours|sooner|quickest|fastest|too long)\b", FLAGS)
MY_SKILLS = re.compile(r"\b(?:what skills do i (?:have|already have)|what (?:do|can) i (?:already )?(?:know|do)|"
                       r"my (?:skills|profile|record)|skills i (?:have|hold)|what have i (?:got|done))\b", FLAGS)
COVERS = (
    re.compile(r"\bwhat (?:does|will|would)\s+(?P<ref>.+?)\s+(?:cover|teach|include|involve|contain)\b", FLAGS),
    re.compile(r"\bwhat (?:skills|topics) (?:does|will|would)\s+(?P<ref>.+?)\s+(?:cover|teach|give)\b", FLAGS),
    re.compile(r"\b(?:tell me (?:more )?about|describe|details (?:of|on|about)|more about|what is|what's|"
               r"what are)\s+(?P<ref>.+?)[\s?.!]*$", FLAGS),
)
GOAL = (
    re.compile(r"\b(?:change|switch|set|update)\s+(?:my|the)\s+goal\s+to\s+(?:become\s+|be\s+)?(?P<goal>.+)$", FLAGS),
    re.compile(r"\b(?:my\s+(?:new\s+)?goal\s+is|new goal|goal)\s*(?:is\s+)?(?::\s*|to\s+(?:become|be)\s+|"
               r"to\s+work\s+as\s+|\s)(?P<goal>.+)$", FLAGS),
    re.compile(r"\bi(?:\s+would|'d|\s+really)?\s+(?:want|like|wanna|hope|plan|aim|need|intend|wish)(?:\s+to)?\s+"
               r"(?:become|be|work as|get a job as|get hired as|get into|move into|switch to|train as)\s+"
               r"(?P<goal>.+)$", FLAGS),
    re.compile(r"\bi(?:'m| am)\s+(?:aiming|trying|hoping|looking)\s+(?:to\s+become|to\s+be|for|to\s+work\s+as)\s+"
               r"(?P<goal>.+)$", FLAGS),
    re.compile(r"^\s*(?:how (?:do|can) i\s+)?become\s+(?P<goal>.+)$", FLAGS),
)
LEARN_SKILLS = re.compile(r"\bi(?:\s+would|'d)?\s+(?:want|like|need|wish)\s+to\s+(?:learn|get better at|improve(?: my)?)"
                          r"\s+(?P<skills>.+)$", FLAGS)
ALL_STEPS = re.compile(r"\b(?:(?:show|list|see|give)(?: me)?\s+(?:all|every|the (?:other|remaining|rest of the)|"
                       r"all the|all of the|the full list of)(?:\s+\d+)?\s+(?:steps?|credentials?|courses?)|"
                       r"(?:all|every|remaining|other)(?:\s+\d+)?\s+steps?|the rest of the (?:steps|plan|pathway)|"
                       r"(?:full|whole|complete) (?:plan|pathway|list))\b", FLAGS)
NEXT = re.compile(r"\b(?:what (?:should|do|can|shall) i (?:take|do|learn|study|start)|what(?:'s| is)? next|"
                  r"next step|recommend|(?:my|the|a) (?:plan|pathway)|plan (?:it|for me|my)|where (?:do|should) i "
                  r"start|what now|show (?:me )?(?:the|my) (?:plan|pathway|steps)|^\s*plan\s*[?.!]*$)", FLAGS)
GOAL_TAIL = re.compile(r"\s*(?:[,;]\s*)?\b(?:with|within|in under|by|before|on a budget|for under|and (?:i|my)|"
                       r"but|using|while|studying|so what|what should)\b.*$|\s*<.*$|[\s?.!,;:]+$", FLAGS)
# Clause boundaries: the end of a sentence, a line break, or a comma before
# words that start a new clause. A comma between skills ("python, sql") does not split.
CLAUSE_BREAK = re.compile(r"(?<=[.!?;])\s+|[.!?;]+$|\n+|,\s*(?=(?:and\s+|but\s+|so\s+)?(?:i|i'm|i've|i'd|i'll|"
                          r"my|we|we're|also|please|what|how|can you|could you)\b)", FLAGS)
CONSTRAINT_MARK = "\n"
ARTICLE = re.compile(r"^(?:an?|the)\s+", FLAGS)


def parse_number(text: str) -> float:
    """Parse a number written with a decimal comma or point, or with thousands separators."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        return float(text.replace(",", ""))
    return float(text.replace(",", "."))


def extract_constraints(message: str, today: date) -> tuple[dict[str, Any], list[tuple[int, int]]]:
    """Return the constraint updates a message states, and the spans they were read from."""
    updates: dict[str, Any] = {}
    spans: list[tuple[int, int]] = []

    match = HOURS_PER_WEEK.search(message)
    if match:
        updates["hours_per_week"] = parse_number(match.group(1) or match.group(2))
        spans.append(match.span())
    else:
        match = HOURS_PER_DAY.search(message)
        if match:
            updates["hours_per_week"] = min(7 * parse_number(match.group(1) or match.group(2)), 168.0)
            spans.append(match.span())

    read_budget(message, updates, spans)
    read_deadline(message, today, updates, spans)

    match = MODALITY.search(message)
    if match:
        word = (match.group(1) or match.group(2)).lower().replace("-", " ")
        updates["modalities"] = [MODALITY_VALUES.get(word, MODALITY_VALUES.get(word.replace(" ", "-"), "online"))]
        spans.append(match.span())
    return updates, spans


def read_budget(message: str, updates: dict[str, Any], spans: list[tuple[int, int]]) -> None:
    """Read a budget and its currency, or a request for free credentials only."""
    if FREE_ONLY.search(message):
        updates["budget"] = 0.0
        updates["unknown_cost"] = "exclude"
        spans.append(FREE_ONLY.search(message).span())  # type: ignore[union-attr]
        return

    match = BUDGET.search(message)
    if match and (match.group("symbol") or match.group("code") or "budget" in match.group(0).lower()
                  or "spend" in match.group(0).lower() or "afford" in match.group(0).lower()):
        updates["budget"] = parse_number(match.group("amount"))
        currency = match.group("symbol") or (match.group("code") or "").lower()
        if currency:
            updates["currency"] = CURRENCY_WORDS[currency]
        spans.append(match.span())
        return

    match = BARE_MONEY.search(message)
    if match:
        amount = match.group("amount") or match.group("amount2")
        updates["budget"] = parse_number(amount)
        currency = match.group("symbol") or (match.group("code") or "").lower()
        updates["currency"] = CURRENCY_WORDS[currency]
        spans.append(match.span())


def read_deadline(message: str, today: date, updates: dict[str, Any], spans: list[tuple[int, int]]) -> None:
    """Read a deadline: an ISO date, a month and year, or a span such as 'within 6 months'."""
    match = DEADLINE_ISO.search(message)
    if match:
        try:
            updates["deadline"] = date.fromisoformat(match.group(1))
            spans.append(match.span())
        except ValueError:
            pass
        return

    match = DEADLINE_MONTH.search(message)
    if match:
        try:
            parsed = date_parser.parse(match.group(1), default=datetime(today.year, 1, 1))
        except (ValueError, OverflowError):
            return
        deadline = parsed.date()
        if not re.search(r"\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}", match.group(1)):
            deadline = deadline + relativedelta(day=31)
        updates["deadline"] = deadline
        spans.append(match.span())
        return

    match = DEADLINE_WITHIN.search(message)
    if match:
        count_text = match.group(1).lower()
        count = int(count_text) if count_text.isdigit() else WORD_NUMBERS[count_text]
        unit = match.group(2).lower().rstrip("s")
        delta = {"week": timedelta(weeks=count), "month": relativedelta(months=count),
                 "year": relativedelta(years=count)}[unit]
        updates["deadline"] = today + delta
        spans.append(match.span())


def split_clauses(message: str, spans: list[tuple[int, int]]) -> list[str]:
    """Split a message into clauses, ending a clause wherever a constraint phrase was."""
    characters = list(message)
    for start, end in spans:
        characters[start:end] = [" "] * (end - start)
        characters[start] = CONSTRAINT_MARK
    text = "".join(characters)
    clauses = [re.sub(r"\s+", " ", part).strip() for part in CLAUSE_BREAK.split(text)]
    return [clause for clause in clauses if clause.strip(" ,;:.!?")]


def clean_goal(text: str) -> str:
    """Cut connecting words and constraints off the end of a goal phrase, and a leading article."""
    goal = GOAL_TAIL.sub("", text.strip())
    goal = ARTICLE.sub("", goal.strip(" ,;:"))
    return goal.strip(" ,;:'\"")


def clean_reference(text: str) -> str:
    """Strip quotes, brackets, articles and trailing punctuation from a credential reference."""
    reference = text.strip().strip("\"'“”‘’`").strip()
    reference = re.sub(r"^\[|\]$", "", reference)
    reference = ARTICLE.sub("", reference)
    reference = re.sub(r"\s+(?:course|credential|certificate|one)$", "", reference, flags=FLAGS) if len(
        reference.split()) > 2 else reference
    return reference.strip(" ?.!,;:\"'“”")


def recognise(message: str, today: date | None = None) -> Intent:
    """Recognise the intent of a message from all its clauses, and fill its slots."""
    today = today or date.today()
    text = message.strip()
    constraints, spans = extract_constraints(text, today)
    phrases = [text[start:end].strip() for start, end in spans]

    found: list[Intent] = []
    unmatched: list[str] = []
    for clause in split_clauses(text, spans):
        intent = recognise_clause(clause)
        if intent is None:
            unmatched.append(clause)
        else:
            found.append(intent)

    chosen = choose_intent(found, bool(constraints))
    chosen.constraints = constraints
    chosen.constraint_phrases = phrases
    chosen.unmatched_clauses = unmatched
    return chosen


def choose_intent(found: list[Intent], has_constraints: bool) -> Intent:
    """Return the intent of highest priority among the clauses' intents."""
    for kind in INTENT_PRIORITY:
        for intent in found:
            if intent.kind.value == kind:
                if intent.kind is IntentKind.GREET and has_constraints:
                    return Intent(IntentKind.CONSTRAINTS)
                return intent
    return Intent(IntentKind.CONSTRAINTS if has_constraints else IntentKind.UNKNOWN)


def recognise_clause(clause: str) -> Intent | None:
    """Recognise the intent of one clause without constraint phrases, or return None."""
    rest = clause
    greeting = GREETING.match(rest)
    if greeting:
        rest = rest[greeting.end():].strip()
        if not rest:
            return Intent(IntentKind.GREET)

    if HELP.search(rest):
        return Intent(IntentKind.HELP)

    intent = recognise_request(rest)
    return None if intent.kind is IntentKind.UNKNOWN else intent


def recognise_request(rest: str) -> Intent:
    """Recognise the request of a clause without greeting and constraint phrases."""
    for pattern in COMPARE:
        match = pattern.search(rest)
        if match:
            return Intent(IntentKind.COMPARE, references=[clean_reference(match.group("a")),
                                                          clean_reference(match.group("b"))])

    match = WHY.search(rest)
    if match and clean_reference(match.group("ref")):
        return Intent(IntentKind.WHY, references=[clean_reference(match.group("ref"))])

    if CHEAPER.search(rest):
        return Intent(IntentKind.CHEAPER)
    if FASTER.search(rest):
        return Intent(IntentKind.FASTER)
    if MY_SKILLS.search(rest):
        return Intent(IntentKind.MY_SKILLS)
    if ALL_STEPS.search(rest):
        return Intent(IntentKind.ALL_STEPS)

    goal = recognise_goal(rest)
    if goal:
        return Intent(IntentKind.SET_GOAL, goal_text=goal)

    for pattern in COVERS:
        match = pattern.search(rest)
        if match and clean_reference(match.group("ref")) and not NEXT.search(rest):
            return Intent(IntentKind.COVERS, references=[clean_reference(match.group("ref"))])

    if NEXT.search(rest):
        return Intent(IntentKind.NEXT)
    return Intent(IntentKind.UNKNOWN)


def recognise_goal(text: str) -> str | None:
    """Return the goal text a message states, prefixed 'skills:' for skills to learn, or None."""
    for pattern in GOAL:
        match = pattern.search(text)
        if match:
            goal = clean_goal(match.group("goal"))
            if goal:
                return goal

    match = LEARN_SKILLS.search(text)
    if match:
        skills = clean_goal(match.group("skills"))
        if skills:
            items = re.split(r"\s*(?:,|;|\band\b|&)\s*", skills)
            return "skills: " + ", ".join(item for item in items if item)
    return None
