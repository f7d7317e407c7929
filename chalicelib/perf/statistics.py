"""The metrics kernel: Welch t-test against the trend, BH-FDR per run, trend smoothing.

Pure numpy, vectorised over the pages of one run: a run has tens to hundreds of
pages and the original library evaluated them one by one, freezing a
``scipy.stats.t`` distribution per page — that loop, not I/O, dominated a
metrics job. Here every step is a handful of array operations over all pages.

At a hundred pages each numpy call costs about as much as its arithmetic, so
the kernel is written to make few calls: replicates arrive as one padded
matrix (``replicate_matrix``; the loading worker stores them that way), the
run's and the baseline's numbers travel as stacked 2×pages arrays, and the
outputs the metrics job rarely needs (errors, baseline flags) are derived on
first use. The one cost no rewrite removes is the t distribution itself
(``scipy.special.stdtr``, about 0.2 µs a page).

``scipy.special`` is imported lazily, inside the Welch test itself: importing
scipy.special costs ~0.25 s of cold start (benchmarks/metrics_kernel.py), and the Lambdas that
only import this module for its types (or never compare a page) should not pay it.

Formulas: Datazilla's metrics (docs/datazilla.md, "Metrics").
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

FEWER_THAN_TWO = "fewer than 2 replicates"
ZERO_VARIANCE = "p could not be computed (zero variance)"
# Evaluation.error per page state (see there): one lookup instead of masked string assignments
_ERRORS = np.array([FEWER_THAN_TWO, "", ZERO_VARIANCE, ""], dtype=object)


@dataclass(frozen=True)
class Summaries:
    """Per-page replicate summaries of one run (arrays of equal length, one entry per page)."""

    n_replicates: np.ndarray  # int: replicates received, before any warm-up drop (what the API reports)
    n: np.ndarray  # float (whole numbers): replicates used for the statistics
    mean: np.ndarray  # NaN when n == 0
    stddev: np.ndarray  # sample stddev (ddof=1); NaN when n < 2


def replicate_matrix(values: Sequence[Sequence[float]]) -> tuple[np.ndarray, np.ndarray]:
    """A run's ragged replicate lists as (lengths, pages × longest matrix padded with 0.0).

    The shape the kernel reads and the loading worker stores: one conversion
    from Python floats per run, none per metrics job.
    """
    lengths = np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values))
    width = int(lengths.max()) if lengths.size else 0
    matrix = np.zeros((lengths.size, width))
    if width:
        # row-major boolean assignment fills each row's leading cells, in order
        matrix[np.arange(width) < lengths[:, None]] = np.fromiter(
            itertools.chain.from_iterable(values), dtype=float, count=int(lengths.sum()))
    return lengths, matrix


def replicate_summaries(values: Sequence[Sequence[float]], drop_first: bool) -> Summaries:
    """Mean and sample stddev of each page's replicates, from ragged lists (see ``matrix_summaries``)."""
    return matrix_summaries(*replicate_matrix(values), drop_first)


def matrix_summaries(lengths: np.ndarray, matrix: np.ndarray, drop_first: bool) -> Summaries:
    """Mean and sample stddev of each page's replicates, all pages at once.

    ``matrix`` holds page i's replicates in its first ``lengths[i]`` cells.
    ``drop_first`` drops the warm-up replicate (tp5 tests); ``n_replicates``
    keeps the full count because that is what the API reports. Deviations are
    taken from the mean (two passes, as numpy's own ``std`` does) and the
    squared ones summed in one ``einsum`` whose weight (a vector when every
    page has as many replicates, the usual case) leaves out padding and the
    dropped replicate.
    """
    pages, width = matrix.shape
    first = 1 if drop_first else 0
    shortest = int(lengths.min()) if pages else 0
    n = lengths - float(first)  # float: the kernel's arithmetic type, converted once
    if shortest < first:
        n[n < 0.0] = 0.0
    if not width:
        nan = np.full(pages, np.nan)
        return Summaries(n_replicates=lengths, n=n, mean=nan, stddev=nan.copy())
    if shortest == width:  # every page as long (the usual case): one cached weight vector
        weight = _uniform_weight(width, first)
        subscripts = "ij,ij,j->i"
    else:
        weight = (np.arange(width) < lengths[:, None]).astype(float)
        weight[:, :first] = 0.0
        subscripts = "ij,ij,ij->i"
    with np.errstate(divide="ignore", invalid="ignore"):
        # a row sum is numpy's pairwise sum of that page, as np.mean(page) adds it: the same digits.
        # n == 0 gives 0/0 and n == 1 gives 0/0 for the variance: NaN, as the API wants, without a mask
        mean = np.add.reduce(matrix[:, first:], axis=1)
        mean /= n
        deviations = matrix - mean[:, None]
        variance = np.einsum(subscripts, deviations, deviations, weight)
        variance /= n - 1.0
        stddev = np.sqrt(variance, out=variance)
    return Summaries(n_replicates=lengths, n=n, mean=mean, stddev=stddev)


