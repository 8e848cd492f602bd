"""Tools over the engine that a chat model calls, bound per turn to the caller's learner id.

Each tool has a pydantic argument model that forbids unknown fields, so a ``learner_id`` the
model tries to pass is an invalid argument, not a way to reach another learner. The learner,
record and conversation state come from the ``ToolContext`` the service builds for the
authenticated caller. A tool never raises: invalid arguments and engine errors become a tool
result with an ``error`` that the model receives. Results are compact JSON that carry ids, so
the model can cite them and the verifier can check them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from advisor.chat.advising import Advising, ConversationState, pathway_card
from advisor.chat.catalog_search import CatalogSearch
from advisor.chat.events import PathwayCard
from advisor.chat.memory import RetrievedItem
from advisor.domain import (
    Advice,
    CredentialKind,
    LearnerRecord,
    Modality,
    Pathway,
)
from advisor.engine.explain import level_name
from advisor.engine.goals import goal_from_text
from advisor.errors import AdvisorError

logger = logging.getLogger(__name__)

DESCRIPTION_CHARS = 400
MAX_STEPS_SHOWN = 8
MAX_OPEN_GAPS_SHOWN = 5
SCHEMA_KEYS_LEFT_OUT = frozenset({"title", "maxLength", "minLength"})
ENGINE_RESULT = "engine"


class ToolArguments(BaseModel):
    """Base of tool argument models: unknown fields, a learner id included, are invalid."""

    model_config = ConfigDict(extra="forbid")


class SearchCatalogArgs(ToolArguments):
    """Search the credential catalog by topic, skill or title."""

    query: str = Field(min_length=1, max_length=300, description="Words to search for.")
    limit: int = Field(default=5, ge=1, le=10, description="Maximum number of results.")
    kind: CredentialKind | None = Field(default=None, description="Only credentials of this kind.")


class DescribeCredentialArgs(ToolArguments):
    """Describe one credential: provider, hours, cost, skills taught, prerequisites."""

    credential_id: str = Field(min_length=1, max_length=300, description="Catalog credential id.")


class NoArguments(ToolArguments):
    """A tool that takes no arguments."""


class GoalArgs(ToolArguments):
    """Analyse the skill gap toward a goal."""

    goal: str | None = Field(
        default=None,
        max_length=4000,
        description="Occupation title, job posting text, or skills separated by commas. "
        "Empty keeps the conversation's current goal.",
    )


class PlanPathwayArgs(ToolArguments):
    """Plan a pathway of credentials toward the goal within the constraints."""

    goal: str | None = Field(default=None, max_length=4000, description="New goal; empty keeps the current one.")
    hours_per_week: float | None = Field(default=None, gt=0, le=168)
    budget: float | None = Field(default=None, ge=0, description="Budget over known costs.")
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    deadline: date | None = Field(default=None, description="Finish by this date, YYYY-MM-DD.")
    modalities: list[Modality] | None = None
    max_credentials: int | None = Field(default=None, ge=1, le=50)
    exclude: list[str] | None = Field(default=None, description="Credential ids to leave out.")


class CompareArgs(ToolArguments):
    """Compare two credentials for this learner's goal."""

    first_id: str = Field(min_length=1, max_length=300)
    second_id: str = Field(min_length=1, max_length=300)


class SearchRecordArgs(ToolArguments):
    """Search the learner's own record items."""

    query: str = Field(min_length=1, max_length=300)
    limit: int = Field(default=5, ge=1, le=10)


@dataclass(frozen=True)
class RecordItemFound:
    """A record item of the caller found by a record search."""

    item_id: str
    item_type: str
    title: str
    score: float


RecordSearch = Callable[[str, int], list[RecordItemFound]]


@dataclass
class ToolContext:
    """The learner, record, state and services the tools of one turn act on, fixed by the service."""

    learner_id: str
    record: LearnerRecord | None
    state: ConversationState
    advising: Advising
    catalog: CatalogSearch
    record_search: RecordSearch


