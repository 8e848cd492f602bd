"""Lookup tables over the catalog: which credentials teach a skill, and what stacks into what."""

from __future__ import annotations

import logging
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from advisor.domain import Credential, CredentialKind, KnowledgeBase
from advisor.engine.kb_cache import cached

logger = logging.getLogger(__name__)

# Estimated study hours for a credential whose hours the catalog does not give, by kind, used
# only for a kind with no known hours in the catalog. Otherwise the estimate is the median of the
# catalog's known hours for that kind, so a credential of unknown hours never looks cheaper than
# a typical one of its kind. A step that uses either, or hours an importer derived from a duration,
# is marked ``hours_estimated`` in the pathway.
DEFAULT_HOURS: dict[CredentialKind, float] = {
    CredentialKind.MODULE: 10.0,
    CredentialKind.BADGE: 10.0,
    CredentialKind.COURSE: 20.0,
    CredentialKind.MICROCREDENTIAL: 40.0,
    CredentialKind.CERTIFICATE: 120.0,
    CredentialKind.DEGREE: 3000.0,
}


@dataclass
class CatalogIndex:
    """Inverted index skill -> credentials, and the stacking relations in both directions."""

    kb: KnowledgeBase
    teachers: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    parents: dict[str, set[str]] = field(default_factory=dict)
    parts: dict[str, set[str]] = field(default_factory=dict)
    levels: dict[str, dict[str, int]] = field(default_factory=dict)
    hours: dict[str, tuple[float, bool]] = field(default_factory=dict)
    estimated_hours: dict[CredentialKind, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        teachers: dict[str, list[tuple[str, int]]] = defaultdict(list)
        parents: dict[str, set[str]] = defaultdict(set)
        parts: dict[str, set[str]] = defaultdict(set)
        self.estimated_hours = median_hours_by_kind(self.kb)

        for credential in self.kb.credentials.values():
            self.levels[credential.id] = taught_levels(credential)
            self.hours[credential.id] = credential_hours(credential, self.estimated_hours)
            for taught in credential.skills:
                teachers[taught.skill_id].append((credential.id, int(taught.level)))
            for parent_id in credential.is_part_of:
                if parent_id in self.kb.credentials:
                    parents[credential.id].add(parent_id)
                    parts[parent_id].add(credential.id)
            for part_id in credential.has_part:
                if part_id in self.kb.credentials:
                    parents[part_id].add(credential.id)
                    parts[credential.id].add(part_id)

        self.teachers = {skill: sorted(items) for skill, items in teachers.items()}
        self.parents = dict(parents)
        self.parts = dict(parts)


def get_catalog_index(kb: KnowledgeBase) -> CatalogIndex:
    """Return the cached catalog index of a knowledge base."""
    return cached(kb, "catalog_index", CatalogIndex)


def median_hours_by_kind(kb: KnowledgeBase) -> dict[CredentialKind, float]:
    """Return each credential kind's median of the known hours in the catalog, over the kinds that have some."""
    known: dict[CredentialKind, list[float]] = defaultdict(list)
    for credential in kb.credentials.values():
        if credential.hours is not None:
            known[credential.kind].append(float(credential.hours))
    return {kind: statistics.median(values) for kind, values in known.items()}


def credential_hours(
    credential: Credential, estimates: dict[CredentialKind, float] | None = None
) -> tuple[float, bool]:
    """Return (hours, estimated): the catalog's hours, else the kind's estimate from ``estimates`` or the defaults.

    Hours that the importer derived by a rule (listed in ``credential.derived``, such as a
    duration range "3 - 6 Months") are estimates too.
    """
    if credential.hours is not None:
        return float(credential.hours), "hours" in credential.derived
    if estimates and credential.kind in estimates:
        return estimates[credential.kind], True
    return DEFAULT_HOURS.get(credential.kind, DEFAULT_HOURS[CredentialKind.COURSE]), True


def taught_levels(credential: Credential) -> dict[str, int]:
    """Return skill id -> the highest level the credential teaches it at."""
    levels: dict[str, int] = {}
    for taught in credential.skills:
        levels[taught.skill_id] = max(levels.get(taught.skill_id, 0), int(taught.level))
    return levels