@functools.lru_cache(maxsize=16)
def _uniform_weight(width: int, first: int) -> np.ndarray:
    """1.0 for the replicates that count, 0.0 for a dropped warm-up one; read-only, shared by runs of one shape."""
    weight = np.ones(width)
    weight[:first] = 0.0
    weight.flags.writeable = False
    return weight


def welch_one_sided(n1: ArrayLike, s1: ArrayLike, m1: ArrayLike,
                    n2: ArrayLike, s2: ArrayLike, m2: ArrayLike) -> np.ndarray:
    """Upper-tail p of Welch's t-test from summaries: small p means run 1 is slower than run 2.

    ``p = 1 − T_df.cdf(t)`` is computed as ``stdtr(df, −t)`` because the
    subtraction loses every digit once the cdf rounds to 1 (t ≳ 8), exactly the
    pages that regressed most. NaN where the test is undefined (a side with
    fewer than 2 replicates, or zero variance on both sides); the caller
    records those as per-page errors rather than warnings.
    """
    arrays = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (n1, s1, m1, n2, s2, m2)))
    n1, s1, m1, n2, s2, m2 = (np.ravel(a) for a in arrays)  # 1-d, so _welch may work in place
    with np.errstate(all="ignore"):
        return _welch(n1, s1, m1, n2, s2, m2, (n1 >= 2) & (n2 >= 2)).reshape(arrays[0].shape)


def _welch(n1: np.ndarray, s1: np.ndarray, m1: np.ndarray, n2: np.ndarray, s2: np.ndarray, m2: np.ndarray,
           wanted: np.ndarray) -> np.ndarray:
    """Welch p for float arrays, NaN outside ``wanted`` and where se² is 0 (callers hold ``np.errstate``).

    Split from the public function so evaluate_run converts its inputs and
    enters ``np.errstate`` once: at a hundred pages each numpy call costs about
    as much as its arithmetic.
    """
    vn1 = s1 * s1
    vn1 /= n1
    vn2 = s2 * s2
    vn2 /= n2
    se2 = vn1 + vn2
    t = m2 - m1
    t /= np.sqrt(se2)  # already negated: p = stdtr(df, -t_welch)
    # zero variance both sides makes df 0/0 = NaN, and stdtr(NaN, ·) is NaN: no separate check needed
    vn1 *= vn1
    vn1 /= n1 - 1
    vn2 *= vn2
    vn2 /= n2 - 1
    vn1 += vn2
    se2 *= se2
    se2 /= vn1
    se2[~wanted] = np.nan
    return _stdtr()(se2, t)


@functools.cache
def _stdtr() -> np.ufunc:
    """``scipy.special.stdtr``, imported on first use (cold start: see the module docstring)."""
    from scipy.special import stdtr

    return stdtr


def benjamini_hochberg(p: ArrayLike, q: float = 0.05) -> np.ndarray:
    """Which p values the Benjamini–Hochberg procedure rejects at false discovery rate ``q``.

    NaN entries are pages that were not compared: they are never rejected and do
    not count in N, so an error on one page cannot change another page's verdict.
    Strict ``p_(k) < k·q/N`` as in the original. Tied p values are never split
    (the condition holds for all of a tie or for its last member), so the sort
    order within a tie does not change the outcome.
    """
    p = np.asarray(p, dtype=float)
    return _benjamini_hochberg(p, p.size - int(np.count_nonzero(np.isnan(p))), q)


def _benjamini_hochberg(p: np.ndarray, count: int, q: float) -> np.ndarray:
    """BH for a float array holding ``count`` non-NaN values (evaluate_run already knows the count)."""
    rejected = np.zeros(p.shape, dtype=bool)
    if count:
        order = p.argsort()[:count]  # NaN sorts last
        below = np.flatnonzero(p[order] < _bh_bounds(count, q))
        if below.size:
            rejected[order[: int(below[-1]) + 1]] = True
    return rejected


@functools.lru_cache(maxsize=64)
def _bh_bounds(count: int, q: float) -> np.ndarray:
    """``k·q/N`` for k = 1..N, in that operation order (as the reference does); cached, runs repeat N."""
    bounds = np.arange(1, count + 1) * q / count
    bounds.flags.writeable = False
    return bounds