@dataclass
class ToolOutcome:
    """The result of one tool call, as sent to the model and stored in the exchange record."""

    name: str
    content: dict[str, Any]
    credential_ids: list[str] = field(default_factory=list)
    record_item_ids: list[str] = field(default_factory=list)
    retrieved: list[RetrievedItem] = field(default_factory=list)
    pathway: PathwayCard | None = None
    error: str | None = None

    @property
    def ids(self) -> list[str]:
        """Return every catalog and record id the result carries."""
        return [*self.credential_ids, *self.record_item_ids]

    def to_json(self) -> str:
        """Return the compact JSON the model reads."""
        body = {"error": self.error} if self.error else self.content
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)


@dataclass(frozen=True)
class ToolSpec:
    """A tool's name, argument model and the method that runs it."""

    name: str
    description: str
    arguments: type[ToolArguments]
    run: Callable[[Any], ToolOutcome]


class ToolBox:
    """The tools of one turn, bound to one learner, collecting what they return."""

    def __init__(self, context: ToolContext) -> None:
        self.context = context
        self.outcomes: list[ToolOutcome] = []
        self.specs = {
            spec.name: spec
            for spec in (
                ToolSpec("search_catalog", "Search the credential catalog by topic, skill or title.",
                         SearchCatalogArgs, self.search_catalog),
                ToolSpec("describe_credential", "Describe one credential by id: provider, hours, cost, "
                         "modality, skills taught and prerequisites.", DescribeCredentialArgs,
                         self.describe_credential),
                ToolSpec("get_learner_profile", "Return the learner's skills with levels and the record "
                         "items that evidence them.", NoArguments, self.get_learner_profile),
                ToolSpec("analyse_gap", "Work out the skills the learner lacks for a goal. Sets the goal "
                         "of the conversation when one is given.", GoalArgs, self.analyse_gap),
                ToolSpec("plan_pathway", "Plan an ordered pathway of credentials that closes the gap within "
                         "the constraints. Given values replace the conversation's goal and constraints.",
                         PlanPathwayArgs, self.plan_pathway),
                ToolSpec("cheaper_alternative", "Find a pathway that costs less than the recommended one.",
                         NoArguments, self.cheaper_alternative),
                ToolSpec("faster_alternative", "Find a pathway that takes fewer hours than the recommended one.",
                         NoArguments, self.faster_alternative),
                ToolSpec("compare_credentials", "Compare two credentials for the learner's goal: gap closed, "
                         "hours and cost.", CompareArgs, self.compare_credentials),
                ToolSpec("search_my_record", "Search the learner's own record items (achievements, degrees, "
                         "work, projects, skills).", SearchRecordArgs, self.search_my_record),
            )
        }

    def schemas(self) -> list[dict[str, Any]]:
        """Return the OpenAI function schemas of every tool."""
        return [
            {
                "type": "function",
                "function": {
                    "name": spec.name,
                    "description": spec.description,
                    "parameters": parameters_schema(spec.arguments),
                },
            }
            for spec in self.specs.values()
        ]

    def run(self, name: str, arguments: dict[str, Any]) -> ToolOutcome:
        """Run a tool by name; invalid arguments and engine errors become an error outcome."""
        spec = self.specs.get(name)
        if spec is None:
            outcome = ToolOutcome(name, {}, error=f"Unknown tool {name!r}. Known tools: {sorted(self.specs)}.")
        else:
            outcome = self.run_spec(spec, arguments)
        self.outcomes.append(outcome)
        logger.debug("Tool %s for learner %s: %s", name, self.context.learner_id, outcome.error or "ok")
        return outcome

    def run_spec(self, spec: ToolSpec, arguments: dict[str, Any]) -> ToolOutcome:
        """Validate the arguments and run the tool."""
        try:
            parsed = spec.arguments.model_validate(arguments)
        except ValidationError as error:
            return ToolOutcome(spec.name, {}, error=f"Invalid arguments for {spec.name}: {describe_errors(error)}.")

        try:
            return spec.run(parsed)
        except AdvisorError as error:
            message = error.message + (f" {error.hint}" if error.hint else "")
            return ToolOutcome(spec.name, {}, error=message)

    def record_engine_result(
        self, credential_ids: list[str], record_item_ids: list[str], pathway: PathwayCard | None, intent: str
    ) -> ToolOutcome:
        """Store the engine's output of a turn that ran the engine without a tool call.

        The offline responder and the engine-first path call the engine themselves; storing
        what it returned here makes it this turn's evidence, as a tool result would be.
        """
        retrieved = [RetrievedItem(id=item, kind="credential") for item in credential_ids]
        retrieved += [RetrievedItem(id=item, kind="record_item") for item in record_item_ids]
        outcome = ToolOutcome(
            ENGINE_RESULT, {"intent": intent}, list(credential_ids), list(record_item_ids), retrieved, pathway
        )
        self.outcomes.append(outcome)
        return outcome

    # What the turn's tools returned, for the verifier and the exchange record.

    @property
    def credential_ids(self) -> set[str]:
        """Return every credential id the tools of this turn returned."""
        return {credential_id for outcome in self.outcomes for credential_id in outcome.credential_ids}

    @property
    def record_item_ids(self) -> set[str]:
        """Return every record item id the tools of this turn returned."""
        return {item_id for outcome in self.outcomes for item_id in outcome.record_item_ids}

    @property
    def retrieved(self) -> list[RetrievedItem]:
        """Return the items the tools returned, each once with its best score."""
        best: dict[str, RetrievedItem] = {}
        for outcome in self.outcomes:
            for item in outcome.retrieved:
                current = best.get(item.id)
                if current is None or (item.score or 0) > (current.score or 0):
                    best[item.id] = item
        return list(best.values())

    @property
    def last_pathway(self) -> PathwayCard | None:
        """Return the last pathway a tool planned in this turn."""
        cards = [outcome.pathway for outcome in self.outcomes if outcome.pathway is not None]
        return cards[-1] if cards else None

    # The tools.

    def search_catalog(self, args: SearchCatalogArgs) -> ToolOutcome:
        """Search the catalog and return ids, titles, hours and costs."""
        hits = self.context.catalog.search(args.query, args.limit, args.kind.value if args.kind else None)
        credentials = self.context.advising.knowledge.credentials
        results = []
        for hit in hits:
            credential = credentials[hit.id]
            results.append(
                {
                    "id": credential.id,
                    "title": credential.title,
                    "provider": credential.provider,
                    "kind": credential.kind.value,
                    "hours": credential.hours,
                    "cost": cost_value(credential.cost),
                    "currency": credential.currency,
                    "score": round(hit.score, 4),
                }
            )
        retrieved = [RetrievedItem(id=hit.id, score=hit.score, kind="credential") for hit in hits]
        return ToolOutcome("search_catalog", {"results": results}, [hit.id for hit in hits], retrieved=retrieved)

    def describe_credential(self, args: DescribeCredentialArgs) -> ToolOutcome:
        """Describe one credential from the catalog."""
        advising = self.context.advising
        advising.require_credential(args.credential_id)
        knowledge = advising.knowledge
        credential = knowledge.credentials[args.credential_id]
        content = {
            "id": credential.id,
            "title": credential.title,
            "provider": credential.provider,
            "kind": credential.kind.value,
            "level": credential.level.value if credential.level else None,
            "modality": credential.modality.value,
            "language": credential.language,
            "hours": credential.hours,
            "cost": cost_value(credential.cost),
            "currency": credential.currency,
            "url": str(credential.url) if credential.url else None,
            "skills": [skill_entry(knowledge, item.skill_id, int(item.level)) for item in credential.skills],
            "prerequisite_skills": [
                skill_entry(knowledge, item.skill_id, int(item.level)) for item in credential.prerequisite_skills
            ],
            "prerequisite_credentials": list(credential.prerequisite_credentials),
            "part_of": list(credential.is_part_of),
            "catalog_description": (credential.description or "")[:DESCRIPTION_CHARS] or None,
        }
        related = [*credential.prerequisite_credentials, *credential.is_part_of]
        ids = [credential.id, *[item for item in related if item in knowledge.credentials]]
        retrieved = [RetrievedItem(id=credential.id, score=1.0, kind="credential")]
        return ToolOutcome("describe_credential", content, ids, retrieved=retrieved)

    def get_learner_profile(self, _args: NoArguments) -> ToolOutcome:
        """Return the caller's skill profile."""
        profile = self.context.advising.profile(self.context.record)
        skills = [
            {
                "skill_id": skill.skill_id,
                "label": skill.label,
                "level": level_name(int(skill.level)),
                "evidence": skill.strength.value,
                "record_items": skill.record_item_ids,
            }
            for skill in sorted(profile.skills.values(), key=lambda item: item.label)
        ]
        held = dict(profile.held_credentials)
        record_ids = sorted({item for skill in profile.skills.values() for item in skill.record_item_ids})
        content = {
            "has_record": self.context.record is not None,
            "skills": skills,
            "held_credentials": held,
            "unmatched_skills": [item.text for item in profile.unmatched][:10],
        }
        retrieved = [RetrievedItem(id=item, kind="record_item") for item in record_ids]
        return ToolOutcome(
            "get_learner_profile", content, list(held), [*record_ids, *held.values()], retrieved=retrieved
        )

    def analyse_gap(self, args: GoalArgs) -> ToolOutcome:
        """Work out the gap toward the given or current goal."""
        state = self.context.state
        goal = goal_from_text(args.goal) if args.goal else state.goal
        if goal is None:
            return ToolOutcome("analyse_gap", {}, error="No goal is set. Pass a goal: an occupation or skills.")

        advice = self.context.advising.advice(self.context.record, goal, state.constraints)
        state.goal = goal
        gap = advice.gap
        content = {
            "goal": advice.goal.title,
            "occupation_id": advice.goal.occupation_id,
            "missing": [gap_entry(item) for item in gap.skills[:25]],
            "missing_total": len(gap.skills),
            "met": [gap_entry(item) for item in gap.met[:15]],
            "met_total": len(gap.met),
            "unmatched_goal_skills": [item.text for item in advice.goal.unmatched],
        }
        record_ids = sorted({item for entry in gap.met for item in entry.record_item_ids})
        return ToolOutcome("analyse_gap", content, [], record_ids)

    def plan_pathway(self, args: PlanPathwayArgs) -> ToolOutcome:
        """Plan a pathway, first applying any new goal and constraints to the conversation."""
        state = self.context.state
        goal = goal_from_text(args.goal) if args.goal else state.goal
        if goal is None:
            return ToolOutcome("plan_pathway", {}, error="No goal is set. Pass a goal: an occupation or skills.")

        updates = args.model_dump(exclude_none=True, exclude={"goal"})
        if "currency" in updates:
            updates["currency"] = updates["currency"].upper()
        constraints = state.constraints.model_copy(update=updates)
        constraints = type(constraints).model_validate(constraints.model_dump())

        advice = self.context.advising.advice(self.context.record, goal, constraints)
        state.goal = goal
        state.constraints = constraints
        return self.pathway_outcome("plan_pathway", advice, advice.pathway, "recommended", None)

    def cheaper_alternative(self, _args: NoArguments) -> ToolOutcome:
        """Find a cheaper pathway for the current goal and constraints."""
        return self.alternative("cheaper_alternative", "cheaper", self.context.advising.cheaper)

    def faster_alternative(self, _args: NoArguments) -> ToolOutcome:
        """Find a faster pathway for the current goal and constraints."""
        return self.alternative("faster_alternative", "faster", self.context.advising.faster)

    def alternative(self, name: str, label: str, find: Callable[..., tuple[Pathway | None, str]]) -> ToolOutcome:
        """Run one of the engine's alternative searches."""
        state = self.context.state
        if state.goal is None:
            return ToolOutcome(name, {}, error="No goal is set. Plan a pathway toward a goal first.")
        advice = self.context.advising.advice(self.context.record, state.goal, state.constraints)
        found, note = find(self.context.record, state.goal, state.constraints)
        if found is None:
            content = {"found": False, "note": note, "recommended": compact_pathway(advice, advice.pathway)}
            return ToolOutcome(name, content, advice.pathway.credential_ids)
        return self.pathway_outcome(name, advice, found, label, note)

    def pathway_outcome(
        self, name: str, advice: Advice, pathway: Pathway, label: str, note: str | None
    ) -> ToolOutcome:
        """Return a pathway as a compact result with its card."""
        content = compact_pathway(advice, pathway)
        if note:
            content = {"found": True, "note": note, **content}
        ids = pathway.credential_ids + [item for gap in pathway.open_gaps for item in gap.credential_ids]
        record_ids = sorted(
            {item for step in pathway.steps for item in step.citations if item not in self.context.advising.knowledge.credentials}
        )
        retrieved = [RetrievedItem(id=step.credential_id, score=None, kind="credential") for step in pathway.steps]
        card = pathway_card(self.context.advising.knowledge, advice, pathway, label)
        return ToolOutcome(name, content, list(dict.fromkeys(ids)), record_ids, retrieved, card)

    def compare_credentials(self, args: CompareArgs) -> ToolOutcome:
        """Compare two credentials for the current goal."""
        state = self.context.state
        if state.goal is None:
            return ToolOutcome("compare_credentials", {}, error="No goal is set. Set a goal before comparing.")
        comparison = self.context.advising.compare(self.context.record, state.goal, args.first_id, args.second_id)
        content = {
            "first": assessment_entry(comparison.first),
            "second": assessment_entry(comparison.second),
            "more_gap_closed": comparison.more_gap_closed,
            "fewer_hours": comparison.fewer_hours,
            "cheaper": comparison.cheaper,
        }
        ids = [args.first_id, args.second_id]
        ids += [item for item in comparison.first.citations + comparison.second.citations
                if item in self.context.advising.knowledge.credentials]
        record_ids = [item for item in comparison.first.citations + comparison.second.citations
                      if item not in self.context.advising.knowledge.credentials]
        return ToolOutcome("compare_credentials", content, list(dict.fromkeys(ids)), list(dict.fromkeys(record_ids)))

    def search_my_record(self, args: SearchRecordArgs) -> ToolOutcome:
        """Search the caller's own record items."""
        found = self.context.record_search(args.query, args.limit)
        content = {
            "results": [
                {"id": item.item_id, "type": item.item_type, "title": item.title, "score": round(item.score, 4)}
                for item in found
            ]
        }
        retrieved = [RetrievedItem(id=item.item_id, score=item.score, kind="record_item") for item in found]
        return ToolOutcome("search_my_record", content, [], [item.item_id for item in found], retrieved)


