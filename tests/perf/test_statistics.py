"""The metrics kernel (chalicelib.perf.statistics) against scipy and plain-Python references."""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.special import stdtrit

from chalicelib.perf.statistics import (
    FEWER_THAN_TWO,
    ZERO_VARIANCE,
    Summaries,
    benjamini_hochberg,
    evaluate,
    evaluate_run,
    matrix_summaries,
    replicate_matrix,
    replicate_summaries,
    smooth,
    welch_one_sided,
)

ROOT = Path(__file__).resolve().parents[2]
NAN = math.nan

# Replicate timings as a harness reports them: 0–5000 ms to the microsecond, never all equal. Unrestricted
# floats are not data (s² of [0, 1e-174] underflows) and ill-conditioned ones test rounding, not the formula.
timing = st.integers(min_value=0, max_value=5_000_000).map(lambda us: us / 1000)
replicates = st.lists(timing, min_size=2, max_size=40).filter(lambda xs: len(set(xs)) > 1)
microsecond_jitter = st.lists(st.integers(0, 2), min_size=2, max_size=40).filter(lambda d: len(set(d)) > 1)


def reference_bh(p: list[float], q: float) -> list[bool]:
    """Benjamini–Hochberg as the spec words it, one p at a time."""
    ranked = sorted((value, index) for index, value in enumerate(p) if not math.isnan(value))
    count = len(ranked)
    k = 0
    for rank, (value, _) in enumerate(ranked, start=1):
        if value < rank * q / count:
            k = rank
    rejected = [False] * len(p)
    for _, index in ranked[:k]:
        rejected[index] = True
    return rejected


def evaluate_one(n=10, mean=100.0, stddev=5.0, base_n=10, base_mean=100.0, base_stddev=5.0,
                 trend_mean=NAN, trend_stddev=NAN):
    """evaluate_run for a single page; keyword defaults describe an unremarkable page."""
    return evaluate_run([n], [mean], [stddev], [base_n], [base_mean], [base_stddev], [trend_mean], [trend_stddev])


# --- replicate_summaries -------------------------------------------------------------------------


# up to 1,200 generated timings an example: on a loaded 2-core machine generation alone can trip the too_slow check
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(timing, min_size=0, max_size=40), min_size=1, max_size=30))
def test_given_ragged_pages_when_summarised_then_each_page_matches_numpy_on_its_own(pages):
    summaries = replicate_summaries(pages, drop_first=False)
    for i, page in enumerate(pages):
        assert summaries.n_replicates[i] == summaries.n[i] == len(page)
        if len(page) >= 1:
            assert summaries.mean[i] == pytest.approx(np.mean(page), rel=1e-12, abs=1e-9)
        else:
            assert math.isnan(summaries.mean[i])
        if len(page) >= 2:
            assert summaries.stddev[i] == pytest.approx(np.std(page, ddof=1), rel=1e-9, abs=1e-9)
        else:
            assert math.isnan(summaries.stddev[i])


@given(st.integers(1, 8), st.integers(2, 140), st.booleans(), st.randoms(use_true_random=False))
def test_given_equally_long_pages_when_summarised_then_each_mean_has_np_mean_digits(pages, width, drop, rnd):
    # the claim the fast path makes: a page's sum is numpy's pairwise sum of that page, bit for bit
    values = [[rnd.randint(0, 5_000_000) / 1000 for _ in range(width)] for _ in range(pages)]
    summaries = replicate_summaries(values, drop_first=drop)
    first = 1 if drop else 0
    assert summaries.mean.tolist() == [float(np.mean(page[first:])) for page in values]
    assert summaries.n.tolist() == [float(width - first)] * pages


def test_given_tp5_drop_when_summarised_then_first_replicate_ignored_but_counted():
    summaries = replicate_summaries([[1000.0, 10.0, 12.0, 14.0], [7.0, 1.0, 3.0]], drop_first=True)
    assert summaries.n_replicates.tolist() == [4, 3]
    assert summaries.n.tolist() == [3, 2]
    assert summaries.mean.tolist() == [12.0, 2.0]
    assert summaries.stddev.tolist() == [2.0, pytest.approx(math.sqrt(2))]


