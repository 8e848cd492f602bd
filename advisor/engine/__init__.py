"""The engine: skill normalisation, learner profile, gap analysis, pathway planning, explanations.

Deterministic code over the domain models; it imports no web, LLM or vector store framework.
"""

from advisor.engine.advice import (
    advise,
    cheaper_alternative,
    compare_credentials,
    faster_alternative,
)

__all__ = ["advise", "cheaper_alternative", "compare_credentials", "faster_alternative"]