@lru_cache(maxsize=32)
def parameters_schema(model: type[BaseModel]) -> dict[str, Any]:
    """Return the JSON schema of an argument model, without the titles pydantic adds.

    The result is cached and shared, so callers must not change it.
    """
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})
    properties = {name: compact_property(value, definitions) for name, value in schema.get("properties", {}).items()}
    compact: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if schema.get("required"):
        compact["required"] = schema["required"]
    return compact


def compact_property(value: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """Return a property schema without titles, null defaults or nullable unions, refs inlined.

    An optional field is left out of ``required`` instead of being typed as nullable, and
    string lengths are left to the argument model's validation, which keeps the schemas the
    model reads on every request about a third shorter.
    """
    value = {key: item for key, item in value.items() if key not in SCHEMA_KEYS_LEFT_OUT}
    if value.get("default", 0) is None:
        value.pop("default")
    if "$ref" in value:
        value = {**resolve_ref(value.pop("$ref"), definitions), **value}
    options = [option for option in value.pop("anyOf", []) if option.get("type") != "null"]
    if len(options) == 1:
        value = {**compact_property(options[0], definitions), **value}
    elif options:
        value["anyOf"] = [compact_property(option, definitions) for option in options]
    if isinstance(value.get("items"), dict):
        value["items"] = compact_property(value["items"], definitions)
    return value


def resolve_ref(reference: str, definitions: dict[str, Any]) -> dict[str, Any]:
    """Return the definition a local ``#/$defs/Name`` reference points to, without its title."""
    definition = dict(definitions.get(reference.rsplit("/", 1)[-1], {}))
    definition.pop("title", None)
    definition.pop("description", None)
    return definition


def describe_errors(error: ValidationError) -> str:
    """Return the validation errors as one line: field and message of each."""
    parts = []
    for item in error.errors()[:5]:
        location = ".".join(str(part) for part in item.get("loc", ())) or "arguments"
        parts.append(f"{location}: {item.get('msg', 'invalid')}")
    return "; ".join(parts)


def cost_value(cost: float | None) -> float | str:
    """Return a cost for a tool result: the number, or 'unknown', which is not free."""
    return "unknown" if cost is None else cost


def skill_entry(knowledge: Any, skill_id: str, level: int) -> dict[str, Any]:
    """Return a skill id, label and level name."""
    skill = knowledge.skills.get(skill_id)
    return {"skill_id": skill_id, "label": skill.label if skill else skill_id, "level": level_name(level)}


def gap_entry(item: Any) -> dict[str, Any]:
    """Return a gap skill: label, id, current and required levels, and the record items behind it."""
    entry = {
        "skill_id": item.skill_id,
        "label": item.label,
        "current": level_name(item.current_level),
        "required": level_name(int(item.required_level)),
    }
    if item.record_item_ids:
        entry["record_items"] = item.record_item_ids
    return entry


def compact_pathway(advice: Advice, pathway: Pathway) -> dict[str, Any]:
    """Return a pathway as compact JSON: steps with ids, hours, costs and the skills they close."""
    steps = []
    for step in pathway.steps[:MAX_STEPS_SHOWN]:
        entry: dict[str, Any] = {
            "n": step.order,
            "id": step.credential_id,
            "title": step.title,
            "hours": step.hours if not step.hours_estimated else None,
            "cost": cost_value(step.cost),
            "currency": step.currency,
            "closes": [closure.label for closure in step.closes],
        }
        if step.hours_estimated:
            entry["hours_note"] = f"not stated by the provider; planned as {step.hours:g}"
        requires = [note.target_id for note in step.prerequisites if note.kind == "credential"]
        if requires:
            entry["after"] = requires
        steps.append(entry)
    return {
        "goal": advice.goal.title,
        "occupation_id": advice.goal.occupation_id,
        "steps": steps,
        "steps_total": len(pathway.steps),
        "total_hours": pathway.total_hours,
        "weeks": pathway.weeks,
        "hours_per_week": pathway.hours_per_week,
        "known_cost": pathway.known_cost,
        "currency": pathway.currency,
        "unknown_cost_ids": pathway.unknown_cost_ids,
        "gap_covered": round(pathway.covered_weight / pathway.total_weight, 3) if pathway.total_weight else 1.0,
        "left_open": [{"label": gap.label, "reason": gap.reason.value} for gap in pathway.open_gaps[:MAX_OPEN_GAPS_SHOWN]],
        "left_open_total": len(pathway.open_gaps),
    }


def assessment_entry(assessment: Any) -> dict[str, Any]:
    """Return one side of a comparison."""
    return {
        "id": assessment.credential_id,
        "title": assessment.title,
        "held": assessment.held,
        "closes": [closure.label for closure in assessment.closes],
        "gap_closed": assessment.covered_weight,
        "hours": assessment.hours,
        "cost": cost_value(assessment.cost),
        "currency": assessment.currency,
        "missing_prerequisites": [note.label for note in assessment.missing_prerequisites],
    }
