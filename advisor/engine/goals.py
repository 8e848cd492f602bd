"""Goal resolution: an occupation, a job posting's text or a skill list, to required skills.

An occupation is found by id, ESCO URI, O*NET code, or title: exact matches on preferred titles
first, then alternative titles, then a fuzzy match. Titles are compared case-folded, without
punctuation and with a plural "s" dropped from each word, because O*NET titles are plural
("Data Scientists") and ESCO titles singular ("data scientist").

When one title names occupations of several frameworks (typically one ESCO and one O*NET), the
occupation whose required skills the catalog covers best wins: the share of its importance-
weighted required skills that at least one credential teaches. On a tie ESCO wins, because its
required skills are specific skills a credential can teach, where O*NET lists generic skills.
Several matches within one framework, or none, raise ``InvalidInputError`` with the closest
titles.

Technology skills from O*NET: ESCO lists few named tools, so when an ESCO occupation is found by
a title that O*NET occupations also carry (as preferred or alternate title), their in-demand
technology skills join the goal. A technology joins when at least ``ONET_TECH_MIN_SHARE`` of
those O*NET occupations list it as in-demand. It is essential, required at Intermediate, and its
importance is the mean of its O*NET importance over all of them (0 where one does not list it).
A technology whose label equals the label of a skill the goal already requires is left out as a
duplicate.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from advisor.domain import (
    Framework,
    Goal,
    GoalKind,
    GoalSkill,
    KnowledgeBase,
    Occupation,
    Proficiency,
    RequiredSkillRef,
    ResolvedGoal,
    SkillMatch,
)
from advisor.engine.catalog_index import get_catalog_index
from advisor.engine.kb_cache import cached
from advisor.engine.normalize import ABBREVIATIONS, clean, get_normalizer
from advisor.engine.ports import SkillSearch
from advisor.errors import InvalidInputError

logger = logging.getLogger(__name__)

TITLE_FUZZY_THRESHOLD = 88.0
TITLE_FUZZY_MARGIN = 3.0
POSTING_MAX_NGRAM = 6
POSTING_WORDS = 15
# Share of the O*NET occupations sharing a title that must list a technology as in-demand. Half
# keeps the tools an alternate title has in common ("data analyst": Python, SQL, Excel, R,
# Tableau) and drops those of one specialised occupation.
ONET_TECH_MIN_SHARE = 0.5
ONET_TECH_PREFIX = "onet:tech:"
FRAMEWORK_RANK = {Framework.ESCO: 0, Framework.ONET: 1, Framework.CATALOG: 2, Framework.OTHER: 3}

# Words that are never a skill on their own in a posting, even where a taxonomy label is one word.
POSTING_STOPWORDS = frozenset(
    """a an and are as at be by for from has have in is it its of on or our the to we will with
    you your who this that these those can must should may able ability strong good excellent
    experience experienced skills skill knowledge work working team teams years year job role
    position candidate required requirements preferred plus including etc new high degree
    responsibilities responsible duties using use hiring hire join junior senior seeking looking
    apply salary benefits company""".split()
)

_LEVEL_NAMES = {level.name.lower(): level for level in Proficiency}
_SKILL_ITEM = re.compile(r"^(?P<text>.*?)\s*(?:[:=]\s*|\(\s*)(?P<level>[1-4]|[a-z]+)\s*\)?\s*$", re.I)


def title_key(text: str) -> str:
    """Return a title folded for lookup: cleaned, each word without a plural "s"."""
    words = clean(text).split()
    return " ".join(word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word
                     for word in words)


@dataclass
class OccupationIndex:
    """Occupations by id, URI, code, and title key."""

    kb: KnowledgeBase
    by_reference: dict[str, str] = field(default_factory=dict)
    preferred: dict[str, list[str]] = field(default_factory=dict)
    alternative: dict[str, list[str]] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    key_ids: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for occupation in sorted(self.kb.occupations.values(), key=lambda item: item.id):
            for reference in (occupation.framework_uri, occupation.framework_code):
                if reference:
                    self.by_reference.setdefault(reference.strip().casefold(), occupation.id)
            if occupation.framework_code and occupation.framework_code.endswith(".00"):
                self.by_reference.setdefault(occupation.framework_code[:-3].casefold(), occupation.id)
            self.preferred.setdefault(title_key(occupation.title), []).append(occupation.id)
            for title in occupation.alt_titles:
                ids = self.alternative.setdefault(title_key(title), [])
                if occupation.id not in ids:
                    ids.append(occupation.id)

        for table in (self.preferred, self.alternative):
            for key, ids in table.items():
                for occupation_id in ids:
                    self.keys.append(key)
                    self.key_ids.append(occupation_id)


def get_occupation_index(kb: KnowledgeBase) -> OccupationIndex:
    """Return the cached occupation index of a knowledge base."""
    return cached(kb, "occupation_index", OccupationIndex)


def catalog_coverage(kb: KnowledgeBase, occupation: Occupation) -> float:
    """Return the share of an occupation's importance-weighted skills some credential teaches."""
    teachers = get_catalog_index(kb).teachers
    total = sum(item.importance for item in occupation.required_skills)
    if total <= 0:
        return 0.0
    covered = sum(item.importance for item in occupation.required_skills if item.skill_id in teachers)
    return covered / total


