"""Greedy planner: the fallback when the exact solver finds no plan in time, or when asked for.

It adds, one bundle at a time, the candidate with the prerequisites it still needs that covers
the most weighted gap per hour and still fits every limit. Its plans are valid but not
necessarily optimal.
"""

from __future__ import annotations

from advisor.engine.candidates import Candidate, PlanProblem
from advisor.engine.selection import coverage_units, fits, order_selection

PREREQUISITE_DEPTH = 4


def solve_greedy(problem: PlanProblem, candidates: dict[str, Candidate] | None = None) -> list[str]:
    """Return a greedy plan over ``candidates`` (all of the problem's when None), in a valid order."""
    pool = problem.candidates if candidates is None else candidates
    selected: list[str] = []
    while True:
        base = coverage_units(problem, selected)
        best: tuple[float, list[str]] | None = None
        for credential_id in sorted(pool):
            if credential_id in selected or not pool[credential_id].gains:
                continue
            bundle = _bundle(problem, pool, credential_id, selected)
            if bundle is None:
                continue
            gain = coverage_units(problem, selected + bundle) - base
            if gain <= 0 or not fits(problem, selected + bundle):
                continue
            hours = sum(pool[item].hours for item in bundle) or 1e-9
            score = gain / hours
            if best is None or score > best[0]:
                best = (score, bundle)
        if best is None:
            break
        selected += [item for item in best[1] if item not in selected]

    return order_selection(problem, selected) or []


def _bundle(
    problem: PlanProblem, pool: dict[str, Candidate], credential_id: str, selected: list[str], depth: int = 0
) -> list[str] | None:
    """Return a credential with the prerequisites it still needs, prerequisites first, or None."""
    candidate = pool[credential_id]
    if candidate.blocked or depth > PREREQUISITE_DEPTH:
        return None
    bundle: list[str] = []
    for needed in candidate.needs_credentials:
        if needed in selected or needed in bundle:
            continue
        if needed not in pool:
            return None
        sub = _bundle(problem, pool, needed, selected + bundle, depth + 1)
        if sub is None:
            return None
        bundle += [item for item in sub if item not in bundle]

    for skill_id, level in candidate.needs_skills:
        have = selected + bundle
        if any(pool[item].credential_teaches(skill_id, level) for item in have):
            continue
        providers = [
            item for item in problem.providers.get((skill_id, level), []) if item != credential_id and item in pool
        ]
        options = [_bundle(problem, pool, item, have, depth + 1) for item in providers]
        options = [option for option in options if option is not None]
        if not options:
            return None
        cheapest = min(options, key=lambda option: sum(pool[i].hours for i in option))
        bundle += [item for item in cheapest if item not in bundle]
    return bundle + [credential_id]
