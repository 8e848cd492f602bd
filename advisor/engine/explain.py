"""Explanations: structured assessments of credentials and plain-text renderings of advice.

Every sentence the renderings print names its sources in square brackets: catalog credential
ids and learner record item ids.
"""

from __future__ import annotations

from advisor.domain import (
    Advice,
    Comparison,
    CredentialAssessment,
    Gap,
    KnowledgeBase,
    LearnerProfile,
    Pathway,
    PathwayStep,
    PrerequisiteNote,
    SkillClosure,
    StackNote,
)
from advisor.engine.catalog_index import get_catalog_index, taught_levels

# Evidence strengths that ``profile`` counts one level below the stated level, with their wording.
LOWERED_STRENGTHS = {"self_reported": "self-reported", "inferred": "inferred"}

LEVEL_NAMES = {0: "none", 1: "Foundational", 2: "Intermediate", 3: "Advanced", 4: "Expert"}


def plural(count: int, noun: str) -> str:
    """Return "1 step" or "3 steps": the count with the noun in agreement (regular plurals only)."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def count_phrase(part: int, whole: int, noun: str) -> str:
    """Return "1 of the 3 steps has" or "2 of the 3 steps have", with the verb in agreement."""
    return f"{part} of the {plural(whole, noun)} {'has' if part == 1 else 'have'}"


def level_name(level: int) -> str:
    """Return the name of a level on the four-step scale, or 'none' for 0."""
    return LEVEL_NAMES.get(int(level), str(level))


def assess_credential(
    kb: KnowledgeBase, profile: LearnerProfile, gap: Gap, credential_id: str
) -> CredentialAssessment:
    """Work out what one credential would close of a gap, what it needs and what it stacks into."""
    credential = kb.credentials[credential_id]
    levels = taught_levels(credential)
    closes = [
        SkillClosure(
            skill_id=item.skill_id,
            label=item.label,
            from_level=item.current_level,
            to_level=min(levels[item.skill_id], int(item.required_level)),
            required_level=int(item.required_level),
            importance=item.importance,
        )
        for item in gap.skills
        if min(levels.get(item.skill_id, 0), int(item.required_level)) > item.current_level
    ]

    missing = _missing_prerequisites(kb, profile, credential_id)
    index = get_catalog_index(kb)
    stacks = [
        StackNote(
            credential_id=parent_id,
            title=kb.credentials[parent_id].title,
            parts_total=len(index.parts.get(parent_id, ())),
            parts_in_plan=0,
            parts_held=sum(1 for part in index.parts.get(parent_id, ()) if part in profile.held_credentials),
        )
        for parent_id in sorted(index.parents.get(credential_id, ()))
    ]
    hours, estimated = get_catalog_index(kb).hours[credential.id]
    held_by = profile.held_credentials.get(credential_id)
    gap_items = {item.skill_id: item for item in gap.skills}
    citations = [credential_id, *([held_by] if held_by else [])]
    citations += [record_id for closure in closes for record_id in gap_items[closure.skill_id].record_item_ids]
    citations += [note.credential_id for note in stacks]
    return CredentialAssessment(
        credential_id=credential_id,
        title=credential.title,
        held=held_by is not None,
        closes=closes,
        covered_weight=round(sum(item.importance * (item.to_level - item.from_level) for item in closes), 6),
        hours=hours,
        hours_estimated=estimated,
        cost=credential.cost,
        currency=credential.currency,
        missing_prerequisites=missing,
        stacks_into=stacks,
        citations=list(dict.fromkeys(citations)),
    )


def _missing_prerequisites(kb: KnowledgeBase, profile: LearnerProfile, credential_id: str) -> list[PrerequisiteNote]:
    credential = kb.credentials[credential_id]
    missing = []
    for required_id in credential.prerequisite_credentials:
        if required_id in profile.held_credentials:
            continue
        required = kb.credentials.get(required_id)
        levels = taught_levels(required) if required else {}
        held = bool(levels) and all(
            profile.skills.get(skill) is not None and profile.skills[skill].effective_level >= level
            for skill, level in levels.items()
        )
        if not held:
            label = required.title if required else required_id
            missing.append(PrerequisiteNote(kind="credential", target_id=required_id, label=label,
                                            satisfied_by="missing", citations=[required_id] if required else []))
    for needed in credential.prerequisite_skills:
        held_skill = profile.skills.get(needed.skill_id)
        if held_skill and held_skill.effective_level >= int(needed.level):
            continue
        skill = kb.skills.get(needed.skill_id)
        missing.append(PrerequisiteNote(kind="skill", target_id=needed.skill_id,
                                        label=skill.label if skill else needed.skill_id,
                                        level=int(needed.level), satisfied_by="missing"))
    return missing


def compare_assessments(first: CredentialAssessment, second: CredentialAssessment) -> Comparison:
    """Put two assessments side by side and say which closes more gap, is shorter and is cheaper."""
    more = _winner(first.covered_weight, second.covered_weight, first, second, larger=True)
    fewer = _winner(first.hours, second.hours, first, second, larger=False)
    cheaper = None
    if first.cost is not None and second.cost is not None and (first.currency or "") == (second.currency or ""):
        cheaper = _winner(first.cost, second.cost, first, second, larger=False)

    parts = []
    for item in (first, second):
        held = " (already held)" if item.held else ""
        parts.append(
            f"{item.title}{held} closes {item.covered_weight:g} weighted levels of the gap in "
            f"{_hours(item.hours, item.hours_estimated)} at {_cost(item.cost, item.currency)} "
            f"[{', '.join(item.citations)}]"
        )
    if more:
        parts.append(f"{more} closes more of the gap")
    if fewer:
        parts.append(f"{fewer} takes fewer hours")
    if cheaper:
        parts.append(f"{cheaper} costs less")
    elif first.cost is None or second.cost is None:
        parts.append("costs cannot be compared because one is unknown")
    return Comparison(
        first=first, second=second, more_gap_closed=more, fewer_hours=fewer, cheaper=cheaper,
        summary=". ".join(parts) + ".",
    )


def _winner(a: float, b: float, first: CredentialAssessment, second: CredentialAssessment, larger: bool) -> str | None:
    if abs(a - b) < 1e-9:
        return None
    return first.credential_id if (a > b) == larger else second.credential_id


def _hours(hours: float, estimated: bool) -> str:
    return f"{hours:g} h" + (" (estimated)" if estimated else "")


def _cost(cost: float | None, currency: str | None) -> str:
    if cost is None:
        return "unknown cost"
    return f"{cost:g} {currency or ''}".strip() if cost else "no cost"


def _weeks(step: PathwayStep, previous: PathwayStep | None) -> str:
    """Return the step's weeks, saying when it starts in the week the previous step ends."""
    weeks = f"week {step.start_week}" if step.start_week == step.end_week else (
        f"weeks {step.start_week}-{step.end_week}"
    )
    if previous is not None and previous.end_week == step.start_week:
        weeks += f" (starting in week {step.start_week}, as soon as step {previous.order} ends)"
    return weeks