def find_occupation(kb: KnowledgeBase, text: str) -> Occupation:
    """Find an occupation by id, ESCO URI, O*NET code or title; raise when unknown or ambiguous."""
    reference = text.strip()
    if reference in kb.occupations:
        return kb.occupations[reference]

    index = get_occupation_index(kb)
    by_reference = index.by_reference.get(reference.casefold())
    if by_reference:
        return kb.occupations[by_reference]

    key = title_key(reference)
    for table in (index.preferred, index.alternative):
        if key in table:
            return _pick_among(kb, reference, table[key])

    return _find_fuzzy(kb, index, reference, key)


def find_occupation_by_title(kb: KnowledgeBase, title: str) -> Occupation | None:
    """Find the occupation whose title or alternative title equals ``title``, or None.

    Unlike ``find_occupation`` there is no fuzzy step, and an ambiguous title gives None.
    """
    key = title_key(title)
    index = get_occupation_index(kb)
    for table in (index.preferred, index.alternative):
        if key in table:
            try:
                return _pick_among(kb, title, table[key])
            except InvalidInputError:
                return None
    return None


def _pick_among(kb: KnowledgeBase, text: str, ids: list[str]) -> Occupation:
    by_framework: dict[Framework, list[Occupation]] = {}
    for occupation_id in ids:
        occupation = kb.occupations[occupation_id]
        by_framework.setdefault(occupation.framework, []).append(occupation)

    single = [items[0] for items in by_framework.values() if len(items) == 1]
    if not single:
        options = [f"{item.title} ({item.id})" for items in by_framework.values() for item in items]
        raise InvalidInputError(
            f"Goal {text!r} matches several occupations: {'; '.join(options[:8])}.",
            value=text,
            hint="Give the occupation id or a more specific title.",
        )

    chosen = max(
        single,
        key=lambda item: (round(catalog_coverage(kb, item), 6), -FRAMEWORK_RANK[item.framework]),
    )
    logger.debug("title %r matched %s among %s", text, chosen.id, [item.id for item in single])
    return chosen


def _find_fuzzy(kb: KnowledgeBase, index: OccupationIndex, text: str, key: str) -> Occupation:
    found = process.extract(key, index.keys, scorer=fuzz.token_sort_ratio, limit=10)
    options: list[tuple[str, float]] = []
    for _key, score, position in found:
        occupation_id = index.key_ids[position]
        if occupation_id not in [item for item, _ in options]:
            options.append((occupation_id, score))

    if options and options[0][1] >= TITLE_FUZZY_THRESHOLD:
        best_key = found[0][0]
        rivals = [
            index.key_ids[position]
            for matched_key, score, position in found
            if matched_key == best_key or score > options[0][1] - TITLE_FUZZY_MARGIN
        ]
        return _pick_among(kb, text, list(dict.fromkeys(rivals)))

    closest = "; ".join(f"{kb.occupations[item].title} ({item})" for item, _ in options[:5])
    raise InvalidInputError(
        f"No occupation matches {text!r}. Closest: {closest or 'none'}.",
        value=text,
        hint="Give an occupation id, an ESCO URI, an O*NET code or one of the closest titles.",
    )


