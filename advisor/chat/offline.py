"""The grounded offline responder: a whole conversation without a chat model.

It recognises the intent of each message (``intents.recognise``), calls the same engine as
the LLM tools through ``Advising``, and writes the answer from the engine's output with every
credential, record item and occupation cited by id (``grounded``). The goal and constraints
live in the ``ConversationState`` the caller passes in and stores between turns. The LLM turn
uses it too, for the grounded answer that replaces a failed or unverifiable model answer.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError
from rapidfuzz import fuzz, process

from advisor.chat.advising import Advising, ConversationState, pathway_card
from advisor.chat.catalog_search import CatalogSearch
from advisor.chat.events import CitationEvent, PathwayCard
from advisor.chat.grounded import (
    AnswerDraft,
    join_words,
    write_advice,
    write_comparison,
    write_credential,
    write_not_in_plan,
    write_pathway,
    write_profile,
    write_step_reasons,
    write_title_notes,
)
from advisor.chat.intents import Intent, IntentKind, recognise
from advisor.chat.verifier import AnswerVerifier, ProblemKind
from advisor.domain import (
    Advice,
    Constraints,
    GoalKind,
    KnowledgeBase,
    LearnerRecord,
    Pathway,
    PathwayStep,
    UnknownCostPolicy,
)
from advisor.engine.goals import goal_from_text
from advisor.engine.normalize import clean
from advisor.errors import AdvisorError, InvalidInputError

logger = logging.getLogger(__name__)

TITLE_MATCH_SCORE = 85.0
PLAN_TITLE_MATCH_SCORE = 85.0
SEARCH_TITLE_MATCH_SCORE = 70.0
SHORT_GOAL_WORDS = 5
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6}
STEP_REFERENCE = re.compile(r"^(?:the\s+)?(?:step|number|no\.?|#)\s*(\d+)$|^(?:the\s+)?(first|second|third|fourth|"
                            r"fifth|sixth|last)(?:\s+(?:one|step|course|credential))?$", re.IGNORECASE)

# Requests the engine answers; the LLM turn runs the engine first for these.
ENGINE_INTENTS = frozenset({
    IntentKind.SET_GOAL, IntentKind.CONSTRAINTS, IntentKind.NEXT, IntentKind.WHY, IntentKind.COVERS,
    IntentKind.CHEAPER, IntentKind.FASTER, IntentKind.COMPARE, IntentKind.MY_SKILLS, IntentKind.ALL_STEPS,
})
# A clause left over beside constraints is tried as an occupation title unless it starts like
# a sentence about the learner ("I have", "I can do"), which names no occupation.
NOT_A_TITLE = re.compile(r"^(?:i|i'm|i've|i'd|my|we|and|but|so|also|a|an|the)\b", re.IGNORECASE)

EXAMPLES = (
    "- set a goal: \"I want to become a data analyst\" or \"I want to learn python, sql\"\n"
    "- give constraints: \"5 hours a week\", \"budget $300\", \"by 2026-12-31\", \"online only\"\n"
    "- see your plan: \"what should I take next?\", and every step of it: \"show all steps\"\n"
    "- ask about a step: \"why step 2?\" or \"why <course title>?\"\n"
    "- ask what a credential covers: \"what does <course title> cover?\"\n"
    "- look for alternatives: \"something cheaper?\" or \"anything faster?\"\n"
    "- compare: \"compare <course A> and <course B>\"\n"
    "- see your skills: \"what skills do I have?\""
)


@dataclass
class GroundedAnswer:
    """An answer written from the engine's output, with what it cites."""

    text: str
    intent: IntentKind
    understood: bool = True
    credential_ids: list[str] = field(default_factory=list)
    record_item_ids: list[str] = field(default_factory=list)
    citations: list[CitationEvent] = field(default_factory=list)
    pathway: PathwayCard | None = None


@dataclass(frozen=True)
class Resolved:
    """A credential reference resolved to a catalog id, and whether it names a plan step."""

    credential_id: str
    step: PathwayStep | None = None


