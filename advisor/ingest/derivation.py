"""Derived prerequisites between catalog credentials, by documented and reproducible rules.

Rules (each names itself in the credential's ``derivation_rules`` and adds
``prerequisite_credentials`` to its ``derived`` list):

- ``named_in_prerequisites``: a course's prerequisites text names another catalog item by its
  full title (at least ``MIN_TITLE_WORDS`` words, matched case-insensitively on word
  boundaries, and only titles that name exactly one item).
- ``program_entry_course``: an intermediate or advanced course of a program requires the
  program's introductory course, when the program has exactly one.

Edges that would close a cycle are left out, so the prerequisite graph stays acyclic.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict

from advisor.domain import CourseLevel, Credential

logger = logging.getLogger(__name__)

MIN_TITLE_WORDS = 3
ENTRY_LEVELS = {CourseLevel.BEGINNER}
LATER_LEVELS = {CourseLevel.INTERMEDIATE, CourseLevel.ADVANCED}


def derive_prerequisites(credentials: list[Credential]) -> dict[str, int]:
    """Add derived prerequisite credentials in place and return the edge count per rule."""
    by_id = {credential.id: credential for credential in credentials}
    counts = {"named_in_prerequisites": 0, "program_entry_course": 0}

    for source, target in named_in_prerequisites(credentials):
        counts["named_in_prerequisites"] += add_prerequisite(by_id, source, target, "named_in_prerequisites")
    for source, target in program_entry_courses(credentials, by_id):
        counts["program_entry_course"] += add_prerequisite(by_id, source, target, "program_entry_course")

    logger.info("Derived prerequisites: %s", counts)
    return counts


def named_in_prerequisites(credentials: list[Credential]) -> list[tuple[str, str]]:
    """Return (course, required item) pairs where a prerequisites text names an item by title."""
    titles: dict[str, list[str]] = defaultdict(list)
    for credential in credentials:
        if len(credential.title.split()) >= MIN_TITLE_WORDS:
            titles[credential.title.casefold()].append(credential.id)
    unique_titles = {title: ids[0] for title, ids in titles.items() if len(ids) == 1}
    if not unique_titles:
        return []
    pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, sorted(unique_titles, key=len, reverse=True))) + r")(?!\w)")

    pairs: list[tuple[str, str]] = []
    for credential in credentials:
        text = (credential.model_extra or {}).get("prerequisites_text")
        if not text:
            continue
        for match in pattern.finditer(text.casefold()):
            target = unique_titles[match.group(1)]
            if target != credential.id:
                pairs.append((credential.id, target))
    return pairs


def program_entry_courses(credentials: list[Credential], by_id: dict[str, Credential]) -> list[tuple[str, str]]:
    """Return (later course, entry course) pairs inside programs with exactly one entry course."""
    pairs: list[tuple[str, str]] = []
    for program in credentials:
        parts = [by_id[part] for part in program.has_part if part in by_id]
        entries = [part for part in parts if part.level in ENTRY_LEVELS]
        if len(entries) != 1:
            continue
        for part in parts:
            if part.level in LATER_LEVELS:
                pairs.append((part.id, entries[0].id))
    return pairs


def add_prerequisite(by_id: dict[str, Credential], source: str, target: str, rule: str) -> int:
    """Add one prerequisite edge unless it exists or would close a cycle; return 1 when added."""
    credential = by_id[source]
    if target in credential.prerequisite_credentials or reaches(by_id, target, source):
        return 0

    credential.prerequisite_credentials.append(target)
    if "prerequisite_credentials" not in credential.derived:
        credential.derived.append("prerequisite_credentials")
    extra = credential.model_extra if credential.model_extra is not None else {}
    rules = extra.setdefault("derivation_rules", {})
    field_rules = rules.setdefault("prerequisite_credentials", [])
    if rule not in field_rules:
        field_rules.append(rule)
    return 1


def reaches(by_id: dict[str, Credential], start: str, goal: str) -> bool:
    """Tell whether following prerequisites from start leads to goal."""
    stack, seen = [start], set()
    while stack:
        current = stack.pop()
        if current == goal:
            return True
        if current in seen or current not in by_id:
            continue
        seen.add(current)
        stack.extend(by_id[current].prerequisite_credentials)
    return False


def find_cycle(credentials: dict[str, Credential]) -> list[str] | None:
    """Return one prerequisite cycle as a list of ids, or None when the graph is acyclic."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in credentials[node].prerequisite_credentials if node in credentials else []:
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        path.pop()
        return None

    for node in credentials:
        if node not in state and (cycle := visit(node)):
            return cycle
    return None