def explain_step(step: PathwayStep, previous: PathwayStep | None = None) -> list[str]:
    """Return the sentences that explain one step, each ending in its citations.

    ``previous`` is the step before it, so a step that starts in the week the previous one ends
    says so.
    """
    lines = [
        f"{step.order}. {step.title} [{step.credential_id}]"
        f"{' by ' + step.provider if step.provider else ''}: {_weeks(step, previous)}, "
        f"{_hours(step.hours, step.hours_estimated)}, {_cost(step.cost, step.currency)}."
    ]
    for closure in step.closes:
        lines.append("   " + _closure_sentence(closure, step))
    for note in step.prerequisites:
        lines.append("   " + _prerequisite_sentence(note))
    for note in step.stacks_into:
        lines.append("   " + _stack_sentence(note, step.credential_id))
    if step.needed_by:
        lines.append(f"   It comes before {', '.join(step.needed_by)}, which requires it [{step.credential_id}].")
    return lines


def _closure_sentence(closure: SkillClosure, step: PathwayStep) -> str:
    done = "closes" if closure.to_level >= closure.required_level else "narrows"
    return (
        f"It {done} the gap in {closure.label}: from {level_name(closure.from_level)} to "
        f"{level_name(closure.to_level)} (required: {level_name(closure.required_level)}) "
        f"[{step.credential_id}]."
    )


def _prerequisite_sentence(note: PrerequisiteNote) -> str:
    what = note.label if note.kind == "credential" else f"{note.label} at {level_name(note.level or 0)}"
    source = {"plan": "an earlier step", "held": "a credential you hold", "profile": "your record"}.get(
        note.satisfied_by, note.satisfied_by
    )
    cited = f" [{', '.join(note.citations)}]" if note.citations else ""
    return f"It requires {what}, which {source} provides{cited}."


def _stack_sentence(note: StackNote, credential_id: str) -> str:
    done = note.parts_in_plan + note.parts_held
    ending = ", so the plan earns it" if note.completed else ""
    return (
        f"It stacks into {note.title}: {done} of its {plural(note.parts_total, 'part')} "
        f"{'is' if done == 1 else 'are'} in the plan or held"
        f"{ending} [{credential_id}, {note.credential_id}]."
    )