def test_given_tp5_drop_and_two_replicates_when_summarised_then_stddev_is_nan():
    summaries = replicate_summaries([[500.0, 10.0]], drop_first=True)
    assert (summaries.n_replicates[0], summaries.n[0], summaries.mean[0]) == (2, 1, 10.0)
    assert math.isnan(summaries.stddev[0])


def test_given_no_pages_when_summarised_then_arrays_are_empty():
    summaries = replicate_summaries([], drop_first=True)
    assert summaries.n_replicates.shape == summaries.n.shape == summaries.mean.shape == (0,)


def test_given_empty_page_when_summarised_then_quietly_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        summaries = replicate_summaries([[], [1.0]], drop_first=True)
    assert summaries.n.tolist() == [0, 0]
    assert np.isnan(summaries.mean).all() and np.isnan(summaries.stddev).all()


def test_given_equal_pages_narrower_than_the_matrix_when_summarised_then_the_padding_is_not_counted():
    # every page has 3 replicates but the matrix is 5 wide: not the "every page fills its row" case
    matrix = np.array([[900.0, 10.0, 12.0, 0.0, 0.0], [900.0, 1.0, 3.0, 0.0, 0.0]])
    summaries = matrix_summaries(np.array([3, 3]), matrix, drop_first=True)
    assert summaries.n.tolist() == [2.0, 2.0]
    assert summaries.mean.tolist() == [11.0, 2.0]
    assert summaries.stddev.tolist() == [pytest.approx(math.sqrt(2)), pytest.approx(math.sqrt(2))]


def test_given_lengths_of_another_integer_type_when_summarised_then_the_same_summaries():
    lengths, matrix = replicate_matrix([[5.0, 1.0, 2.0, 4.0], [6.0, 3.0, 3.5, 2.0]])
    wide = matrix_summaries(lengths, matrix, drop_first=True)
    narrow = matrix_summaries(lengths.astype(np.int32), matrix, drop_first=True)
    assert narrow.moments.tolist() == wide.moments.tolist() and narrow.n.tolist() == wide.n.tolist()


# --- welch_one_sided -----------------------------------------------------------------------------


@settings(deadline=None, max_examples=300)
@given(replicates, replicates)
def test_given_two_replicate_arrays_when_tested_then_p_equals_scipy_ttest_ind(a, b):
    summaries = replicate_summaries([a, b], drop_first=False)
    n, s, m = summaries.n, summaries.stddev, summaries.mean
    p = welch_one_sided(n[0], s[0], m[0], n[1], s[1], m[1])
    expected = stats.ttest_ind(a, b, equal_var=False, alternative="greater").pvalue
    # absolute 1e-12 across [0, 1]; where p is tiny, relative (the point of stdtr is tail accuracy)
    assert float(p) == pytest.approx(expected, abs=1e-12, rel=1e-9)



@settings(deadline=None)
@given(st.integers(0, 5_000_000), microsecond_jitter, microsecond_jitter)
def test_given_ill_conditioned_pages_summarised_alone_when_tested_then_p_still_equals_scipy(base, da, db):
    # Spread of 1 µs on up to 5 s: p is then sensitive to the last bit of the means. Summarised together, padding
    # changes numpy's summation order by an ulp (seen: p off by 4e-9); summarised alone the kernel is exact.
    a, b = [(base + d) / 1000 for d in da], [(base + d) / 1000 for d in db]
    sa, sb = replicate_summaries([a], drop_first=False), replicate_summaries([b], drop_first=False)
    p = welch_one_sided(sa.n[0], sa.stddev[0], sa.mean[0], sb.n[0], sb.stddev[0], sb.mean[0])
    expected = stats.ttest_ind(a, b, equal_var=False, alternative="greater").pvalue
    assert float(p) == pytest.approx(expected, abs=1e-12, rel=1e-9)

