"""Plain-language answers written from the engine's structured output, every fact cited.

The offline responder answers with these, and the LLM turn falls back to them. Sentences are
laid out so the answer verifier can check them: an hours or cost figure appears only in the
sentence of the credential it belongs to, totals stand on lines that name no credential, and
a length the catalog does not state is written without a figure in hours that could be read
as the catalog's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from advisor.chat.events import CitationEvent, PathwayCard
from advisor.domain import (
    Advice,
    Comparison,
    CredentialAssessment,
    KnowledgeBase,
    LearnerProfile,
    OpenGapReason,
    Pathway,
    PathwayStep,
)
from advisor.engine.explain import level_name

MAX_STEPS_IN_TEXT = 6
MAX_SKILLS_IN_TEXT = 12

OPEN_REASONS = {
    OpenGapReason.NO_CREDENTIAL: "no credential in the catalog teaches it",
    OpenGapReason.EXCLUDED: "the credentials that teach it are excluded",
    OpenGapReason.FILTERED: "no credential that teaches it fits your modality or language",
    OpenGapReason.OVER_BUDGET: "the credentials that teach it do not fit the budget",
    OpenGapReason.PAST_DEADLINE: "the credentials that teach it do not fit before the deadline",
    OpenGapReason.MAX_CREDENTIALS: "the plan has reached the maximum number of credentials",
    OpenGapReason.PREREQUISITE_UNAVAILABLE: "a prerequisite of the credentials that teach it is unavailable",
    OpenGapReason.NOT_CHOSEN: "the planner used its hours on skills that weigh more",
}


@dataclass
class AnswerDraft:
    """An answer being written: its paragraphs and every id it cites."""

    knowledge: KnowledgeBase
    paragraphs: list[str] = field(default_factory=list)
    credential_ids: list[str] = field(default_factory=list)
    record_item_ids: list[str] = field(default_factory=list)
    other_ids: list[str] = field(default_factory=list)
    pathway: PathwayCard | None = None

    def add(self, text: str) -> None:
        """Append a paragraph."""
        self.paragraphs.append(text)

    def credential(self, credential_id: str) -> str:
        """Return a credential's title with its id in brackets, and cite it."""
        if credential_id not in self.credential_ids:
            self.credential_ids.append(credential_id)
        credential = self.knowledge.credentials.get(credential_id)
        title = credential.title if credential else credential_id
        return f"{title} [{credential_id}]"

    def record_items(self, item_ids: list[str]) -> str:
        """Return record item ids in brackets, and cite them."""
        for item_id in item_ids:
            if item_id not in self.record_item_ids:
                self.record_item_ids.append(item_id)
        return f" [{', '.join(item_ids)}]" if item_ids else ""

    def cite_other(self, item_id: str | None) -> str:
        """Return a skill or occupation id in brackets, and cite it."""
        if not item_id:
            return ""
        if item_id not in self.other_ids:
            self.other_ids.append(item_id)
        return f" [{item_id}]"

    @property
    def text(self) -> str:
        """Return the answer text."""
        return "\n\n".join(paragraph for paragraph in self.paragraphs if paragraph)

    def citations(self) -> list[CitationEvent]:
        """Return a citation for every id the answer cites."""
        cited = [
            CitationEvent(id=item, kind="credential", title=self.knowledge.credentials[item].title)
            for item in self.credential_ids
            if item in self.knowledge.credentials
        ]
        cited += [CitationEvent(id=item, kind="record_item") for item in self.record_item_ids]
        for item in self.other_ids:
            if item in self.knowledge.occupations:
                cited.append(CitationEvent(id=item, kind="occupation", title=self.knowledge.occupations[item].title))
            elif item in self.knowledge.skills:
                cited.append(CitationEvent(id=item, kind="skill", title=self.knowledge.skills[item].label))
        return cited


def hours_text(hours: float | None, estimated: bool = False) -> str:
    """Describe a length: the catalog's hours, an estimate from a range or the kind, or none."""
    if hours is None:
        return "length not stated"
    if estimated:
        return f"about {hours:g} study hours (estimated)"
    return f"{hours:g} hours"


