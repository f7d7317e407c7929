"""Shipyard's detector on plain arrays: steps found where they are, the originals' false alarms not raised."""

from __future__ import annotations

import numpy as np

from chalicelib.perf.detectors import shipyard


def _pushes(level: np.ndarray) -> list[list[float]]:
    return [[float(v)] for v in level]


def _noisy(levels: list[tuple[float, int]], cv: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    level = np.concatenate([np.full(count, value) for value, count in levels])
    return level * (1.0 + rng.normal(0.0, cv, level.size))


def test_a_five_percent_step_is_found_on_its_push_with_its_size():
    series = _noisy([(200.0, 40), (210.0, 40)], 0.01, seed=1)
    [change] = shipyard.detect(_pushes(series))
    assert abs(change.index - 40) <= 1
    assert 3.5 < change.amount_pct < 6.5
    assert change.new_value > change.prev_value and change.confidence > 0.99


def test_slow_outlier_runs_neither_hide_a_step_nor_raise_alerts():
    series = _noisy([(200.0, 40), (210.0, 40)], 0.01, seed=2)
    series[[5, 17, 33, 41, 60, 71]] *= 1.5  # a bad machine now and then
    assert [abs(c.index - 40) <= 1 for c in shipyard.detect(_pushes(series))] == [True]


def test_a_linear_drift_without_a_step_is_no_change():
    drift = _noisy([(200.0, 100)], 0.01, seed=3) * np.linspace(1.0, 1.08, 100)
    assert shipyard.detect(_pushes(drift)) == []


def test_a_stable_bimodal_series_is_no_change():
    rng = np.random.default_rng(4)
    series = 200.0 * (1 + rng.normal(0, 0.005, 120) + np.where(rng.random(120) < 0.35, 0.06, 0.0))
    assert shipyard.detect(_pushes(series)) == []


def test_two_steps_fifteen_pushes_apart_are_two_changes():
    series = _noisy([(200.0, 40), (230.0, 15), (200.0, 40)], 0.01, seed=5)
    found = [c.index for c in shipyard.detect(_pushes(series))]
    assert len(found) == 2 and abs(found[0] - 40) <= 1 and abs(found[1] - 55) <= 1


def test_a_real_but_tiny_step_is_below_the_alert_threshold():
    series = _noisy([(200.0, 60), (200.0 * 1.005, 60)], 0.0005, seed=6)
    assert shipyard.detect(_pushes(series)) == []


def test_retriggered_runs_of_a_push_count_as_one_push():
    series = _noisy([(200.0, 40), (220.0, 40)], 0.01, seed=7)
    pushes = _pushes(series)
    pushes[50].append(pushes[50][0] * 1.01)
    [change] = shipyard.detect(pushes)
    assert abs(change.index - 40) <= 1


def test_the_same_series_gives_the_same_changes():
    series = _pushes(_noisy([(200.0, 40), (203.0, 40)], 0.01, seed=8))
    assert shipyard.detect(series) == shipyard.detect(series)


def test_a_short_series_has_no_change():
    assert shipyard.detect([[1.0], [2.0], [3.0]]) == []


def test_a_small_step_on_a_quiet_series_passes_the_noise_adaptive_floor_and_not_on_a_noisy_one():
    """Perfherder alerts from 2 % (``treeherder/perf/alerts.py``, alert_threshold); a fixed 4 % floor would miss a
    3 % step that stands ten sigmas out, and a 2 % floor alone would alert on a noisy series' wiggles."""
    adaptive = shipyard.Parameters(min_pct=4.0, quiet_pct=2.0, quiet_effect=4.0)
    # given a 3 % step on a series whose runs scatter by 0.2 %
    quiet = _pushes(_noisy([(200.0, 40), (206.0, 40)], 0.002, seed=9))
    # then only the noise-adaptive floor finds it, at its push
    assert shipyard.detect(quiet, shipyard.Parameters(min_pct=4.0)) == []
    [change] = shipyard.detect(quiet, adaptive)
    assert abs(change.index - 40) <= 1 and 2.0 < change.amount_pct < 4.0
    # given the same step where runs scatter by 2 % (the step is 1.5 sigmas): no alert
    assert shipyard.detect(_pushes(_noisy([(200.0, 40), (206.0, 40)], 0.02, seed=9)), adaptive) == []


def test_a_step_four_pushes_before_the_end_is_judged_when_min_side_allows():
    series = _noisy([(200.0, 40), (240.0, 4)], 0.01, seed=10)
    assert shipyard.detect(_pushes(series), shipyard.Parameters(min_side=5)) == []
    assert [c.index for c in shipyard.detect(_pushes(series), shipyard.Parameters(min_side=4))] == [40]


def test_confirming_with_shared_verdicts_decides_as_confirming_alone():
    series = _noisy([(200.0, 40), (230.0, 15), (200.0, 40)], 0.01, seed=5)
    y = shipyard._points(_pushes(series))
    proposed = shipyard.candidates(_pushes(series), y)
    seen: dict = {}
    for params in (shipyard.V1, shipyard.REAL_DATA, shipyard.Parameters(z_min=3.5, min_pct=10.0)):
        assert shipyard.confirm(y, proposed, params, seen) == shipyard.confirm(y, proposed, params)


def test_a_push_is_the_median_of_its_runs():
    # given pushes of one run (the value itself), of an odd and of an even number of retriggered runs
    pushes = [[3.0], [5.0, 1.0, 4.0], [2.0, 8.0], [7.5]]
    # then each point is np.median of its runs, exactly
    assert shipyard._points(pushes).tolist() == [float(np.median(v)) for v in pushes] == [3.0, 4.0, 5.0, 7.5]


def test_the_step_tests_median_is_numpys_to_the_bit():
    """``judge`` takes its medians by partition: the numbers must be np.median's (ties, even sizes, NaN)."""
    rng = np.random.default_rng(11)
    for size in [*range(1, 12), 30, 59, 60, 900]:
        values = rng.normal(100.0, 5.0, size)
        for case in (values, np.round(values), np.full(size, 2.5)):
            assert shipyard._median(case) == float(np.median(case))
        with_nan = values.copy()
        with_nan[size // 2] = np.nan
        assert np.isnan(shipyard._median(with_nan)) and np.isnan(np.median(with_nan))
