"""Perfherder's windowed t-test, on plain arrays: the baseline detector behaves as the original did."""

from __future__ import annotations

import math

import numpy as np
import pytest

from chalicelib.perf.detectors import perfherder


def _series(levels: list[tuple[float, int]], noise: float = 0.5, seed: int = 1) -> list[list[float]]:
    rng = np.random.default_rng(seed)
    return [[float(v)] for level, count in levels for v in rng.normal(level, noise, count)]


def test_a_clear_step_is_one_change_at_its_first_push():
    pushes = _series([(100.0, 30), (110.0, 30)])
    [change] = perfherder.detect(pushes)
    assert change.index == 30
    assert change.prev_value == pytest.approx(100.0, abs=0.5)
    assert change.new_value == pytest.approx(110.0, abs=0.5)
    assert change.amount_pct == pytest.approx(10.0, abs=0.7)
    assert change.score > 7


def test_a_significant_change_below_the_alert_threshold_is_not_an_alert():
    pushes = _series([(100.0, 30), (101.5, 30)], noise=0.05)
    assert perfherder.detect(pushes) == []
    assert [c.index for c in perfherder.detect(pushes, alert_threshold_pct=1.0)] == [30]


def test_a_change_needs_twelve_values_after_it():
    pushes = _series([(100.0, 30), (120.0, 11)])
    assert perfherder.detect(pushes) == []


def test_windows_count_values_so_retriggered_pushes_fill_them_sooner():
    # six pushes of two values each fill the 12-value fore window
    pushes = _series([(100.0, 30)]) + [[120.0 + i * 0.1, 120.2 - i * 0.1] for i in range(6)]
    assert [c.index for c in perfherder.detect(pushes)] == [30]


def test_t_is_the_linearly_weighted_difference_over_the_standard_error():
    back = [[1.0], [2.0], [4.0]]  # nearest first, weights 1, 2/3, 1/3
    fore = [[10.0], [11.0]]  # weights 1, 1/2
    m1 = (1 * 1 + 2 * 2 / 3 + 4 / 3) / (1 + 2 / 3 + 1 / 3)
    m2 = (10 + 11 / 2) / 1.5
    v1 = sum((v - m1) ** 2 for v in (1, 2, 4)) / 2
    v2 = sum((v - m2) ** 2 for v in (10, 11)) / 1
    assert perfherder._t(back, fore) == pytest.approx(abs(m2 - m1) / math.sqrt(v1 / 3 + v2 / 2))


def test_two_constant_windows_that_differ_have_infinite_t_and_equal_ones_zero():
    assert perfherder._t([[1.0], [1.0]], [[2.0], [2.0]]) == math.inf
    assert perfherder._t([[1.0], [1.0]], [[1.0], [1.0]]) == 0.0
    assert perfherder._t([], [[1.0]]) == 0.0


def test_the_prefix_sum_windows_equal_the_reference_windows():
    rng = np.random.default_rng(3)
    pushes = [list(rng.normal(100, 5, int(rng.integers(1, 4)))) for _ in range(40)]
    sums = perfherder._Sums(pushes)
    for a, b in [(0, 12), (5, 6), (10, 34), (20, 40)]:
        for linear in (True, False):
            back = sums.stats(a, b, b - 1, linear)
            fore = sums.stats(a, b, a, linear)
            assert back == pytest.approx(perfherder._window_stats(pushes[a:b][::-1], linear), rel=1e-9)
            assert fore == pytest.approx(perfherder._window_stats(pushes[a:b], linear), rel=1e-9)


def _walked(pushes: list[list[float]], min_back: int = 12, max_back: int = 24, fore: int = 12,
            t_threshold: float = 7.0) -> list[tuple[int, float]]:
    """The windows as treeherder/perfalert walks them, push by push, with the reference statistics: (i, t) alerts."""
    t, back_n, fore_n, since_last = [0.0] * len(pushes), [0] * len(pushes), [0] * len(pushes), 0
    for i in range(1, len(pushes)):
        reach, j, back = min(max(since_last, min_back), max_back), i - 1, []
        while back_n[i] < max_back and j >= 0 and i - j <= reach:
            back_n[i] += len(pushes[j])
            back.append(pushes[j])
            j -= 1
        ahead, j = [], i
        while fore_n[i] < fore and j < len(pushes):
            fore_n[i] += len(pushes[j])
            ahead.append(pushes[j])
            j += 1
        t[i] = perfherder._t(back, ahead)
        since_last = 0 if t[i] > t_threshold else since_last + 1
    return [(i, t[i]) for i in range(1, len(pushes))
            if back_n[i] >= min_back and fore_n[i] >= fore and t[i] > t_threshold
            and t[i - 1] <= t[i] and (i + 1 == len(pushes) or t[i + 1] <= t[i])]


@pytest.mark.parametrize("seed", range(4))
def test_detect_finds_what_walking_the_windows_push_by_push_finds(seed):
    """Windows bounded by bisection on running value counts, not walked: the same pushes, the same t.

    The walk is treeherder/perfalert's (``detect_changes``: back window from i − 1 while under ``max_back``
    values and within the pushes since the last detection, fore window from i while under ``fore`` values).
    """
    rng = np.random.default_rng(seed)
    pushes = [list(rng.normal(100.0 + 8.0 * (k >= 30) + 6.0 * (k >= 55), 2.0, int(rng.choice([1, 1, 1, 2, 3]))))
              for k in range(90)]
    for params in ({}, {"min_back": 3, "max_back": 9, "fore": 5, "t_threshold": 4.0}):
        found = [(c.index, c.score) for c in perfherder.detect(pushes, alert_threshold_pct=0.0, **params)]
        walked = _walked(pushes, **params)
        assert [i for i, _ in found] == [i for i, _ in walked] and found
        assert [s for _, s in found] == pytest.approx([s for _, s in walked], rel=1e-9)
