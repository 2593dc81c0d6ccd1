import numpy as np
import pytest

from snn_control.perception.places.metrics import (best_match, correct_mask, pr_auc, pr_curve, recall_at,
                                                   recall_at_full_precision, summarize)


def test_recall_at_n_by_hand():
    scores = np.array([[0.9, 0.1, 0.0, 0.0],     # truth 0: top-1 right
                       [0.8, 0.7, 0.6, 0.0],     # truth 2: third best
                       [0.05, 0.0, 0.1, 0.9]])   # truth 1: last
    truth = np.array([0, 2, 1])
    assert recall_at(scores, truth, 1) == pytest.approx(1 / 3)
    assert recall_at(scores, truth, 3) == pytest.approx(2 / 3)
    assert recall_at(scores, truth, 1, tolerance=1) == pytest.approx(1 / 3)
    assert recall_at(scores, truth, 1, tolerance=2) == 1.0      # 0 is 2 from 2, 3 is 2 from 1
    with pytest.raises(ValueError, match="n_queries"):
        recall_at(scores[:2], truth, 1)


def test_places_nobody_searched_never_count():
    scores = np.array([[-np.inf, -np.inf]])
    assert recall_at(scores, np.array([0]), 2) == 0.0
    assert correct_mask(np.array([-1]), np.array([0]), tolerance=5).tolist() == [False]


def test_pr_curve_auc_and_recall_at_full_precision_by_hand():
    conf = np.array([0.9, 0.8, 0.7, 0.6])
    ok = np.array([True, True, False, True])
    p, r = pr_curve(conf, ok)
    assert p.tolist() == [1.0, 1.0, pytest.approx(2 / 3), 0.75]
    assert r.tolist() == [0.25, 0.5, 0.5, 0.75]
    assert pr_auc(p, r) == pytest.approx(0.25 + 0.25 + 0.75 * 0.25)
    assert recall_at_full_precision(p, r) == 0.5
    assert recall_at_full_precision(*pr_curve(np.array([1.0, 0.5]), np.array([False, True]))) == 0.0


def test_summary_of_a_perfect_matcher():
    scores = np.eye(5)
    m = summarize(scores, np.arange(5))
    assert m["recall_at_1"] == m["recall_at_5"] == m["auc_pr"] == m["recall_at_100p"] == 1.0


def test_a_distance_tolerance_judges_by_metres():
    scores = np.array([[0.1, 0.9, 0.0], [0.9, 0.0, 0.1]])
    truth = np.array([0, 2])
    distances = np.array([[0.0, 4.0, 30.0], [25.0, 30.0, 0.0]])   # query 0 is 4 m from place 1
    assert recall_at(scores, truth, 1, distances=distances, tolerance_m=5.0) == 0.5
    assert recall_at(scores, truth, 1, distances=distances, tolerance_m=25.0) == 1.0
    m = summarize(scores, truth, distances=distances, tolerance_m=5.0)
    assert m["recall_at_1"] == 0.5 and m["tolerance_m"] == 5.0


def test_best_match_is_one_rule_for_every_method():
    scores = np.array([[0.2, 0.5, 0.1], [0.0, 0.0, 0.0], [-np.inf, 0.3, -np.inf], [-np.inf] * 3])
    place, best, conf = best_match(scores, min_score=0.0)
    assert place.tolist() == [1, -1, 1, -1]           # a silent query (all 0) matches nothing
    assert conf == pytest.approx([0.3, 0.0, 0.0, 0.0])  # no finite runner-up: no confidence
    place, _, _ = best_match(-np.array([[3.0, 1.0, 2.0]]))   # SAD: -distance, no floor
    assert place.tolist() == [1]


def test_pr_curve_accepts_equal_confidences_together():
    conf = np.array([0.5, 0.5, 0.2])
    a = pr_curve(conf, np.array([True, False, True]))
    b = pr_curve(conf, np.array([False, True, True]))   # the same queries in another order
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert a[0].tolist() == [0.5, pytest.approx(2 / 3)]
    assert recall_at_full_precision(*a) == 0.0
