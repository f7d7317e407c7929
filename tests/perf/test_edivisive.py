"""E-divisive means, numpy implementation, against the package it replaces (the test oracle).

``signal-processing-algorithms`` (MongoDB) is installed for tests only
(requirements-oracle.txt): its releases pin numpy < 2, so it cannot ship.
"""

from __future__ import annotations

import numpy as np
import pytest

from chalicelib.perf.detectors import edivisive

energy = pytest.importorskip(
    "signal_processing_algorithms.energy_statistics.energy_statistics",
    reason="the oracle is installed by `make .venv/.installed` (requirements-oracle.txt)")


def _steps(seed: int, levels: list[tuple[float, int]], noise: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(level, noise, count) for level, count in levels])


@pytest.mark.parametrize("seed", range(5))
def test_q_statistics_equal_the_packages_for_every_split(seed):
    rng = np.random.default_rng(seed)
    series = rng.gamma(2.0, 10.0, int(rng.integers(5, 120)))
    distances = edivisive.distance_matrix(series)
    expected = energy._calculate_t_stats(distances, use_c_if_possible=False)
    np.testing.assert_allclose(edivisive.q_statistics(distances), expected, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("seed, levels, noise", [
    (1, [(100, 40), (110, 30)], 2.0),
    (2, [(100, 30), (90, 25), (105, 40)], 2.0),
    (3, [(500, 50), (520, 50), (480, 30)], 5.0),
    (4, [(10, 25), (14, 25), (10, 25), (14, 25)], 1.0),
])
def test_change_points_equal_the_packages_on_clear_shifts(seed, levels, noise):
    series = _steps(seed, levels, noise)
    np.random.seed(seed)  # the package shuffles with numpy's global generator
    expected = sorted(energy.e_divisive(series, pvalue=0.05, permutations=100))
    assert sorted(i for i, _, _ in edivisive.change_points(series)) == expected


def test_a_flat_series_has_no_change_point():
    assert edivisive.change_points(_steps(7, [(100, 120)], 3.0)) == []


def test_the_same_series_always_gives_the_same_answer():
    series = _steps(8, [(100, 30), (101.5, 30)], 2.0)  # a borderline shift: decided by the permutations
    assert edivisive.change_points(series) == edivisive.change_points(series)


def test_detect_reports_the_neighbouring_segments_means():
    series = _steps(9, [(100, 30), (120, 30)], 1.0)
    [change] = edivisive.detect([[v] for v in series])
    assert change.index == 30
    assert change.prev_value == pytest.approx(series[:30].mean())
    assert change.new_value == pytest.approx(series[30:].mean())
    assert change.confidence > 0.95


@pytest.mark.parametrize("values", [
    np.random.default_rng(12).gamma(2.0, 10.0, 37),  # floats: recomputed |x_i − x_j|, the same einsum
    np.random.default_rng(13).permutation(128).astype(float),  # ranks of 128 pushes: summed as int8
    np.array([3.0, -2.0, 3.0, 16383.0, -16383.0, 0.0, 7.0]),  # the int16 path's bounds, ties
])
def test_permuted_lower_sums_equal_those_of_the_gathered_distance_matrices(values):
    """The permutation test's sums are taken without gathering each permuted matrix: the same numbers, bit for bit."""
    distances = edivisive.distance_matrix(values)
    order = np.random.default_rng(14).permuted(np.tile(np.arange(values.size), (20, 1)), axis=1)
    expected = edivisive._lower_sums(distances[order[:, :, None], order[:, None, :]])
    permutable = edivisive._as_small_integers(values)
    actual = edivisive._permuted_lower_sums(permutable, order)
    assert actual.dtype == expected.dtype and np.array_equal(actual, expected)
    assert permutable.dtype == {37: np.float64, 128: np.int8, 7: np.int16}[values.size]
