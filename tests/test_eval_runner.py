"""The evaluation runner on a few personas, with the engine only (no index, no chat)."""

from pathlib import Path

import pytest

from advisor.config import Settings, default_knowledge_base_dir
from advisor.evals.dataset import load_cases
from advisor.evals.matching import normalize_label
from advisor.evals.report import write_report
from advisor.evals.runner import EvalOptions, run_evaluation

DATASET = Path(__file__).resolve().parent.parent / "evals" / "personas"


def test_dataset_has_forty_cases_or_more():
    cases = load_cases(DATASET)
    assert len(cases) >= 40
    assert all(len(case.expected.acceptable) <= 20 for case in cases)


def test_normalize_label_drops_qualifiers():
    assert normalize_label("Data Visualization (DataViz)") == "data visualization"
    assert normalize_label("C++") == "c++"


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), knowledge_base_dir=default_knowledge_base_dir())
    options = EvalOptions(
        dataset=DATASET, limit=2, with_baseline=False, with_chat=False, use_index=False, settings=settings
    )
    return run_evaluation(options)


def test_runner_scores_each_case(evaluation):
    assert evaluation["cases"] == 2
    assert evaluation["runs"] == 2
    product = evaluation["summary"]["product"]
    assert 0.0 <= product["ndcg_5"] <= 1.0
    assert 0.0 <= product["coverage"] <= 1.0
    assert "baseline" not in evaluation["summary"]


def test_runner_records_outputs_and_latency(evaluation):
    result = evaluation["results"][0]
    assert result["case_id"] == "acc-bookkeeper-returning"
    assert result["latency_ms"]["product"] > 0
    assert "coursera:from-excel-to-power-bi" not in result["acceptable"]


def test_report_files_written(evaluation, tmp_path):
    report = write_report(evaluation, tmp_path, {})
    text = report.read_text(encoding="utf-8")
    assert "| NDCG@5 |" in text
    assert (tmp_path / "results.json").is_file()
    assert (tmp_path / "ndcg_5.png").is_file()