class OfflineResponder:
    """Answers messages from the engine alone, holding goal and constraints in the given state."""

    def __init__(
        self,
        advising: Advising,
        catalog: CatalogSearch,
        today: date | None = None,
        verifier: AnswerVerifier | None = None,
    ) -> None:
        self.advising = advising
        self.catalog = catalog
        self.today = today
        self.knowledge = advising.knowledge
        self.verifier = verifier or AnswerVerifier(advising.knowledge)
        self.titles = {credential_id: clean(item.title) for credential_id, item in self.knowledge.credentials.items()}
        self.title_ids = list(self.titles)
        self.title_texts = list(self.titles.values())

    def respond(
        self,
        message: str,
        record: LearnerRecord | None,
        state: ConversationState,
        *,
        plan_when_unknown: bool = False,
    ) -> GroundedAnswer:
        """Answer one message, updating the goal and constraints in ``state``.

        ``plan_when_unknown`` answers a message it does not understand with the current plan
        when a goal is set, which is what the LLM turn wants from a fallback answer.
        """
        intent = self.recognise(message)
        if intent.kind is IntentKind.UNKNOWN and plan_when_unknown and state.goal is not None:
            intent = Intent(IntentKind.NEXT)
        return self.answer(intent, record, state)

    def respond_if_understood(
        self, message: str, record: LearnerRecord | None, state: ConversationState
    ) -> GroundedAnswer | None:
        """Answer a message whose request the engine serves, or return None and leave the state alone.

        Greetings, requests for help and messages the recogniser does not understand return
        None, because a chat model answers those better than the engine.
        """
        intent = self.recognise(message)
        if intent.kind not in ENGINE_INTENTS:
            return None
        return self.answer(intent, record, state)

    def recognise(self, message: str) -> Intent:
        """Recognise a message's intent, taking a short occupation title as a goal."""
        intent = recognise(message, self.today or date.today())
        logger.debug("Offline intent %s with constraints %s", intent.kind.value, sorted(intent.constraints))
        if intent.kind is IntentKind.UNKNOWN:
            intent = self.guess_goal(message, intent)
        elif intent.kind is IntentKind.CONSTRAINTS and len(intent.unmatched_clauses) == 1:
            clause = intent.unmatched_clauses[0]
            if not NOT_A_TITLE.match(clause):
                intent = self.guess_goal(clause, intent)
        return intent

    def answer(self, intent: Intent, record: LearnerRecord | None, state: ConversationState) -> GroundedAnswer:
        """Run the engine for an intent and write the answer from its output."""
        draft = AnswerDraft(self.knowledge)
        understood = self.dispatch(intent, draft, record, state)
        write_title_notes(draft, self.echoed_titles(draft))
        return GroundedAnswer(
            text=draft.text,
            intent=intent.kind,
            understood=understood,
            credential_ids=list(draft.credential_ids),
            record_item_ids=list(draft.record_item_ids),
            citations=draft.citations(),
            pathway=draft.pathway,
        )

    def dispatch(self, intent: Intent, draft: AnswerDraft, record: LearnerRecord | None, state: ConversationState) -> bool:
        """Run the handler of an intent; return False when the message was not understood."""
        if intent.constraints and not self.apply_constraints(intent, draft, state):
            return True

        handlers = {
            IntentKind.HELP: self.answer_help,
            IntentKind.GREET: self.answer_greeting,
            IntentKind.SET_GOAL: self.answer_goal,
            IntentKind.CONSTRAINTS: self.answer_plan,
            IntentKind.NEXT: self.answer_plan,
            IntentKind.ALL_STEPS: self.answer_all_steps,
            IntentKind.WHY: self.answer_why,
            IntentKind.COVERS: self.answer_covers,
            IntentKind.CHEAPER: self.answer_alternative,
            IntentKind.FASTER: self.answer_alternative,
            IntentKind.COMPARE: self.answer_compare,
            IntentKind.MY_SKILLS: self.answer_skills,
        }
        handler = handlers.get(intent.kind)
        if handler is None:
            self.answer_unknown(draft)
            return False
        handler(intent, draft, record, state)
        return True

    # State changes.

    def apply_constraints(self, intent: Intent, draft: AnswerDraft, state: ConversationState) -> bool:
        """Merge stated constraints into the state and acknowledge them; False when they are invalid."""
        merged = {**state.constraints.model_dump(), **intent.constraints}
        try:
            constraints = Constraints.model_validate(merged)
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, item['loc']))}: {item['msg']}" for item in error.errors()[:3])
            draft.add(f"I could not use those constraints ({problems}). Nothing was changed.")
            return False

        if constraints.deadline and constraints.deadline <= (self.today or date.today()):
            draft.add(f"The deadline {constraints.deadline.isoformat()} is not in the future, so I kept your "
                      "previous constraints.")
            return False

        state.constraints = constraints
        draft.add("Noted: " + describe_constraints(intent.constraints) + ".")
        if "budget" in intent.constraints:
            write_unpriced_note(draft, self.knowledge, constraints)
        return True

    def guess_goal(self, message: str, intent: Intent) -> Intent:
        """Treat a short message that names an occupation, such as 'data analyst', as a goal."""
        words = message.strip(" ?!.").split()
        if not words or len(words) > SHORT_GOAL_WORDS:
            return intent
        try:
            goal = goal_from_text(message.strip(" ?!."))
            if goal.kind is not GoalKind.OCCUPATION:
                return intent
            self.advising.advice(None, goal, Constraints())
        except AdvisorError:
            return intent
        return Intent(IntentKind.SET_GOAL, goal_text=message.strip(" ?!."), constraints=intent.constraints,
                      constraint_phrases=intent.constraint_phrases)

    # Handlers.

    def answer_help(self, _intent: Intent, draft: AnswerDraft, _record: Any, state: ConversationState) -> None:
        """List what the responder can do."""
        draft.add("I plan what to learn next from the course catalog and your record. You can:\n" + EXAMPLES)
        if state.goal is not None:
            draft.add(f"Your current goal is {describe_goal(state)}.")

    def answer_greeting(self, _intent: Intent, draft: AnswerDraft, _record: Any, state: ConversationState) -> None:
        """Greet and say what to do next."""
        if state.goal is None:
            draft.add("Hello! I help you plan which courses and credentials to take next. Tell me your goal, "
                      "for example \"I want to become a data analyst\", or say \"help\" to see what I can do.")
        else:
            draft.add(f"Hello again! Your goal is {describe_goal(state)}. Ask \"what should I take next?\" to see "
                      "your plan.")

    def answer_goal(self, intent: Intent, draft: AnswerDraft, record: LearnerRecord | None, state: ConversationState) -> None:
        """Set the goal when the engine can resolve it, then show the plan."""
        text = intent.goal_text or ""
        try:
            goal = goal_from_text(text)
            advice = self.advising.advice(record, goal, state.constraints)
        except InvalidInputError as error:
            kept = f" Your goal is still {describe_goal(state)}." if state.goal else ""
            draft.add(f"I could not use \"{text}\" as a goal: {error.message}{kept} Try an occupation title such as "
                      "\"data analyst\", or skills separated by commas.")
            return

        state.goal = goal
        write_advice(draft, advice, pathway_card(self.knowledge, advice, advice.pathway))

    def answer_plan(self, _intent: Intent, draft: AnswerDraft, record: LearnerRecord | None, state: ConversationState) -> None:
        """Show the recommended pathway for the current goal and constraints."""
        advice = self.current_advice(draft, record, state)
        if advice is not None:
            write_advice(draft, advice, pathway_card(self.knowledge, advice, advice.pathway))

    def answer_all_steps(self, _intent: Intent, draft: AnswerDraft, record: LearnerRecord | None, state: ConversationState) -> None:
        """List every step of the recommended pathway."""
        advice = self.current_advice(draft, record, state)
        if advice is None:
            return
        write_pathway(draft, advice.pathway, f"All {len(advice.pathway.steps)} steps of your pathway toward "
                      f"{advice.goal.title}, in order:", max_steps=None)
        draft.pathway = pathway_card(self.knowledge, advice, advice.pathway)

    def answer_why(self, intent: Intent, draft: AnswerDraft, record: LearnerRecord | None, state: ConversationState) -> None:
        """Explain why a credential is in the plan and where it comes, or why it is not."""
        advice = self.current_advice(draft, record, state)
        if advice is None:
            return
        resolved = self.resolve(intent.references[0], advice, draft)
        if resolved is None:
            return
        if resolved.step is not None:
            write_step_reasons(draft, advice, resolved.step)
            return
        assessment = self.advising.assess(record, state.goal, state.constraints, resolved.credential_id)  # type: ignore[arg-type]
        excluded = resolved.credential_id in state.constraints.exclude
        write_not_in_plan(draft, advice, assessment, excluded)

    def answer_covers(self, intent: Intent, draft: AnswerDraft, record: LearnerRecord | None, state: ConversationState) -> None:
        """Describe what a credential covers, and where it sits in the plan."""
        advice = self.advice_if_goal(record, state)
        resolved = self.resolve(intent.references[0], advice, draft)
        if resolved is None:
            return
        write_credential(draft, resolved.credential_id)
        if resolved.step is not None and advice is not None:
            draft.add(f"It is step {resolved.step.order} of your pathway toward {advice.goal.title}; ask "
                      f"\"why step {resolved.step.order}?\" to see why.")

    def answer_alternative(self, intent: Intent, draft: AnswerDraft, record: LearnerRecord | None, state: ConversationState) -> None:
        """Find a cheaper or faster pathway than the recommended one."""
        advice = self.current_advice(draft, record, state)
        if advice is None:
            return
        cheaper = intent.kind is IntentKind.CHEAPER
        find = self.advising.cheaper if cheaper else self.advising.faster
        found, note = find(record, state.goal, state.constraints)  # type: ignore[arg-type]
        recommended = advice.pathway
        if found is None:
            word = "cheaper" if cheaper else "faster"
            draft.add(f"I found no {word} pathway: {note}. The recommended pathway stays the best fit.")
            draft.pathway = pathway_card(self.knowledge, advice, recommended)
            return

        kept = found.covered_weight / recommended.covered_weight if recommended.covered_weight else 1.0
        label = "cheaper" if cheaper else "faster"
        if cheaper and not cost_is_lower(found, recommended):
            if not write_unpriced_alternative(draft, found, recommended, kept):
                draft.pathway = pathway_card(self.knowledge, advice, recommended)
                return
            label = "faster"
        elif cheaper:
            draft.add(
                f"Here is a cheaper pathway. Its known costs add up to {found.known_cost:g}{currency_suffix(found)} against "
                f"{recommended.known_cost:g}{currency_suffix(recommended)} for the recommended pathway"
                f"{unknown_cost_clause(found)}. It keeps {kept:.0%} of what the recommended pathway covers."
            )
        else:
            draft.add(
                f"Here is a faster pathway: {found.total_hours:g} hours against {recommended.total_hours:g} hours "
                f"for the recommended one. It keeps {kept:.0%} of what the recommended pathway covers."
            )
        write_pathway(draft, found, "Its steps, in order:")
        draft.pathway = pathway_card(self.knowledge, advice, found, label)

    def answer_compare(self, intent: Intent, draft: AnswerDraft, record: LearnerRecord | None, state: ConversationState) -> None:
        """Compare two credentials for the current goal."""
        advice = self.current_advice(draft, record, state)
        if advice is None:
            return
        first = self.resolve(intent.references[0], advice, draft)
        second = self.resolve(intent.references[1], advice, draft)
        if first is None or second is None:
            return
        if first.credential_id == second.credential_id:
            draft.add(f"Both names point to {draft.credential(first.credential_id)}. Name two different credentials.")
            return
        comparison = self.advising.compare(record, state.goal, first.credential_id, second.credential_id)  # type: ignore[arg-type]
        write_comparison(draft, comparison, advice.goal.title)

    def answer_skills(self, _intent: Intent, draft: AnswerDraft, record: LearnerRecord | None, _state: ConversationState) -> None:
        """List the skills the learner's record shows."""
        write_profile(draft, self.advising.profile(record), record is not None)

    def answer_unknown(self, draft: AnswerDraft) -> None:
        """Say plainly that the message was not understood, with examples."""
        draft.add("Sorry, I did not understand that. Here is what I can do:\n" + EXAMPLES)

    # Helpers.

    def echoed_titles(self, draft: AnswerDraft) -> list[str]:
        """Return the credentials the draft names by title without citing them.

        Such a title comes from the learner's words that the draft quotes back, never from a
        credential the engine chose, because the writers cite every credential they name.
        """
        problems = self.verifier.verify(
            draft.text, credential_ids=draft.credential_ids, record_item_ids=draft.record_item_ids, learner_id=""
        )
        found = [problem.credential_id for problem in problems if problem.kind is ProblemKind.CREDENTIAL_NOT_FROM_TOOLS]
        return [item for item in dict.fromkeys(found) if item is not None]

    def current_advice(self, draft: AnswerDraft, record: LearnerRecord | None, state: ConversationState) -> Advice | None:
        """Return advice for the current goal, or write that a goal is needed first."""
        if state.goal is None:
            draft.add("You have not told me your goal yet. Say, for example, \"I want to become a data analyst\" "
                      "or \"I want to learn python, sql\".")
            return None
        try:
            return self.advising.advice(record, state.goal, state.constraints)
        except InvalidInputError as error:
            draft.add(f"I could not plan toward your goal: {error.message} Set another goal to go on.")
            return None

    def advice_if_goal(self, record: LearnerRecord | None, state: ConversationState) -> Advice | None:
        """Return advice for the current goal, or None without a goal or when it cannot be planned."""
        if state.goal is None:
            return None
        try:
            return self.advising.advice(record, state.goal, state.constraints)
        except InvalidInputError:
            return None

    def resolve(self, reference: str, advice: Advice | None, draft: AnswerDraft) -> Resolved | None:
        """Resolve a phrase to a credential, or write that none was found and return None.

        Tried in order: a catalog id in the phrase, a step number or ordinal, a title of a plan
        step, a catalog title, and finally the catalog search when its top hit's title is close.
        """
        steps = advice.pathway.steps if advice else []
        by_id = {step.credential_id: step for step in steps}

        for token in re.findall(r"[^\s\[\]\"',;?]+", reference):
            if token in self.knowledge.credentials:
                return Resolved(token, by_id.get(token))

        step = self.step_by_position(reference, steps)
        if step is not None:
            return Resolved(step.credential_id, step)
        if STEP_REFERENCE.match(reference.strip()):
            draft.add(f"Your pathway has {len(steps)} steps, so \"{reference}\" names none of them." if steps
                      else "You have no pathway yet. Tell me your goal first.")
            return None

        key = clean(reference)
        if steps and key:
            found = process.extractOne(key, [clean(step.title) for step in steps], scorer=fuzz.token_sort_ratio,
                                       score_cutoff=PLAN_TITLE_MATCH_SCORE)
            if found is not None:
                return Resolved(steps[found[2]].credential_id, steps[found[2]])

        credential_id = self.match_title(key)
        if credential_id is not None:
            return Resolved(credential_id, by_id.get(credential_id))

        suggestions = self.catalog.search(reference, 3) if key else []
        if suggestions:
            top = suggestions[0].id
            if fuzz.token_set_ratio(key, self.titles[top]) >= SEARCH_TITLE_MATCH_SCORE:
                return Resolved(top, by_id.get(top))
            names = join_words([draft.credential(hit.id) for hit in suggestions])
            draft.add(f"I found no credential called \"{reference}\". Did you mean {names}?")
            return None
        draft.add(f"I found no credential called \"{reference}\" in the catalog. Use its title or its id.")
        return None

    @staticmethod
    def step_by_position(reference: str, steps: list[PathwayStep]) -> PathwayStep | None:
        """Return the step a phrase such as 'step 2', 'the first one' or 'the last step' names."""
        match = STEP_REFERENCE.match(reference.strip())
        if match is None or not steps:
            return None
        if match.group(1):
            position = int(match.group(1))
        elif match.group(2).lower() == "last":
            position = len(steps)
        else:
            position = ORDINALS[match.group(2).lower()]
        return steps[position - 1] if 1 <= position <= len(steps) else None

    def match_title(self, key: str) -> str | None:
        """Return the credential whose title is closest to ``key`` when it is close enough."""
        if not key:
            return None
        exact = [credential_id for credential_id, title in self.titles.items() if title == key]
        if exact:
            return min(exact)
        found = process.extractOne(key, self.title_texts, scorer=fuzz.ratio, score_cutoff=TITLE_MATCH_SCORE)
        return self.title_ids[found[2]] if found else None