def resolve_goal(
    kb: KnowledgeBase, goal: Goal, skill_search: SkillSearch | None = None
) -> ResolvedGoal:
    """Turn a goal into required taxonomy skills, raising ``InvalidInputError`` when it has none."""
    if goal.kind is GoalKind.OCCUPATION:
        return _resolve_occupation(kb, goal.occupation or "")
    if goal.kind is GoalKind.POSTING:
        return _resolve_posting(kb, goal.text or "", skill_search)
    return _resolve_skills(kb, goal.skills, skill_search)


def _resolve_occupation(kb: KnowledgeBase, text: str) -> ResolvedGoal:
    occupation = find_occupation(kb, text)
    required = [
        RequiredSkillRef(
            skill_id=item.skill_id,
            label=_label(kb, item.skill_id),
            level=item.level,
            importance=item.importance,
            essential=item.essential,
        )
        for item in occupation.required_skills
    ]
    if not required:
        raise InvalidInputError(
            f"Occupation {occupation.title!r} ({occupation.id}) lists no required skills.",
            value=text,
            hint="Choose another occupation or give the skills as a list.",
        )
    notes = [f"catalog covers {catalog_coverage(kb, occupation):.0%} of its weighted skills"]

    companions = title_companions(kb, text, occupation)
    technologies = companion_technologies(kb, companions, required)
    if technologies:
        names = ", ".join(item.label for item in technologies)
        notes.append(f"in-demand technologies of O*NET occupations titled {text.strip()!r}: {names}")
    required.extend(technologies)

    return ResolvedGoal(
        kind=GoalKind.OCCUPATION,
        title=occupation.title,
        occupation_id=occupation.id,
        required=_merge(required),
        notes=notes,
    )


def title_companions(kb: KnowledgeBase, text: str, occupation: Occupation) -> list[Occupation]:
    """Return the O*NET occupations that carry an ESCO occupation's matched title, else none."""
    if occupation.framework is not Framework.ESCO:
        return []
    index = get_occupation_index(kb)
    key = title_key(text)
    ids = dict.fromkeys(index.preferred.get(key, []) + index.alternative.get(key, []))
    return [kb.occupations[item] for item in ids if kb.occupations[item].framework is Framework.ONET]


def companion_technologies(
    kb: KnowledgeBase, companions: list[Occupation], required: list[RequiredSkillRef]
) -> list[RequiredSkillRef]:
    """Return the in-demand technologies most O*NET companions share, as essential goal skills."""
    if not companions:
        return []

    importance: dict[str, float] = {}
    listed: dict[str, int] = {}
    for companion in companions:
        for item in companion.required_skills:
            if item.skill_id.startswith(ONET_TECH_PREFIX) and item.essential:
                importance[item.skill_id] = importance.get(item.skill_id, 0.0) + item.importance
                listed[item.skill_id] = listed.get(item.skill_id, 0) + 1

    known = {clean(item.label) for item in required}
    technologies = []
    for skill_id in sorted(listed):
        label = _label(kb, skill_id)
        if listed[skill_id] < ONET_TECH_MIN_SHARE * len(companions) or clean(label) in known:
            continue
        technologies.append(
            RequiredSkillRef(
                skill_id=skill_id,
                label=label,
                level=Proficiency.INTERMEDIATE,
                importance=round(importance[skill_id] / len(companions), 4),
                essential=True,
            )
        )
    logger.debug("goal gains %d O*NET technologies from %d companions", len(technologies), len(companions))
    return technologies