def test_given_a_large_regression_when_tested_then_tail_p_is_tiny_but_not_zero():
    p = welch_one_sided(25, 1.0, 120.0, 25, 1.0, 100.0)
    assert 0 < p < 1e-20
    assert p == pytest.approx(stats.t(48).sf(20 / math.sqrt(2 / 25)), rel=1e-12)


def test_given_arrays_when_tested_then_each_element_is_an_independent_test():
    p = welch_one_sided([10, 20], [1.0, 2.0], [5.0, 6.0], [12, 8], [1.5, 1.0], [5.5, 5.0])
    assert p.tolist() == [pytest.approx(float(welch_one_sided(10, 1.0, 5.0, 12, 1.5, 5.5))),
                          pytest.approx(float(welch_one_sided(20, 2.0, 6.0, 8, 1.0, 5.0)))]


def test_given_zero_variance_on_one_side_when_tested_then_p_is_defined():
    assert 0 < welch_one_sided(10, 0.0, 101.0, 10, 2.0, 100.0) < 1


@pytest.mark.parametrize(("n1", "s1", "n2", "s2"), [
    (10, 0.0, 10, 0.0),   # zero variance both sides
    (1, 1.0, 10, 1.0),    # too few replicates, new run
    (10, 1.0, 1, 1.0),    # too few replicates, baseline
    (10, NAN, 10, 1.0),   # unknown stddev
    (NAN, 1.0, 10, 1.0),  # unknown count
])
def test_given_undefined_test_when_tested_then_p_is_nan_without_warnings(n1, s1, n2, s2):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(welch_one_sided(n1, s1, 101.0, n2, s2, 100.0))


# --- benjamini_hochberg --------------------------------------------------------------------------

p_values = st.one_of(st.floats(min_value=0.0, max_value=1.0), st.just(NAN), st.sampled_from([0.001, 0.01, 0.02, 0.05]))


@given(st.lists(p_values, max_size=60), st.sampled_from([0.05, 0.1, 0.01]))
def test_given_p_values_when_bh_applied_then_equals_reference(p, q):
    assert benjamini_hochberg(np.array(p, dtype=float), q).tolist() == reference_bh(p, q)


def test_given_nan_p_when_bh_applied_then_never_rejected_and_not_counted_in_n():
    # with N=2 the bound for the smallest p would be 0.025; with N=1 it is 0.05
    assert benjamini_hochberg(np.array([0.04, NAN])).tolist() == [True, False]


def test_given_p_equal_to_bound_when_bh_applied_then_not_rejected_strict():
    assert benjamini_hochberg(np.array([0.05]), q=0.05).tolist() == [False]


def test_given_step_up_when_bh_applied_then_smaller_p_above_their_bound_are_rejected_too():
    # 0.02 > 1·0.05/3 but the largest qualifying rank is 3 (0.04 < 0.05): all three rejected
    assert benjamini_hochberg(np.array([0.04, 0.02, 0.03])).tolist() == [True, True, True]


def test_given_only_nan_when_bh_applied_then_nothing_rejected():
    assert benjamini_hochberg(np.array([NAN, NAN])).tolist() == [False, False]


# --- smooth --------------------------------------------------------------------------------------


def test_given_new_and_old_when_smoothed_then_five_percent_new():
    assert smooth(np.array([200.0]), np.array([100.0])).tolist() == [pytest.approx(105.0)]


# --- evaluate_run --------------------------------------------------------------------------------


def test_given_first_data_for_series_when_evaluated_then_page_becomes_baseline_without_metrics():
    result = evaluate_one(base_n=NAN, base_mean=NAN, base_stddev=NAN)
    assert result.baseline.tolist() == [True]
    assert result.moves_threshold.tolist() == [True]
    assert result.compared.tolist() == [False]
    assert math.isnan(result.p[0]) and math.isnan(result.trend_mean[0]) and math.isnan(result.trend_stddev[0])
    assert result.error.tolist() == [""]


def test_given_base_with_zero_replicates_when_evaluated_then_treated_as_first_data():
    assert evaluate_one(base_n=0).baseline.tolist() == [True]


