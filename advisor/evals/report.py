"""Write an evaluation's results: a JSON file of all figures, PNG plots and a Markdown report."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

PLOTTED = (("ndcg_5", "NDCG@5"), ("recall_10", "Recall@10"), ("coverage", "Closable-gap coverage"), ("violation_count", "Violations"))
SUMMARY_ROWS = (
    ("recall_5", "Recall@5"), ("recall_10", "Recall@10"), ("ndcg_5", "NDCG@5"), ("ndcg_10", "NDCG@10"),
    ("coverage", "Closable-gap coverage"), ("violations_per_run", "Violations per run"),
    ("runs_with_violations", "Runs with violations"), ("latency_p50_ms", "Latency p50 (ms)"),
    ("latency_p95_ms", "Latency p95 (ms)"), ("optimum_ratio", "Plan objective / brute-force optimum"),
    ("grounded_share", "Cited ids grounded in tool results"), ("verifier_escapes", "Verifier escapes"),
)
FAIL_NDCG = 0.5
FAIL_COVERAGE = 0.5


def figure(value: Any) -> str:
    """Return a table cell for a number, or a dash for a missing one."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def summary_table(summary: dict[str, dict[str, Any]]) -> str:
    """Return the Markdown table of product and baseline figures side by side."""
    product = summary.get("product", {})
    baseline = summary.get("baseline", {})
    greedy = summary.get("greedy", {})
    lines = ["| metric | product | naive RAG baseline |", "| --- | ---: | ---: |"]
    for key, label in SUMMARY_ROWS:
        if key not in product and key not in baseline:
            continue
        lines.append(f"| {label} | {figure(product.get(key))} | {figure(baseline.get(key))} |")
    if greedy:
        lines.append(f"| Greedy planner objective / optimum | {figure(greedy.get('optimum_ratio'))} | – |")
    return "\n".join(lines)


def write_plots(results: list[dict[str, Any]], folder: Path) -> list[Path]:
    """Draw one bar chart per metric: each run, product next to baseline."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    labels = [result["run_id"] for result in results]
    positions = range(len(labels))
    for key, title in PLOTTED:
        values = {
            system: [(result["scores"].get(system, {}).get(key) or 0) for result in results]
            for system in ("product", "baseline")
        }
        fig, axis = plt.subplots(figsize=(max(10, len(labels) * 0.32), 4.8))
        axis.bar([p - 0.2 for p in positions], values["product"], width=0.4, label="product")
        axis.bar([p + 0.2 for p in positions], values["baseline"], width=0.4, label="naive RAG baseline")
        axis.set_xticks(list(positions))
        axis.set_xticklabels(labels, rotation=75, ha="right", fontsize=7)
        axis.set_title(f"{title} per persona")
        axis.legend()
        fig.tight_layout()
        path = folder / f"{key}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    return paths


def failing(result: dict[str, Any]) -> bool:
    """Return True when the product's output misses the expectations of a run."""
    score = result["scores"].get("product", {})
    ndcg = score.get("ndcg_5")
    coverage = score.get("coverage")
    return bool(
        score.get("violation_count")
        or (ndcg is not None and ndcg < FAIL_NDCG)
        or (coverage is not None and coverage < FAIL_COVERAGE)
        or result["errors"].get("product")
    )


def failure_section(result: dict[str, Any], titles: dict[str, str]) -> list[str]:
    """Return the Markdown lines showing what a failing run expected and what came out."""
    score = result["scores"]["product"]
    acceptable = set(result["acceptable"])
    lines = [f"### {result['run_id']}: {result['title']}", ""]
    lines.append(f"NDCG@5 {figure(score['ndcg_5'])}, coverage {figure(score['coverage'])}, {score['violation_count']} violations.")
    if result["errors"].get("product"):
        lines.append(f"Error: {result['errors']['product']}")
    lines += ["", "Expected (acceptable): " + (", ".join(f"`{item}`" for item in result["acceptable"]) or "nothing: an empty plan"), ""]
    lines.append("Product output:")
    for position, item in enumerate(result["outputs"].get("product", []), start=1):
        mark = "acceptable" if item in acceptable else "not acceptable"
        lines.append(f"{position}. `{item}` {titles.get(item, '')} ({mark})")
    if not result["outputs"].get("product"):
        lines.append("(no steps)")
    if score["missed"]:
        lines.append("")
        lines.append("Closable gap skills left open: " + ", ".join(score["missed"]))
    for violation in score["violations"]:
        lines.append(f"- violation: {violation}")
    lines.append("")
    return lines


def write_report(evaluation: dict[str, Any], folder: Path, titles: dict[str, str]) -> Path:
    """Write results.json, the plots and report.md into ``folder``; return the report's path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(evaluation, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    plots = write_plots(evaluation["results"], folder)

    lines = [
        "# Evaluation report",
        "",
        (f"Dataset `{evaluation['dataset']}`: {evaluation['cases']} cases, {evaluation['runs']} runs, in {evaluation['seconds']} s. "
        f"Catalog of {evaluation['knowledge_base']['credentials']} credentials. Baseline: {evaluation['baseline']}. "
        f"Skill normalisation: {evaluation['skill_search']}. Chat turns: {evaluation['chat']}."),
        "",
        summary_table(evaluation["summary"]),
        "",
        *verdict_lines(evaluation["summary"]),
        "",
        "## Per run",
        "",
        "| run | NDCG@5 product | NDCG@5 baseline | coverage product | coverage baseline | violations product | violations baseline | optimum |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for result in evaluation["results"]:
        product = result["scores"].get("product", {})
        baseline = result["scores"].get("baseline", {})
        optimum = result["optimum"]
        ratio = figure(optimum["product"]["ratio"]) if optimum.get("status") == "solved" else optimum.get("status", "–")
        lines.append(
            f"| {result['run_id']} | {figure(product.get('ndcg_5'))} | {figure(baseline.get('ndcg_5'))} | "
            f"{figure(product.get('coverage'))} | {figure(baseline.get('coverage'))} | "
            f"{product.get('violation_count', '–')} | {baseline.get('violation_count', '–')} | {ratio} |"
        )
    lines += ["", "## Plots", ""] + [f"![{path.stem}]({path.name})" for path in plots]
    failures = [result for result in evaluation["results"] if failing(result)]
    lines += ["", f"## Failing runs ({len(failures)})", "",
              (f"A run fails when the product's NDCG@5 is under {FAIL_NDCG}, its coverage under {FAIL_COVERAGE}, "
              "it breaks a rule, or it raises an error."), ""]
    for result in failures:
        lines += failure_section(result, titles)
    path = folder / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    logger.info("wrote the evaluation report to %s", path)
    return path


def verdict_lines(summary: dict[str, dict[str, Any]]) -> list[str]:
    """Return one plain sentence per headline metric saying whether the product beats the baseline."""
    product = summary.get("product", {})
    baseline = summary.get("baseline", {})
    lines = []
    for key, label in (("ndcg_5", "NDCG@5"), ("coverage", "closable-gap coverage")):
        ours, theirs = product.get(key), baseline.get(key)
        if ours is None or theirs is None:
            continue
        verdict = "beats" if ours > theirs else "does not beat"
        lines.append(f"- The product {verdict} the baseline on {label}: {ours:.3f} against {theirs:.3f}.")
    return lines