def cost_text(cost: float | None, currency: str | None) -> str:
    """Describe a cost; an unknown cost is said to be unknown, never free."""
    if cost is None:
        return "cost unknown"
    if cost == 0:
        return "no cost"
    return f"{cost:g} {currency or ''}".strip()


def join_words(items: list[str]) -> str:
    """Join words as English prose: 'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def write_goal_summary(draft: AnswerDraft, advice: Advice) -> None:
    """Write the goal and the size of the gap."""
    goal = advice.goal
    gap = advice.gap
    missing = len(gap.skills)
    met = len(gap.met)
    summary = f"Your goal: {goal.title}{draft.cite_other(goal.occupation_id)}."
    if not advice.profile.skills:
        summary += f" Without a record I plan from scratch: it needs {missing + met} skills."
    else:
        summary += f" You already meet {met} of its {missing + met} skills; {missing} are missing."
    if goal.unmatched:
        summary += f" I did not recognise these as skills: {join_words([repr(item.text) for item in goal.unmatched])}."
    draft.add(summary)


def write_step(draft: AnswerDraft, step: PathwayStep) -> str:
    """Return the line of one pathway step: title, length, cost and the skills it closes."""
    line = (
        f"{step.order}. {draft.credential(step.credential_id)}: "
        f"{hours_text(step.hours, step.hours_estimated)}, {cost_text(step.cost, step.currency)}."
    )
    labels = [closure.label for closure in step.closes]
    if labels:
        line += f" It closes {join_words(labels[:4])}" + (f" and {len(labels) - 4} more" if len(labels) > 4 else "")
        line += "."
    return line


def write_pathway(draft: AnswerDraft, pathway: Pathway, heading: str, max_steps: int | None = MAX_STEPS_IN_TEXT) -> None:
    """Write a pathway: its steps up to ``max_steps`` (all for None), then totals and open gaps."""
    if not pathway.steps:
        draft.add("No credential in the catalog closes any of the gap within your constraints.")
        write_open_gaps(draft, pathway)
        return

    shown = pathway.steps if max_steps is None else pathway.steps[:max_steps]
    lines = [heading]
    lines += [write_step(draft, step) for step in shown]
    hidden = len(pathway.steps) - len(shown)
    if hidden > 0:
        noun = "step" if hidden == 1 else "steps"
        lines.append(f"… and {hidden} more {noun}. Say \"show all steps\" to list every step.")
    draft.add("\n".join(lines))

    share = pathway.covered_weight / pathway.total_weight if pathway.total_weight else 1.0
    pace = "the default " if pathway.hours_per_week_default else ""
    totals = (
        f"In total: {pathway.total_hours:g} hours over {pathway.weeks} weeks at {pace}{pathway.hours_per_week:g} "
        f"hours per week, covering {share:.0%} of the weighted gap."
    )
    unknown = len(pathway.unknown_cost_ids)
    if unknown == len(pathway.steps):
        totals += " The catalog states no cost for any of these steps, so the total cost is unknown."
    else:
        currency = f" {pathway.currency}" if pathway.currency else ""
        totals += f" Known costs add up to {pathway.known_cost:g}{currency}"
        totals += f"; {unknown} steps have an unknown cost." if unknown else "."
    draft.add(totals)
    write_open_gaps(draft, pathway)


def write_open_gaps(draft: AnswerDraft, pathway: Pathway) -> None:
    """Write the gap skills the pathway leaves open, with the reason for each."""
    if not pathway.open_gaps:
        return
    shown = pathway.open_gaps[:5]
    parts = [f"{gap.label} ({OPEN_REASONS.get(gap.reason, gap.reason.value)})" for gap in shown]
    more = len(pathway.open_gaps) - len(shown)
    tail = f", and {more} more" if more > 0 else ""
    draft.add(f"Left open: {'; '.join(parts)}{tail}.")


def write_advice(draft: AnswerDraft, advice: Advice, card: PathwayCard) -> None:
    """Write the goal, the gap and the recommended pathway."""
    write_goal_summary(draft, advice)
    write_pathway(draft, advice.pathway, "Here is the pathway I recommend, in order:")
    draft.pathway = card


def write_step_reasons(draft: AnswerDraft, advice: Advice, step: PathwayStep) -> None:
    """Write why a step is in the pathway and why it comes where it does."""
    name = draft.credential(step.credential_id)
    total = len(advice.pathway.steps)
    lines = [f"{name} is step {step.order} of {total} in your pathway toward {advice.goal.title}."]

    groups: dict[tuple[int, int, int], list[str]] = {}
    for closure in step.closes:
        groups.setdefault((closure.from_level, closure.to_level, closure.required_level), []).append(closure.label)
    for (from_level, to_level, required_level), labels in groups.items():
        verb = "closes" if to_level >= required_level else "narrows"
        lines.append(
            f"It {verb} your gap in {join_words(labels)}: from {level_name(from_level)} to "
            f"{level_name(to_level)}, where {level_name(required_level)} is required."
        )
    for note in step.prerequisites:
        lines.append(prerequisite_sentence(draft, note))
    for note in step.stacks_into:
        done = note.parts_in_plan + note.parts_held
        lines.append(f"It is part of {draft.credential(note.credential_id)}, and {done} of its "
                     f"{note.parts_total} parts are in your plan or already held.")
    if step.needed_by:
        later = join_words([draft.credential(item) for item in step.needed_by])
        lines.append(f"It comes before {later}, which requires it.")
    if step.order == 1 and not step.prerequisites:
        lines.append("It needs nothing you lack, so it can come first.")
    lines.append(f"It is planned for weeks {step.start_week} to {step.end_week} [{step.credential_id}]: "
                 f"{hours_text(step.hours, step.hours_estimated)}, {cost_text(step.cost, step.currency)}.")
    draft.add(" ".join(lines))


def prerequisite_sentence(draft: AnswerDraft, note: object) -> str:
    """Return the sentence that says what satisfies one prerequisite of a step."""
    kind = note.kind
    label = note.label
    target = note.target_id
    satisfied_by = note.satisfied_by
    if kind == "credential" and target in draft.knowledge.credentials:
        what = draft.credential(target)
    else:
        what = f"{label} at {level_name(note.level or 0)}"
    source = {"plan": "an earlier step of the plan provides it", "held": "you already hold it",
              "profile": "your record already shows it"}.get(satisfied_by, "you still need it")
    items = [item for item in note.citations if item not in draft.knowledge.credentials]
    return f"It requires {what}, and {source}{draft.record_items(items)}."


def write_not_in_plan(draft: AnswerDraft, advice: Advice, assessment: CredentialAssessment, excluded: bool) -> None:
    """Write what a credential outside the pathway would do, and why the plan leaves it out."""
    name = draft.credential(assessment.credential_id)
    lines = [f"{name} is not in your pathway toward {advice.goal.title}."]
    if assessment.held:
        lines.append("Your record shows you already hold it.")
    elif excluded:
        lines.append("You asked me to leave it out.")
    elif not assessment.closes:
        lines.append("It teaches none of the skills you are still missing for this goal.")
    else:
        labels = join_words([closure.label for closure in assessment.closes[:5]])
        lines.append(f"It would raise {labels}, but the planner covered those skills with other credentials "
                     "that fit your constraints better.")
    if assessment.missing_prerequisites:
        missing = join_words([note.label for note in assessment.missing_prerequisites[:4]])
        lines.append(f"It also requires {missing}, which you do not have yet.")
    draft.add(" ".join(lines))


def write_credential(draft: AnswerDraft, credential_id: str) -> None:
    """Write what a credential covers: kind, provider, length, cost, skills and prerequisites."""
    credential = draft.knowledge.credentials[credential_id]
    name = draft.credential(credential_id)
    provider = f" by {credential.provider}" if credential.provider else ""
    level = f", {credential.level.value} level" if credential.level else ""
    modality = credential.modality.value.replace("_", " ")
    summary = (
        f"{name} is a {credential.kind.value}{provider}, {modality}{level}: "
        f"{hours_text(credential.hours)}, {cost_text(credential.cost, credential.currency)}."
    )
    lines = [summary]
    skills = [
        f"{draft.knowledge.skills[item.skill_id].label} ({level_name(int(item.level))})"
        for item in credential.skills
        if item.skill_id in draft.knowledge.skills
    ]
    if skills:
        more = len(skills) - MAX_SKILLS_IN_TEXT
        lines.append(f"It teaches {join_words(skills[:MAX_SKILLS_IN_TEXT])}" + (f" and {more} more" if more > 0 else "") + ".")
    else:
        lines.append("The catalog lists no skills for it, so I cannot tell which gaps it closes.")

    required = [draft.credential(item) for item in credential.prerequisite_credentials if item in draft.knowledge.credentials]
    required += [
        f"{draft.knowledge.skills[item.skill_id].label} at {level_name(int(item.level))}"
        for item in credential.prerequisite_skills
        if item.skill_id in draft.knowledge.skills
    ]
    if required:
        lines.append(f"It requires {join_words(required)}.")
    if credential.url:
        lines.append(f"Link: {credential.url}")
    draft.add(" ".join(lines))


def write_comparison(draft: AnswerDraft, comparison: Comparison, goal_title: str) -> None:
    """Write two credentials side by side and which closes more, takes less time and costs less."""
    lines = [f"For your goal {goal_title}:"]
    for item in (comparison.first, comparison.second):
        closes = join_words([closure.label for closure in item.closes[:5]]) or "none of your missing skills"
        held = " You already hold it." if item.held else ""
        lines.append(
            f"- {draft.credential(item.credential_id)}: {hours_text(item.hours, item.hours_estimated)}, "
            f"{cost_text(item.cost, item.currency)}. It closes {closes}.{held}"
        )
    if comparison.more_gap_closed:
        lines.append(f"{draft.credential(comparison.more_gap_closed)} closes more of your gap.")
    else:
        lines.append("Both close the same share of your gap.")
    if comparison.fewer_hours:
        lines.append(f"{draft.credential(comparison.fewer_hours)} takes fewer hours.")
    if comparison.cheaper:
        lines.append(f"{draft.credential(comparison.cheaper)} costs less.")
    elif comparison.first.cost is None or comparison.second.cost is None:
        lines.append("Their costs cannot be compared, because at least one is unknown.")
    draft.add("\n".join(lines))


def write_profile(draft: AnswerDraft, profile: LearnerProfile, has_record: bool) -> None:
    """Write the learner's skills with levels, evidence and the record items behind them."""
    if not has_record:
        draft.add("I have no learning and employment record for you, so I know none of your skills yet. "
                  "Add a record (Open Badges, CLR or plain JSON) and I will count what you already know.")
        return
    if not profile.skills:
        draft.add("Your record has no skills I could match to the taxonomy.")
        return

    skills = sorted(profile.skills.values(), key=lambda item: (-item.effective_level, item.label))
    lines = [f"From your record I see {len(skills)} skills:"]
    for skill in skills[:MAX_SKILLS_IN_TEXT * 2]:
        evidence = skill.strength.value.replace("_", " ")
        lines.append(f"- {skill.label}: {level_name(int(skill.level))}, {evidence}{draft.record_items(skill.record_item_ids)}")
    hidden = len(skills) - MAX_SKILLS_IN_TEXT * 2
    if hidden > 0:
        lines.append(f"… and {hidden} more.")
    draft.add("\n".join(lines))
    if profile.held_credentials:
        held = join_words([draft.credential(item) for item in profile.held_credentials])
        draft.add(f"You hold these catalog credentials: {held}.")


def write_title_notes(draft: AnswerDraft, credential_ids: list[str]) -> None:
    """Cite the catalog credentials whose titles the answer repeats from the learner's own words.

    An answer quotes the learner's goal phrases ("I did not recognise 'UX design' as a
    skill"), and such a phrase can be a catalog title. Naming the credential with its id
    makes that mention a cited one, and tells the learner where the words point.
    """
    if not credential_ids:
        return
    names = join_words([draft.credential(item) for item in credential_ids])
    draft.add(f"Some of your words are also titles in the catalog: {names}. Ask \"what does <title> cover?\" "
              "to see one.")