def describe_goal(state: ConversationState) -> str:
    """Describe the conversation's goal in a few words."""
    goal = state.goal
    if goal is None:
        return "not set"
    if goal.kind is GoalKind.OCCUPATION:
        return f"\"{goal.occupation}\""
    if goal.kind is GoalKind.SKILLS:
        return "the skills " + join_words([item.text for item in goal.skills])
    return "the job posting you gave"


def describe_constraints(updates: dict[str, Any]) -> str:
    """Describe constraint updates in words."""
    parts = []
    if "hours_per_week" in updates:
        parts.append(f"{updates['hours_per_week']:g} hours per week")
    if "budget" in updates:
        if updates["budget"] == 0 and updates.get("unknown_cost") == "exclude":
            parts.append("only credentials known to be free")
        else:
            currency = f" {updates['currency']}" if updates.get("currency") else ""
            parts.append(f"a budget of {updates['budget']:g}{currency}")
    if "deadline" in updates:
        parts.append(f"finish by {updates['deadline'].isoformat()}")
    if "modalities" in updates:
        parts.append(" or ".join(item.replace("_", " ") for item in updates["modalities"]) + " only")
    return join_words(parts)


def currency_suffix(pathway: Any) -> str:
    """Return ' USD' style currency after an amount, or nothing."""
    return f" {pathway.currency}" if pathway.currency else ""