def _resolve_skills(
    kb: KnowledgeBase, items: list[GoalSkill], skill_search: SkillSearch | None
) -> ResolvedGoal:
    normalizer = get_normalizer(kb)
    matches: list[SkillMatch] = []
    unmatched: list[SkillMatch] = []
    required: list[RequiredSkillRef] = []
    for item in items:
        match = normalizer.normalize(item.text, skill_search)
        if match.skill_id is None:
            unmatched.append(match)
            continue
        matches.append(match)
        required.append(
            RequiredSkillRef(
                skill_id=match.skill_id,
                label=match.label or match.skill_id,
                level=item.level or Proficiency.INTERMEDIATE,
                importance=item.importance,
            )
        )

    if not required:
        raise InvalidInputError(
            f"None of the goal's skills matches a known skill: {_describe_unmatched(kb, unmatched)}.",
            value=[item.text for item in items],
            hint="Use skill names from the taxonomy, such as one of the closest labels.",
        )
    title = ", ".join(item.label for item in required)
    return ResolvedGoal(
        kind=GoalKind.SKILLS, title=title, required=_merge(required), matches=matches, unmatched=unmatched
    )


def _resolve_posting(kb: KnowledgeBase, text: str, skill_search: SkillSearch | None) -> ResolvedGoal:
    matches, unmatched = extract_posting_skills(kb, text, skill_search)
    if not matches:
        raise InvalidInputError(
            f"No known skill was found in the job posting {text[:80]!r}.",
            value=text,
            hint="Paste the posting's requirements, or give the skills as a list.",
        )
    required = [
        RequiredSkillRef(skill_id=item.skill_id or "", label=item.label or "", level=Proficiency.INTERMEDIATE,
                         importance=1.0)
        for item in matches
    ]
    first_line = text.strip().splitlines()[0][:80]
    return ResolvedGoal(
        kind=GoalKind.POSTING,
        title=f"job posting: {first_line}",
        required=_merge(required),
        matches=matches,
        unmatched=unmatched,
        notes=["posting skills are required at Intermediate, each with importance 1.0"],
    )


def extract_posting_skills(
    kb: KnowledgeBase, text: str, skill_search: SkillSearch | None = None
) -> tuple[list[SkillMatch], list[SkillMatch]]:
    """Find the skills a posting names: (matched skills in order of first mention, unmatched items).

    Label n-grams of up to ``POSTING_MAX_NGRAM`` words are matched exactly, longest first.
    Short list items (between commas, semicolons, bullets or line breaks, up to four words)
    that contain no label are then passed through the normaliser, so misspellings and
    abbreviations count; those still unmatched are reported.
    """
    normalizer = get_normalizer(kb)
    found: dict[str, SkillMatch] = {}

    tokens = clean(text).split()
    position = 0
    while position < len(tokens):
        step = 1
        for size in range(min(POSTING_MAX_NGRAM, len(tokens) - position), 0, -1):
            phrase = " ".join(tokens[position : position + size])
            hit = _match_phrase(normalizer, phrase)
            if hit:
                found.setdefault(hit[0], _as_match(kb, phrase, hit))
                step = size
                break
        position += step

    unmatched: list[SkillMatch] = []
    for item in re.split(r"[,;\n•|·*]+|\s-\s", text):
        words = clean(item).split()
        meaningful = [word for word in words if word not in POSTING_STOPWORDS]
        if not meaningful or len(words) > 4:
            continue
        if any(_match_phrase(normalizer, " ".join(words[i : j + 1]))
               for i in range(len(words)) for j in range(i, len(words))):
            continue
        match = normalizer.normalize(item.strip(), skill_search)
        if match.skill_id is None:
            unmatched.append(match)
        else:
            found.setdefault(match.skill_id, match)

    logger.debug("posting: %d skills found, %d items unmatched", len(found), len(unmatched))
    return list(found.values()), unmatched