def test_given_fewer_than_two_replicates_when_evaluated_then_error_and_nothing_moves():
    for base_n in (10, NAN):
        result = evaluate_one(n=1, stddev=NAN, base_n=base_n, trend_mean=100.0, trend_stddev=5.0)
        assert result.error.tolist() == [FEWER_THAN_TWO]
        assert (result.compared[0], result.baseline[0], result.moves_threshold[0]) == (False, False, False)
        assert (result.trend_mean[0], result.trend_stddev[0]) == (100.0, 5.0)


def test_given_zero_variance_both_sides_when_evaluated_then_error_and_nothing_moves():
    result = evaluate_one(stddev=0.0, base_stddev=0.0, trend_mean=NAN)
    assert result.error.tolist() == [ZERO_VARIANCE]
    assert (result.compared[0], result.moves_threshold[0], result.fdr[0]) == (False, False, False)
    assert math.isnan(result.p[0]) and math.isnan(result.trend_mean[0])


def test_given_first_comparison_passes_when_evaluated_then_trend_smoothed_from_parent():
    result = evaluate_one(mean=110.0, stddev=6.0, base_mean=120.0, base_stddev=4.0)
    assert result.compared.tolist() == [True] and result.test_evaluation.tolist() == [True]
    assert result.moves_threshold.tolist() == [True] and result.baseline.tolist() == [False]
    assert result.trend_mean[0] == pytest.approx(0.05 * 110.0 + 0.95 * 120.0)
    assert result.trend_stddev[0] == pytest.approx(0.05 * 6.0 + 0.95 * 4.0)


def test_given_existing_trend_and_pass_when_evaluated_then_trend_smoothed_from_trend_not_parent():
    result = evaluate_one(mean=110.0, stddev=6.0, base_mean=500.0, base_stddev=50.0,
                          trend_mean=112.0, trend_stddev=5.0)
    assert result.moves_threshold.tolist() == [True]
    assert result.trend_mean[0] == pytest.approx(0.05 * 110.0 + 0.95 * 112.0)
    assert result.trend_stddev[0] == pytest.approx(0.05 * 6.0 + 0.95 * 5.0)


def test_given_existing_trend_when_evaluated_then_p_is_against_trend_with_base_count():
    result = evaluate_one(n=12, mean=110.0, stddev=6.0, base_n=20, base_mean=90.0, base_stddev=1.0,
                          trend_mean=108.0, trend_stddev=5.0)
    assert result.p[0] == pytest.approx(float(welch_one_sided(12, 6.0, 110.0, 20, 5.0, 108.0)), rel=1e-12)


def test_given_no_trend_when_evaluated_then_p_is_against_parent_run():
    result = evaluate_one(n=12, mean=110.0, stddev=6.0, base_n=20, base_mean=108.0, base_stddev=5.0)
    assert result.p[0] == pytest.approx(float(welch_one_sided(12, 6.0, 110.0, 20, 5.0, 108.0)), rel=1e-12)


def test_given_regression_with_trend_when_evaluated_then_trend_and_threshold_carry_forward():
    result = evaluate_one(mean=150.0, stddev=5.0, trend_mean=100.0, trend_stddev=5.0)
    assert (result.fdr[0], result.h0_rejected[0], result.test_evaluation[0]) == (True, True, False)
    assert result.moves_threshold.tolist() == [False]
    assert (result.trend_mean[0], result.trend_stddev[0]) == (100.0, 5.0)
    assert result.error.tolist() == [""]


def test_given_regression_on_first_comparison_when_evaluated_then_trend_stays_absent():
    result = evaluate_one(mean=150.0, stddev=5.0)
    assert result.fdr.tolist() == [True] and result.moves_threshold.tolist() == [False]
    assert math.isnan(result.trend_mean[0]) and math.isnan(result.trend_stddev[0])


