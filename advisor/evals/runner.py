"""Run the evaluation set: the product, the naive RAG baseline and the chat service, case by case."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from advisor.config import Settings, get_settings
from advisor.domain import KnowledgeBase, LearnerRecord
from advisor.evals.dataset import Case, load_cases, validate_case
from advisor.evals.metrics import grounding_share, mean, objective_ratio, percentile
from advisor.evals.optimum import brute_force_optimum, plan_value
from advisor.evals.scoring import Score, score_recommendation
from advisor.evals.systems import NaiveRagBaseline, planning_problem, run_product

logger = logging.getLogger(__name__)

SYSTEMS = ("product", "baseline")


@dataclass
class RunResult:
    """Every figure of one learner of one case."""

    case_id: str
    run_id: str
    title: str
    tags: list[str]
    outputs: dict[str, list[str]] = field(default_factory=dict)
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)
    latency_ms: dict[str, float] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    optimum: dict[str, Any] = field(default_factory=dict)
    grounding: dict[str, Any] = field(default_factory=dict)
    acceptable: list[str] = field(default_factory=list)
    case_problems: list[str] = field(default_factory=list)


@dataclass
class EvalOptions:
    """Options of an evaluation run: dataset, case limit and which systems run."""

    dataset: Path
    limit: int | None = None
    use_llm: bool = False
    with_baseline: bool = True
    with_chat: bool = True
    use_index: bool = True
    settings: Settings | None = None


def load_record(case: Case, record_file: Path | None, kb: KnowledgeBase) -> LearnerRecord | None:
    """Import a learner record file joined to the knowledge base, or return None for a cold start."""
    from advisor.ingest.records import import_record

    if record_file is None:
        return None
    return import_record(record_file, knowledge_base=kb).items[0]


def open_search(settings: Settings, build: bool) -> tuple[object | None, object | None]:
    """Return (index store, skill search) over the built index, building it first when ``build``; (None, None) without one."""
    from advisor.index.indexer import index_knowledge_base
    from advisor.index.search import ChromaSkillSearch
    from advisor.index.store import CollectionKind, IndexStore

    store = IndexStore(settings)
    if build and (not store.revision(CollectionKind.CREDENTIALS) or store.collection(CollectionKind.CREDENTIALS).count() == 0):
        from advisor.ingest.knowledge_base import load_knowledge_base

        logger.info("the index is missing; building it from %s", settings.knowledge_base_dir)
        kb, _reports = load_knowledge_base(settings.knowledge_base_dir)
        index_knowledge_base(kb, store)
    if store.collection(CollectionKind.CREDENTIALS).count() == 0:
        return None, None
    skills = ChromaSkillSearch(store) if store.collection(CollectionKind.SKILLS).count() else None
    return store, skills


def relevance_for(skill_search: object | None) -> object | None:
    """Return the credentials index as the product's CredentialRelevance, beside the skill search."""
    if skill_search is None:
        return None
    from advisor.index.search import ChromaCredentialRelevance

    return ChromaCredentialRelevance(skill_search.store)  # type: ignore[attr-defined]


def evaluate_learner(
    kb: KnowledgeBase,
    case: Case,
    index: int,
    baseline: NaiveRagBaseline | None,
    skill_search: object | None,
) -> tuple[RunResult, LearnerRecord | None]:
    """Run the product and the baseline for one learner of a case and score both."""
    learner = case.learners[index]
    run_id = case.id if len(case.learners) == 1 else f"{case.id}/{Path(learner.record or str(index)).stem}"
    result = RunResult(case_id=case.id, run_id=run_id, title=case.title, tags=case.tags)
    record = load_record(case, case.record_path(learner), kb)
    held = list(learner.held)
    result.acceptable = [item for item in case.expected.acceptable if item not in held]

    relevance = relevance_for(skill_search)
    product = run_product(kb, record, case.goal, case.constraints, skill_search, case.today, relevance=relevance)  # type: ignore[arg-type]
    recommendations = {"product": product}
    if baseline is not None:
        recommendations["baseline"] = baseline.recommend(case.goal)
    for name, recommendation in recommendations.items():
        result.outputs[name] = recommendation.credential_ids
        result.latency_ms[name] = round(recommendation.latency_ms, 2)
        if recommendation.error:
            result.errors[name] = recommendation.error
        score = score_recommendation(kb, case, recommendation.credential_ids, held, record)
        result.scores[name] = score_dict(score)

    result.optimum = compare_with_optimum(kb, case, record, skill_search, product.plan_ids)
    return result, record


def score_dict(score: Score) -> dict[str, Any]:
    """Return a score as plain data."""
    data = asdict(score)
    data["violation_count"] = score.violation_count
    return data


def compare_with_optimum(
    kb: KnowledgeBase, case: Case, record: LearnerRecord | None, skill_search: object | None, chosen: list[str]
) -> dict[str, Any]:
    """Compare the exact and greedy plans with a brute-force optimum when the candidate set is small."""
    relevance = relevance_for(skill_search)
    problem = planning_problem(kb, record, case.goal, case.constraints, skill_search, case.today, relevance)  # type: ignore[arg-type]
    if problem is None:
        return {"status": "goal not resolved"}
    candidates = len(problem.candidates)
    optimum = brute_force_optimum(problem)
    if optimum is None:
        return {"status": "too large", "candidates": candidates}

    greedy = run_product(kb, record, case.goal, case.constraints, skill_search, case.today, exact=False, relevance=relevance)  # type: ignore[arg-type]
    values = {"product": plan_value(problem, chosen), "greedy": plan_value(problem, greedy.plan_ids)}
    # The planner minimises effort (hours weighted by distance from the goal), so plans are compared on it.
    best = (optimum.coverage, optimum.effort)
    return {
        "status": "solved",
        "candidates": candidates,
        "optimum": {"coverage": optimum.coverage, "hours": optimum.hours},
        **{
            name: {"coverage": value.coverage, "hours": value.hours,
                   "ratio": objective_ratio((value.coverage, value.effort), best)}
            for name, value in values.items()
        },
    }