def _match_phrase(normalizer, phrase: str) -> tuple[str, str] | None:
    single_word = " " not in phrase
    if single_word and (phrase in POSTING_STOPWORDS or len(phrase) < 2):
        return None
    found = normalizer.lookup(phrase)
    if found and single_word and found[1] == "alt_label" and not _names_product(normalizer, phrase, found[0]):
        found = None
    if found:
        return found
    expansion = ABBREVIATIONS.get(phrase)
    if expansion:
        expanded = normalizer.lookup(clean(expansion))
        if expanded:
            return expanded[0], "abbreviation"
    return None


def _names_product(normalizer, word: str, skill_id: str) -> bool:
    """Return True when the skill has a capitalised one-word alternative label equal to the word.

    A single word of running text matches an alternative label only when that label is a name
    ("Excel"), because lower-case one-word alternative labels are often everyday words ("data"
    of statistics, "clean" of cleaning tasks).
    """
    return any(
        label[:1].isupper() and clean(label) == word
        for label in normalizer.kb.skills[skill_id].alt_labels
    )


def _as_match(kb: KnowledgeBase, phrase: str, hit: tuple[str, str]) -> SkillMatch:
    return SkillMatch(text=phrase, skill_id=hit[0], label=_label(kb, hit[0]), method=hit[1], score=1.0)


def _merge(required: list[RequiredSkillRef]) -> list[RequiredSkillRef]:
    merged: dict[str, RequiredSkillRef] = {}
    for item in required:
        current = merged.get(item.skill_id)
        if current is None:
            merged[item.skill_id] = item
            continue
        current.level = max(current.level, item.level)
        current.importance = max(current.importance, item.importance)
        current.essential = current.essential or item.essential
    return list(merged.values())


def _label(kb: KnowledgeBase, skill_id: str) -> str:
    skill = kb.skills.get(skill_id)
    return skill.label if skill else skill_id


def _describe_unmatched(kb: KnowledgeBase, unmatched: list[SkillMatch]) -> str:
    normalizer = get_normalizer(kb)
    parts = []
    for item in unmatched:
        closest = process.extract(clean(item.text), normalizer.fuzzy_keys, scorer=fuzz.ratio, limit=3)
        labels = ", ".join(repr(key) for key, _score, _position in closest)
        parts.append(f"{item.text!r} (closest: {labels or 'none'})")
    return "; ".join(parts)


def goal_from_text(text: str) -> Goal:
    """Read a goal typed on the command line.

    A prefix chooses the kind: ``occupation:``, ``posting:`` or ``skills:``. Without one, text
    of ``POSTING_WORDS`` words or more, or with line breaks, is a posting; text with commas or
    semicolons is a skill list; anything else is an occupation. A skill list item may carry a
    level as ``name:3``, ``name=advanced`` or ``name (advanced)``.
    """
    stripped = text.strip()
    if not stripped:
        raise InvalidInputError("The goal is empty.", value=text, hint="Give an occupation, a posting or skills.")

    prefix, _, rest = stripped.partition(":")
    kind_names = {kind.value: kind for kind in GoalKind}
    if prefix.strip().casefold() in kind_names and rest.strip():
        kind = kind_names[prefix.strip().casefold()]
        body = rest.strip()
    else:
        kind = _guess_kind(stripped)
        body = stripped

    if kind is GoalKind.OCCUPATION:
        return Goal(kind=kind, occupation=body)
    if kind is GoalKind.POSTING:
        return Goal(kind=kind, text=body)
    return Goal(kind=kind, skills=[_parse_skill_item(item) for item in re.split(r"[,;]", body) if item.strip()])


def _guess_kind(text: str) -> GoalKind:
    if "\n" in text or len(text.split()) >= POSTING_WORDS:
        return GoalKind.POSTING
    if "," in text or ";" in text:
        return GoalKind.SKILLS
    return GoalKind.OCCUPATION


def _parse_skill_item(item: str) -> GoalSkill:
    match = _SKILL_ITEM.match(item.strip())
    if match:
        level_text = match.group("level").casefold()
        level = Proficiency(int(level_text)) if level_text.isdigit() else _LEVEL_NAMES.get(level_text)
        if level is not None:
            return GoalSkill(text=match.group("text").strip(), level=level)
    return GoalSkill(text=item.strip())