def render_pathway(pathway: Pathway) -> str:
    """Render a pathway as plain text: steps, totals, open gaps and notes."""
    lines = [
        explained
        for position, step in enumerate(pathway.steps)
        for explained in explain_step(step, pathway.steps[position - 1] if position else None)
    ]
    if not pathway.steps:
        lines.append("No credential in the catalog closes any of the gap within the constraints.")

    share = pathway.covered_weight / pathway.total_weight if pathway.total_weight else 1.0
    cost = f"{pathway.known_cost:g} {pathway.currency or ''}".strip()
    unknown_count = len(pathway.unknown_cost_ids)
    unknown = f" plus {plural(unknown_count, 'credential')} of unknown cost" if unknown_count else ""
    optimal = "optimal" if pathway.optimal else "not proven optimal"
    lines.append(
        f"Total: {pathway.total_hours:g} h over {plural(pathway.weeks, 'week')} at {pathway.hours_per_week:g} h/week, "
        f"known cost {cost}{unknown}; covers {share:.0%} of the weighted gap ({pathway.solver}, {optimal})."
    )
    if pathway.further_options:
        lines.append("Further options, most relevant to the goal first (they fit the limits after the plan):")
        for option in pathway.further_options:
            estimated = " (estimated)" if option.hours_estimated else ""
            provider = f" by {option.provider}" if option.provider else ""
            lines.append(
                f" - {option.title} [{option.credential_id}]{provider}: {option.hours:g} h{estimated}, "
                f"relevance {option.relevance:.2f}."
            )
    if pathway.open_gaps:
        lines.append("Left open:")
        for item in pathway.open_gaps:
            cited = f" [{', '.join(item.credential_ids)}]" if item.credential_ids else ""
            lines.append(
                f" - {item.label} (reached: {level_name(item.reached_level)}, required: "
                f"{level_name(item.required_level)}): "
                f"{item.reason.value.replace('_', ' ')}; {item.detail}{cited}."
            )
    lines += [f"Note: {note}." for note in pathway.notes]
    return "\n".join(lines)


def render_advice(advice: Advice) -> str:
    """Render advice as plain text for the command line, every statement with its citations."""
    goal = advice.goal
    target = f" [{goal.occupation_id}]" if goal.occupation_id else ""
    lines = [f"Goal: {goal.title}{target}"]
    if goal.matches and goal.kind.value == "posting":
        lines.append("Skills found in the posting: " + ", ".join(item.label or "" for item in goal.matches))
    if goal.unmatched:
        lines.append("Not recognised as skills: " + ", ".join(repr(item.text) for item in goal.unmatched))

    gap = advice.gap
    lines.append(f"Gap: {plural(len(gap.skills), 'skill')} missing, {len(gap.met)} already met.")
    for item in gap.met[:10]:
        lines.append(
            f" - met: {item.label} at {level_name(item.current_level)} "
            f"({item.strength.value if item.strength else 'none'}) [{', '.join(item.record_item_ids)}]"
        )
    lines += _record_evidence_lines(advice.profile)
    lowered = _lowered_strengths(gap)
    if lowered:
        lines.append(
            f"Note: {' and '.join(lowered)} skills count one level lower until verified "
            "or endorsed."
        )

    lines.append("Pathway:")
    lines.append(render_pathway(advice.pathway))
    alternatives = advice.alternatives
    if alternatives:
        for name, found, note in (
            ("Cheaper", alternatives.cheaper, alternatives.cheaper_note),
            ("Faster", alternatives.faster, alternatives.faster_note),
        ):
            if found and name == "Cheaper" and not alternatives.cheaper_proven:
                lines.append(f"Alternative with fewer credentials of unknown price ({note}): "
                             f"{', '.join(found.credential_ids)}")
            elif found:
                lines.append(f"{name} alternative ({note}): {', '.join(found.credential_ids)}")
            elif note:
                lines.append(f"{name} alternative: none, {note}.")
    return "\n".join(lines)


def _record_evidence_lines(profile: LearnerProfile) -> list[str]:
    """Return the sentences on record skills that were not recognised and on a record without evidence."""
    lines = []
    if profile.unmatched:
        names = [
            f"{item.text!r} [{', '.join(item.record_item_ids)}]"
            + (f" (did you mean {item.suggestion}?)" if item.suggestion else "")
            for item in profile.unmatched
        ]
        lines.append("These skills in your record were not recognised: " + "; ".join(names) + ".")

    if profile.skills:
        return lines
    if profile.unmatched:
        lines.append("No skill in your record was recognised, so this plan counts none of them.")
    elif profile.record_item_ids:
        lines.append(
            "No item in your record names a skill the advisor knows, so this plan counts none of "
            f"them [{', '.join(profile.record_item_ids)}]."
        )
    else:
        lines.append("No learner record evidence: this plan starts from scratch.")
    return lines


def _lowered_strengths(gap: Gap) -> list[str]:
    """Return the evidence strengths among the goal's skills that the profile counts one level lower."""
    present = {item.strength.value for item in [*gap.met, *gap.skills] if item.strength is not None}
    return [name for value, name in LOWERED_STRENGTHS.items() if value in present]


def render_comparison(comparison: Comparison) -> str:
    """Render a comparison of two credentials as plain text."""
    return comparison.summary
