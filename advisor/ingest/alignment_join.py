"""Join Open Badges alignments to catalog credentials and taxonomy skills.

An alignment names its target by ``targetCode`` or ``targetUrl``. A target joins a catalog
credential by its id, its URL or its Credential Engine CTID, and a taxonomy skill by its id,
its framework URI (an ESCO concept URI) or its framework code (an O*NET element id). The
lookup tables are built once per knowledge base and reused until its contents change size.
"""

from __future__ import annotations

import logging
import re
import threading
import weakref
from dataclasses import dataclass, field

from advisor.domain import Alignment, KnowledgeBase

logger = logging.getLogger(__name__)

CTID_PATTERN = re.compile(
    r"(ce-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
)


def normalize_key(value: str) -> str:
    """Return a lookup key: trimmed, lower-cased, without a trailing slash or URL scheme."""
    key = value.strip().lower().rstrip("/")
    for scheme in ("https://", "http://"):
        if key.startswith(scheme):
            return key[len(scheme) :]
    return key


@dataclass
class AlignmentIndex:
    """Lookup tables from alignment targets to credential ids and skill ids."""

    credentials: dict[str, str] = field(default_factory=dict)
    skills: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, knowledge_base: KnowledgeBase) -> AlignmentIndex:
        """Build the tables from every credential and skill of a knowledge base."""
        index = cls()
        for credential in knowledge_base.credentials.values():
            index.add_credential_keys(credential.id, credential.url and str(credential.url))
        for skill in knowledge_base.skills.values():
            for key in (skill.id, skill.framework_uri, skill.framework_code):
                if key:
                    index.skills.setdefault(normalize_key(key), skill.id)
        return index

    def add_credential_keys(self, credential_id: str, url: str | None) -> None:
        """Add the id, the URL and a CTID found in either as keys of one credential."""
        for key in (credential_id, url):
            if key:
                self.credentials.setdefault(normalize_key(key), credential_id)

    def credential_for(self, *targets: str | None) -> str | None:
        """Return the catalog credential id one of the targets names, if any."""
        for target in targets:
            if not target:
                continue
            found = self.credentials.get(normalize_key(target))
            if found:
                return found
            ctid = CTID_PATTERN.search(target)
            if ctid:
                found = self.credentials.get(normalize_key(f"ctdl:{ctid.group(1)}"))
                if found:
                    return found
        return None

    def skill_for(self, *targets: str | None) -> str | None:
        """Return the taxonomy skill id one of the targets names, if any."""
        for target in targets:
            if target:
                found = self.skills.get(normalize_key(target))
                if found:
                    return found
        return None


_cache: dict[int, tuple[weakref.ref[KnowledgeBase], tuple[int, int], AlignmentIndex]] = {}
_cache_lock = threading.Lock()


def alignment_index(knowledge_base: KnowledgeBase) -> AlignmentIndex:
    """Return the cached lookup tables of a knowledge base, building them on first use."""
    sizes = (len(knowledge_base.credentials), len(knowledge_base.skills))
    key = id(knowledge_base)
    with _cache_lock:
        cached = _cache.get(key)
        if cached and cached[0]() is knowledge_base and cached[1] == sizes:
            return cached[2]

    index = AlignmentIndex.build(knowledge_base)
    logger.info(
        "built alignment lookup of %d credential keys and %d skill keys",
        len(index.credentials),
        len(index.skills),
    )
    with _cache_lock:
        _cache[key] = (
            weakref.ref(knowledge_base, lambda _ref: _cache.pop(key, None)),
            sizes,
            index,
        )
    return index


def join_alignment(alignment: Alignment, index: AlignmentIndex) -> Alignment:
    """Set ``credential_id`` and ``skill_id`` of an alignment whose target the index knows."""
    targets = (alignment.target_code, alignment.target_url)
    credential_id = index.credential_for(*targets)
    skill_id = index.skill_for(*targets)
    if credential_id is None and skill_id is None:
        return alignment
    return alignment.model_copy(update={"credential_id": credential_id, "skill_id": skill_id})