def test_given_errored_page_when_evaluated_then_it_does_not_count_in_the_fdr():
    # p = 0.04 for the first page: rejected when N = 1, not when the errored page would make N = 2
    t = -stdtrit(18.0, 0.04)
    mean = 100.0 + t * math.sqrt(2 / 10)
    result = evaluate_run(n=[10, 10], mean=[mean, 100.0], stddev=[1.0, 0.0], base_n=[10, 10],
                          base_mean=[100.0, 100.0], base_stddev=[1.0, 0.0],
                          trend_mean=[NAN, NAN], trend_stddev=[NAN, NAN])
    assert result.p[0] == pytest.approx(0.04)
    assert result.fdr.tolist() == [True, False]
    assert result.error.tolist() == ["", ZERO_VARIANCE]


def test_given_p_below_alpha_but_not_fdr_when_evaluated_then_h0_rejected_and_still_passes():
    # three pages at p ≈ 0.04 and 0.5, 0.6: 0.04 < alpha, but 0.04 ≥ 1·0.05/3
    t = -stdtrit(18.0, 0.04)
    means = [100.0 + t * math.sqrt(2 / 10), 100.0, 99.9]
    result = evaluate_run([10] * 3, means, [1.0] * 3, [10] * 3, [100.0] * 3, [1.0] * 3, [NAN] * 3, [NAN] * 3)
    assert result.h0_rejected.tolist() == [True, False, False]
    assert result.fdr.tolist() == [False, False, False]
    assert result.test_evaluation.tolist() == [True, True, True]
    assert result.moves_threshold.tolist() == [True, True, True]


def test_given_stacked_summaries_when_evaluated_then_same_verdicts_as_separate_arrays():
    pages = [[9.0, 10.0, 11.0, 12.0], [30.0, 20.0, 21.0, 22.0], [5.0, 5.5, 5.0, 6.0]]
    run = replicate_summaries(pages, drop_first=True)
    base = Summaries.of([3, 3, 0], [10.0, 18.0, NAN], [1.0, 1.0, NAN])
    trends = np.array([[NAN, 18.5, NAN], [NAN, 1.2, NAN]])
    stacked = evaluate(run, base, trends)
    separate = evaluate_run(run.n, run.mean, run.stddev, base.n, base.mean, base.stddev, trends[0], trends[1])
    assert stacked.p.tolist()[:2] == pytest.approx(separate.p.tolist()[:2], rel=1e-15)
    assert math.isnan(stacked.p[2]) and stacked.baseline.tolist() == [False, False, True]
    assert stacked.fdr.tolist() == separate.fdr.tolist() and stacked.error.tolist() == separate.error.tolist()
    np.testing.assert_array_equal(stacked.trends, np.array([separate.trend_mean, separate.trend_stddev]))