def smooth(new: ArrayLike, old: ArrayLike, weight: float = 0.05) -> np.ndarray:
    """Linear smoothing of the trend: a passing run nudges it, one run cannot swing it."""
    return weight * np.asarray(new, dtype=float) + (1 - weight) * np.asarray(old, dtype=float)


class Evaluation:
    """Verdict for every page of a run (arrays of equal length, one entry per page).

    ``p``, ``h0_rejected``, ``fdr`` and the trends are computed by
    ``evaluate_run``; the flags derived from them are computed on first use.
    """

    def __init__(self, p: np.ndarray, h0_rejected: np.ndarray, fdr: np.ndarray, trend_mean: np.ndarray,
                 trend_stddev: np.ndarray, enough: np.ndarray, candidate: np.ndarray, passed: np.ndarray) -> None:
        self.p = p  # NaN where not computed
        self.h0_rejected = h0_rejected  # bool, p < alpha
        self.fdr = fdr  # bool, BH over the pages that were compared
        self.trend_mean = trend_mean  # trend after this run (NaN where still none)
        self.trend_stddev = trend_stddev
        self._enough = enough
        self._candidate = candidate
        self._passed = passed

    @functools.cached_property
    def test_evaluation(self) -> np.ndarray:
        """bool, not fdr (True = pass); meaningful where compared."""
        return ~self.fdr

    @functools.cached_property
    def compared(self) -> np.ndarray:
        """bool: metrics were computed for this page."""
        return ~np.isnan(self.p)

    @functools.cached_property
    def baseline(self) -> np.ndarray:
        """bool: first data for the page's series -> becomes the baseline, no metrics."""
        return self._enough ^ self._candidate

    @functools.cached_property
    def moves_threshold(self) -> np.ndarray:
        """bool: threshold (and trend) move to this run: passed comparisons and new baselines."""
        return self._passed | self.baseline

    @functools.cached_property
    def error(self) -> np.ndarray:
        """object array of str: "" or the reason the page was not compared."""
        # 0 too few replicates, 1 baseline, 2 zero variance, 3 compared
        state = self._enough.view(np.int8) + self._candidate.view(np.int8) + self.compared.view(np.int8)
        return _ERRORS.take(state)


def evaluate_run(n: ArrayLike, mean: ArrayLike, stddev: ArrayLike,
                 base_n: ArrayLike, base_mean: ArrayLike, base_stddev: ArrayLike,
                 trend_mean: ArrayLike, trend_stddev: ArrayLike,
                 alpha: float = 0.05, q: float = 0.05, weight: float = 0.05) -> Evaluation:
    """Compare every page of a new run with its series' threshold run and move trends.

    ``base_*`` summarise the series' threshold run (NaN, or ``base_n`` 0, where the
    series has no data yet); ``trend_*`` are NaN where it has no trend yet, in
    which case the page is compared with the threshold (parent) run itself and
    the parent's mean/stddev seed the trend. A page is a trend only when both
    its trend mean and stddev are known.

    Pages that cannot be compared (too few replicates, zero variance) carry an
    error and are left out of the FDR, so one bad page neither fails nor
    rescues the others.
    """
    n, mean, stddev = _floats(n), _floats(mean), _floats(stddev)
    base_n, base_mean, base_stddev = _floats(base_n), _floats(base_mean), _floats(base_stddev)
    trend_mean, trend_stddev = _floats(trend_mean), _floats(trend_stddev)
    with np.errstate(all="ignore"):
        enough = n >= 2.0  # NaN compares False
        candidate = enough & (base_n > 0.0)
        no_trend = np.isnan(trend_mean + trend_stddev)
        old_mean = np.where(no_trend, base_mean, trend_mean)
        old_stddev = np.where(no_trend, base_stddev, trend_stddev)
        p = _welch(n, stddev, mean, base_n, old_stddev, old_mean, candidate)
        compared = p == p  # not NaN
        fdr = _benjamini_hochberg(p, int(np.count_nonzero(compared)), q)
        passed = compared > fdr  # compared and not fdr
        moved_mean = np.where(passed, weight * mean + (1 - weight) * old_mean, trend_mean)
        moved_stddev = np.where(passed, weight * stddev + (1 - weight) * old_stddev, trend_stddev)
        return Evaluation(p, p < alpha, fdr, moved_mean, moved_stddev, enough, candidate, passed)


def _floats(values: ArrayLike) -> np.ndarray:
    """``values`` as a float array, without a call into numpy when it already is one (the kernel's own output)."""
    if type(values) is np.ndarray and values.dtype == np.float64:
        return values
    return np.asarray(values, dtype=float)