def run_evaluation(options: EvalOptions) -> dict[str, Any]:
    """Run every case of the dataset and return the results with their summary."""
    from advisor.ingest.knowledge_base import load_knowledge_base

    settings = options.settings or get_settings()
    started = time.perf_counter()
    kb, _reports = load_knowledge_base(settings.knowledge_base_dir)
    cases = load_cases(options.dataset, options.limit)

    store, skill_search = open_search(settings, build=options.with_baseline) if options.use_index else (None, None)
    baseline = NaiveRagBaseline(kb, store) if options.with_baseline and store is not None else None
    chat = open_chat(kb, store, options) if options.with_chat else None

    results: list[RunResult] = []
    for case in cases:
        problems = validate_case(case, kb)
        for problem in problems:
            logger.warning("case %s: %s", case.id, problem)
        for index in range(len(case.learners)):
            result, record = evaluate_learner(kb, case, index, baseline, skill_search)
            result.case_problems = problems
            if chat is not None and index == 0:
                result.grounding = grounding_figures(chat, record, case)
            results.append(result)
            logger.info("case %s: product ndcg@5 %s", result.run_id, result.scores["product"]["ndcg_5"])
    if chat is not None:
        chat.close()

    return {
        "dataset": str(options.dataset),
        "cases": len(cases),
        "runs": len(results),
        "knowledge_base": {"credentials": len(kb.credentials), "skills": len(kb.skills), "occupations": len(kb.occupations)},
        "baseline": f"dense top-{baseline.top_k} from the credentials collection" if baseline else "not run: no index",
        "skill_search": "skills index" if skill_search is not None else "label matching only",
        "chat": chat_mode(chat, options),
        "seconds": round(time.perf_counter() - started, 1),
        "summary": summarize(results),
        "results": [asdict(result) for result in results],
    }


def open_chat(kb: KnowledgeBase, store: object | None, options: EvalOptions) -> object | None:
    """Return the chat grounding runner, or None when the chat service is not available."""
    try:
        from advisor.evals.grounding import ChatGrounding
    except ImportError as error:
        logger.warning("chat service not available, grounding is not measured: %s", error)
        return None
    # NOTE: the chat service runs without the index, so record search reads the record in memory.
    return ChatGrounding(kb, None, options.use_llm)


def chat_mode(chat: object | None, options: EvalOptions) -> str:
    """Return how the chat turns ran."""
    if chat is None:
        return "not run"
    return getattr(chat, "mode", "offline")


def grounding_figures(chat: object, record: LearnerRecord | None, case: Case) -> dict[str, Any]:
    """Run one chat turn for a case and return its grounding figures."""
    learner_id = record.learner_id if record is not None else f"eval-{case.id}"
    try:
        outcome = chat.run(learner_id, record, case.goal)  # type: ignore[attr-defined]
    except Exception as error:  # noqa: BLE001 - one failed turn is reported, the run goes on
        logger.warning("chat turn of case %s failed: %s", case.id, error)
        return {"error": f"{type(error).__name__}: {error}"}
    return {
        "cited": outcome.cited,
        "unknown": outcome.unknown,
        "not_from_tools": [item for item in outcome.cited if item not in set(outcome.from_tools)],
        "grounded_share": grounding_share(outcome.cited, set(outcome.cited) - set(outcome.unknown), outcome.from_tools),
        "escapes": outcome.escapes,
        "source": outcome.source,
        "latency_ms": round(outcome.latency_ms, 1),
    }


def summarize(results: list[RunResult]) -> dict[str, dict[str, Any]]:
    """Return the mean of each metric per system, with latency percentiles and plan optimality."""
    summary: dict[str, dict[str, Any]] = {}
    for system in SYSTEMS:
        rows = [result for result in results if system in result.scores]
        if not rows:
            continue
        latencies = [result.latency_ms[system] for result in rows]
        summary[system] = {
            **{
                metric: mean(result.scores[system][metric] for result in rows)
                for metric in ("recall_5", "recall_10", "ndcg_5", "ndcg_10", "coverage")
            },
            "violations_per_run": mean(result.scores[system]["violation_count"] for result in rows),
            "runs_with_violations": sum(1 for result in rows if result.scores[system]["violation_count"]),
            "latency_p50_ms": percentile(latencies, 0.5),
            "latency_p95_ms": percentile(latencies, 0.95),
        }
    solved = [result.optimum for result in results if result.optimum.get("status") == "solved"]
    if "product" in summary:
        summary["product"]["optimum_ratio"] = mean(item["product"]["ratio"] for item in solved)
        summary["product"]["optimum_cases"] = len(solved)
        summary["greedy"] = {"optimum_ratio": mean(item["greedy"]["ratio"] for item in solved), "optimum_cases": len(solved)}
    grounded = [result.grounding for result in results if result.grounding and "error" not in result.grounding]
    if grounded and "product" in summary:
        summary["product"]["grounded_share"] = mean(item["grounded_share"] for item in grounded)
        summary["product"]["verifier_escapes"] = sum(len(item["escapes"]) for item in grounded)
        summary["product"]["chat_turns"] = len(grounded)
        summary["product"]["chat_p50_ms"] = percentile([item["latency_ms"] for item in grounded], 0.5)
    return summary