@pytest.mark.parametrize("with_short_page", [False, True], ids=["equal-length pages", "a 1-replicate page"])
def test_given_a_stored_run_with_every_kind_of_page_when_evaluated_then_each_page_is_welch_from_scipy(with_short_page):
    """The path the metrics job takes (stored matrix -> summaries -> evaluate), one page of each kind.

    Reference per page: scipy's Welch test from summaries (``ttest_ind_from_stats``, one-sided), as
    Datazilla's ``welchs_ttest_internal``; FDR by the spec's BH over the compared pages only.
    """
    # given: tp5 pages (first replicate dropped) and, per page, the series' threshold run and trend
    pages = {
        "steady": ([900.0, 100.0, 102.0, 98.0, 100.0], (4, 100.5, 2.0), (100.0, 2.1)),
        "regressed": ([900.0, 150.0, 152.0, 148.0, 150.0], (4, 100.0, 2.0), (100.0, 2.0)),
        "no trend yet": ([900.0, 101.0, 103.0, 99.0, 101.0], (4, 100.0, 2.0), (NAN, NAN)),
        "half a trend": ([900.0, 99.0, 101.0, 97.0, 99.0], (4, 100.0, 2.0), (100.0, NAN)),
        "zero variance": ([900.0, 50.0, 50.0, 50.0, 50.0], (4, 50.0, 0.0), (NAN, NAN)),
        "first data": ([900.0, 10.0, 11.0, 12.0, 13.0], (0, NAN, NAN), (NAN, NAN)),
    }
    if with_short_page:
        pages["one replicate"] = ([900.0, 100.0], (4, 100.0, 2.0), (100.0, 2.0))
    names = list(pages)
    base = Summaries.of(*zip(*(pages[name][1] for name in names), strict=True))
    trends = np.array([pages[name][2] for name in names]).T

    # when
    run = matrix_summaries(*replicate_matrix([pages[name][0] for name in names]), drop_first=True)
    result = evaluate(run, base, trends)

    # then: each page on its own
    compared = {"steady", "regressed", "no trend yet", "half a trend"}
    expected_p = {}
    for name in compared:
        used = pages[name][0][1:]
        base_n, base_mean, base_sd = pages[name][1]
        trend_mean, trend_sd = pages[name][2]
        mean2, sd2 = (base_mean, base_sd) if math.isnan(trend_mean + trend_sd) else (trend_mean, trend_sd)
        expected_p[name] = stats.ttest_ind_from_stats(np.mean(used), np.std(used, ddof=1), len(used), mean2, sd2,
                                                      base_n, equal_var=False, alternative="greater").pvalue
    p_in_order = [expected_p.get(name, NAN) for name in names]
    fdr = reference_bh(p_in_order, 0.05)
    for i, name in enumerate(names):
        if name in compared:
            assert result.p[i] == pytest.approx(expected_p[name], abs=1e-12, rel=1e-9), name
            assert result.fdr[i] == fdr[i] and result.h0_rejected[i] == (expected_p[name] < 0.05), name
        else:
            assert math.isnan(result.p[i]) and not result.fdr[i] and not result.h0_rejected[i], name
    assert dict(zip(names, result.fdr.tolist(), strict=True))["regressed"] is True
    errors = dict(zip(names, result.error.tolist(), strict=True))
    assert errors["zero variance"] == ZERO_VARIANCE and errors["first data"] == ""
    if with_short_page:
        assert errors["one replicate"] == FEWER_THAN_TWO
    # trends: passed pages smoothed from the trend (or, without a whole one, the threshold run); others kept
    for i, name in enumerate(names):
        used = pages[name][0][1:]
        if name in compared and not fdr[i]:
            old = pages[name][2] if not math.isnan(sum(pages[name][2])) else pages[name][1][1:]
            assert result.trends[:, i].tolist() == pytest.approx(
                [0.05 * np.mean(used) + 0.95 * old[0], 0.05 * np.std(used, ddof=1) + 0.95 * old[1]], rel=1e-12), name
        else:
            np.testing.assert_array_equal(result.trends[:, i], trends[:, i], err_msg=name)


@settings(deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.floats(1, 1000), st.floats(0, 50),
                          st.integers(0, 30), st.floats(1, 1000), st.floats(0, 50), st.booleans()),
                min_size=1, max_size=40))
def test_given_any_run_when_evaluated_then_outcomes_are_consistent(pages):
    n, mean, sd, base_n, base_mean, base_sd, trended = (np.array(c, dtype=float) for c in zip(*pages, strict=True))
    trend_mean = np.where(trended.astype(bool), base_mean * 1.01, NAN)
    trend_sd = np.where(trended.astype(bool), base_sd, NAN)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = evaluate_run(n, mean, sd, base_n, base_mean, base_sd, trend_mean, trend_sd)
    assert not (r.compared & r.baseline).any()
    assert (r.compared == ~np.isnan(r.p)).all()
    assert not (r.fdr & ~r.compared).any()
    assert (r.test_evaluation == ~r.fdr).all()
    assert (r.moves_threshold == (r.compared & ~r.fdr) | r.baseline).all()
    assert ((r.error != "") == ~(r.compared | r.baseline)).all()
    unmoved = ~r.moves_threshold
    np.testing.assert_array_equal(r.trend_mean[unmoved], trend_mean[unmoved])


# --- import cost ---------------------------------------------------------------------------------


def test_given_fresh_interpreter_when_kernel_imported_then_scipy_is_not_imported():
    result = subprocess.run(
        [sys.executable, "-c", "import chalicelib.perf.statistics, sys; print('scipy' in sys.modules)"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )
    assert result.stdout.strip() == "False"