def cost_is_lower(found: Pathway, recommended: Pathway) -> bool:
    """Return whether the known prices show ``found`` costs less than ``recommended``.

    That holds only when ``found`` has a lower known cost and every step of unknown cost in it
    is also in ``recommended``. With fewer unknown-cost steps alone the pathway is only shorter.
    """
    unknown_in_recommended = set(recommended.unknown_cost_ids)
    return found.known_cost < recommended.known_cost and set(found.unknown_cost_ids) <= unknown_in_recommended


def unknown_cost_clause(pathway: Pathway) -> str:
    """Return ', but N steps have no price in the catalog' for a pathway with unpriced steps, or nothing."""
    unknown = len(pathway.unknown_cost_ids)
    if not unknown:
        return ""
    return f", and {unknown} of its steps have no price in the catalog" if unknown > 1 else \
        ", and 1 of its steps has no price in the catalog"


def write_unpriced_alternative(draft: AnswerDraft, found: Pathway, recommended: Pathway, kept: float) -> bool:
    """Say that missing prices prevent a cost comparison; offer ``found`` when it takes fewer hours.

    Returns whether ``found`` is offered.
    """
    unpriced = len(set(found.unknown_cost_ids) | set(recommended.unknown_cost_ids))
    every = unpriced == len({step.credential_id for step in [*found.steps, *recommended.steps]})
    if every:
        draft.add(f"The catalog gives no price for the {unpriced} credentials in these pathways, so I cannot compare "
                  "their cost.")
    else:
        draft.add(f"The catalog gives no price for {unpriced} of the credentials in these pathways, so I cannot tell "
                  "which pathway costs less.")
    if found.total_hours >= recommended.total_hours:
        draft.add("The recommended pathway stays the best fit.")
        return False
    draft.add(
        f"Here is a shorter pathway instead: {found.total_hours:g} hours in {len(found.steps)} steps against "
        f"{recommended.total_hours:g} hours in {len(recommended.steps)} steps for the recommended one. It keeps "
        f"{kept:.0%} of what the recommended pathway covers."
    )
    return True


def write_unpriced_note(draft: AnswerDraft, knowledge: KnowledgeBase, constraints: Constraints) -> None:
    """Say how many credentials have no price, because a budget cannot be checked against them."""
    unpriced = sum(1 for credential in knowledge.credentials.values() if credential.cost is None)
    total = len(knowledge.credentials)
    if not unpriced:
        return
    if constraints.unknown_cost is UnknownCostPolicy.EXCLUDE:
        draft.add(f"The catalog gives no price for {unpriced} of its {total} credentials, so I leave those out "
                  "of your plan.")
    elif unpriced == total:
        draft.add(f"The catalog gives no price for any of its {total} credentials, so I cannot check the budget "
                  "against them. Your plan still shows every step, with its cost marked unknown.")
    else:
        draft.add(f"The catalog gives no price for {unpriced} of its {total} credentials, so I cannot check the "
                  "budget against those. They may still appear in your plan, with their cost marked unknown.")
