"""Metrics of the evaluation harness on tiny hand-computed cases."""

import math

import pytest

from advisor.evals.metrics import (
    grounding_share,
    listed_violations,
    mean,
    ndcg_at_k,
    objective_ratio,
    percentile,
    prerequisite_violations,
    recall_at_k,
)


def test_ndcg_perfect_ranking_is_one():
    assert ndcg_at_k(["a", "b", "c"], {"a", "b", "c"}, 5) == pytest.approx(1.0)


def test_ndcg_known_ranking():
    # relevant at positions 2 and 3 of three, two relevant ids in all
    dcg = 1 / math.log2(3) + 1 / math.log2(4)
    ideal = 1 / math.log2(2) + 1 / math.log2(3)
    assert ndcg_at_k(["x", "a", "b"], {"a", "b"}, 5) == pytest.approx(dcg / ideal)


def test_ndcg_cut_at_k():
    assert ndcg_at_k(["x", "y", "a"], {"a"}, 2) == 0.0


def test_ndcg_empty_acceptable_is_undefined():
    assert ndcg_at_k(["a"], set(), 5) is None


def test_recall_capped_at_k():
    acceptable = {f"id{i}" for i in range(20)}
    assert recall_at_k(["id0", "id1", "id2", "id3", "id4"], acceptable, 5) == 1.0


def test_recall_counts_duplicates_once():
    assert recall_at_k(["a", "a", "a", "b"], {"a", "c"}, 5) == pytest.approx(0.5)


def test_recall_duplicates_do_not_push_items_out():
    # the repeated "a" does not take a slot, so "b" is still within the first two
    assert recall_at_k(["a", "a", "b"], {"a", "b"}, 2) == 1.0


def test_recall_empty_acceptable_is_undefined():
    assert recall_at_k(["a"], [], 10) is None


def test_recall_empty_ranking_is_zero():
    assert recall_at_k([], {"a"}, 10) == 0.0


def test_prerequisite_order_violation():
    prerequisites = {"advanced": ["intro"]}
    assert prerequisite_violations(["advanced", "intro"], prerequisites, held=[]) == [
        "advanced comes before its prerequisites intro"
    ]


def test_prerequisite_met_by_held_or_earlier():
    prerequisites = {"advanced": ["intro"]}
    assert prerequisite_violations(["advanced"], prerequisites, held=["intro"]) == []
    assert prerequisite_violations(["intro", "advanced"], prerequisites, held=[]) == []


def test_listed_violations_name_each_item():
    assert listed_violations(["a", "b", "a"], {"a"}, "already held") == ["a is already held"]


def test_objective_ratio_less_coverage():
    assert objective_ratio((3, 10.0), (4, 10.0)) == pytest.approx(0.75)


def test_objective_ratio_same_coverage_more_hours():
    assert objective_ratio((4, 20.0), (4, 10.0)) == pytest.approx(0.5)


def test_objective_ratio_optimal_and_undefined():
    assert objective_ratio((4, 10.0), (4, 10.0)) == 1.0
    assert objective_ratio((0, 0.0), (0, 0.0)) is None


def test_grounding_share():
    cited = ["c1", "c2", "ghost", "c1"]
    assert grounding_share(cited, known={"c1", "c2"}, from_tools={"c1"}) == pytest.approx(1 / 3)
    assert grounding_share([], known=set(), from_tools=set()) is None


def test_percentile_interpolates():
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == pytest.approx(2.5)
    assert percentile([5.0], 0.95) == 5.0
    assert percentile([], 0.5) is None


def test_mean_skips_none():
    assert mean([1.0, None, 3.0]) == 2.0
    assert mean([None]) is None
