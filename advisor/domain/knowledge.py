"""The knowledge base in memory: credentials, skills and occupations, looked up by id."""

from __future__ import annotations

from dataclasses import dataclass, field

from advisor.domain.catalog import Credential, Occupation
from advisor.domain.skills import Skill


@dataclass
class KnowledgeBase:
    """Catalog, skills taxonomy and occupations, each keyed by id."""

    credentials: dict[str, Credential] = field(default_factory=dict)
    skills: dict[str, Skill] = field(default_factory=dict)
    occupations: dict[str, Occupation] = field(default_factory=dict)

    @classmethod
    def from_items(
        cls,
        credentials: list[Credential] = (),  # type: ignore[assignment]
        skills: list[Skill] = (),  # type: ignore[assignment]
        occupations: list[Occupation] = (),  # type: ignore[assignment]
    ) -> "KnowledgeBase":
        """Build a knowledge base from lists; a later item replaces an earlier one of the same id."""
        return cls(
            credentials={item.id: item for item in credentials},
            skills={item.id: item for item in skills},
            occupations={item.id: item for item in occupations},
        )
