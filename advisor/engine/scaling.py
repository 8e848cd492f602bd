"""Integer scaling of plan quantities for the exact solver.

Importance is scaled by 1000, hours by 10 and costs by 100, so the optimum is exact for values
given to those precisions.
"""

from __future__ import annotations

from advisor.engine.candidates import Candidate

WEIGHT_SCALE = 1000
HOURS_SCALE = 10
COST_SCALE = 100


def scaled_weight(importance: float) -> int:
    """Return an importance as an integer weight."""
    return int(round(importance * WEIGHT_SCALE))


def scaled_hours(candidate: Candidate) -> int:
    """Return a candidate's hours as an integer."""
    return int(round(candidate.hours * HOURS_SCALE))


def scaled_cost(candidate: Candidate) -> int:
    """Return a candidate's known cost as an integer; 0 when unknown (unknown costs are counted apart)."""
    return int(round(candidate.cost * COST_SCALE)) if candidate.cost is not None else 0
