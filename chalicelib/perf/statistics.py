"""The metrics kernel: Welch t-test against the trend, BH-FDR per run, trend smoothing.

Pure numpy, vectorised over the pages of one run: a run has tens to hundreds of
pages and the original library evaluated them one by one, freezing a
``scipy.stats.t`` distribution per page — that loop, not I/O, dominated a
metrics job. Here every step is a handful of array operations over all pages.

At a hundred pages each numpy call costs about as much as its arithmetic
(~0.5 µs), so the kernel is written to make few calls, each over every page:

- replicates arrive as one padded pages × replicates matrix
  (``replicate_matrix``; the loading worker stores them that way); when every
  page is as long, a page's sum is numpy's own pairwise row sum, the digits
  ``np.mean(page)`` gives, and the count is one number instead of an array;
- numpy pays a loop call per row of ~25 replicates, so after that sum the
  deviations are worked on replicates × pages (one transposing copy) and
  their squares summed by one matrix-vector product;
- a quantity that exists for the mean and for the stddev (the run's, the
  threshold's, the trend's, the moved trend) travels as one 2 × pages array,
  so choosing between threshold and trend and smoothing the trend are one
  call each for both;
- undefined tests (fewer than 2 replicates on a side, zero variance on
  both) need no mask: their Welch degrees of freedom come out 0 or NaN and
  ``stdtr`` answers NaN for those;
- Benjamini–Hochberg is one sort and a threshold, not a scatter of ranks,
  and the same threshold names the pages that passed (``p > threshold``);
- outputs the metrics job reads per page but the kernel does not need
  (errors, baseline flags) are derived on first use.

The one cost no rewrite removes is the t distribution itself
(``scipy.special.stdtr``, ~0.2 µs a page, a third of the kernel at 100
pages and most of it at 1,000: benchmarks/metrics_kernel.py).

``scipy.special`` is imported lazily, inside the Welch test itself: importing
scipy.special costs ~0.25 s of cold start (benchmarks/metrics_kernel.py), and the Lambdas that
only import this module for its types (or never compare a page) should not pay it.

Formulas: Datazilla's metrics (docs/datazilla.md, "Metrics").
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

FEWER_THAN_TWO = "fewer than 2 replicates"
ZERO_VARIANCE = "p could not be computed (zero variance)"
# Evaluation.error per page state (see there): one lookup instead of masked string assignments
_ERRORS = np.array([FEWER_THAN_TWO, "", ZERO_VARIANCE, ""], dtype=object)


class Summaries:
    """Per-page replicate summaries of one run (one entry per page).

    ``moments`` stacks the mean (row 0) and the stddev (row 1) so the kernel
    moves both in one call; ``mean`` and ``stddev`` are views of its rows.
    ``count`` is ``n`` as the kernel reads it: one number when every page
    used as many replicates (a scalar costs one call less than an array).
    """

    __slots__ = ("_n", "count", "moments", "n_replicates", "variance")

    def __init__(self, n_replicates: np.ndarray, count: np.ndarray | float, moments: np.ndarray,
                 variance: np.ndarray | None = None) -> None:
        self.n_replicates = n_replicates  # int: replicates received, before any warm-up drop (what the API reports)
        self.count = count  # float (whole numbers): replicates used for the statistics, per page or for all
        self.moments = moments  # 2 × pages: mean (NaN when n == 0), sample stddev (ddof=1; NaN when n < 2)
        # the sample variance as computed, so the Welch test does not square a square root back
        self.variance = moments[1] * moments[1] if variance is None else variance
        self._n: np.ndarray | None = None

    @classmethod
    def of(cls, n: ArrayLike, mean: ArrayLike, stddev: ArrayLike) -> Summaries:
        """Summaries known only by their numbers (a series' threshold run, kept in the metrics state)."""
        counts = _floats(n)
        return cls(counts, counts, np.array((mean, stddev), dtype=float).reshape(2, counts.size))

    @property
    def n(self) -> np.ndarray:
        """float per page (whole numbers): replicates used for the statistics."""
        if self._n is None:
            self._n = np.broadcast_to(np.asarray(self.count, dtype=float), self.moments.shape[1:]).copy()
        return self._n

    @property
    def mean(self) -> np.ndarray:
        return self.moments[0]

    @property
    def stddev(self) -> np.ndarray:
        return self.moments[1]


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
    keeps the full count because that is what the API reports. Deviations
    are taken from the mean (two passes, as numpy's own ``std`` does). When
    every page is as long (the usual case) a page's sum is numpy's pairwise
    sum of that page, as ``np.mean(page)`` adds it: the same digits.
    """
    pages, width = matrix.shape
    first = 1 if drop_first else 0
    used = width - first
    if used < 2 or not pages or lengths.tobytes() != _uniform_lengths(pages, width, lengths.dtype.str):
        return _ragged_summaries(lengths, matrix, first)
    # every page as long, with two or more replicates: the count is one number and nothing divides by zero
    replicates = matrix[:, first:]
    moments = np.empty((2, pages))
    mean = np.add.reduce(replicates, axis=1, out=moments[0])
    mean /= used
    # Deviations replicates × pages: a row of a page-major matrix is only ~25 numbers, and numpy pays a
    # loop call per row, so the subtraction runs along pages (one transposing copy is cheaper than 100 rows).
    deviations = replicates.T.copy()
    deviations -= mean
    deviations *= deviations
    variance = np.matmul(_sample_variance_weights(used), deviations)
    np.sqrt(variance, out=moments[1])
    return Summaries(lengths, float(used), moments, variance)


@functools.lru_cache(maxsize=64)
def _uniform_lengths(pages: int, width: int, dtype: str) -> bytes:
    """The bytes of a lengths vector whose pages all have ``width`` replicates.

    Comparing bytes answers "is every page as long?" without a numpy
    reduction (~1 µs of call overhead, a twentieth of the kernel's own work).
    """
    return np.full(pages, width, dtype=dtype).tobytes()


@functools.lru_cache(maxsize=64)
def _sample_variance_weights(count: int) -> np.ndarray:
    """``1/(n − 1)`` per replicate: the weighted sum of squared deviations is the sample variance."""
    weights = np.full(count, 1.0 / (count - 1))
    weights.flags.writeable = False
    return weights


def _ragged_summaries(lengths: np.ndarray, matrix: np.ndarray, first: int) -> Summaries:
    """As ``matrix_summaries`` when pages differ in length or have fewer than 2 replicates: padding weighted out."""
    pages, width = matrix.shape
    n = lengths - float(first)
    n[n < 0.0] = 0.0
    moments = np.full((2, pages), np.nan)
    if not width:
        return Summaries(lengths, n, moments, moments[1].copy())
    weight = (np.arange(width) < lengths[:, None]).astype(float)
    weight[:, :first] = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        # n == 0 gives 0/0 and n == 1 gives 0/0 for the variance: NaN, as the API wants, without a mask
        mean = np.divide(np.vecdot(matrix, weight), n, out=moments[0])
        deviations = matrix - mean[:, None]
        deviations *= weight
        variance = np.vecdot(deviations, deviations)
        variance /= n - 1.0
        np.sqrt(variance, out=moments[1])
    return Summaries(lengths, n, moments, variance)


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
        p = _welch(n1, s1 * s1, m1, n2, s2, m2)
        p[~((n1 >= 2) & (n2 >= 2))] = np.nan
        return p.reshape(arrays[0].shape)


def _welch(n1: np.ndarray, v1: np.ndarray, m1: np.ndarray, n2: np.ndarray, s2: np.ndarray,
           m2: np.ndarray) -> np.ndarray:
    """Welch p for float arrays (callers hold ``np.errstate``); ``v1`` is side 1's variance.

    NaN wherever the test is undefined, without a mask: one replicate on a
    side divides its variance by n − 1 = 0, so df = se⁴/∞ = 0; none, or
    zero variance on both sides, gives 0/0 or ∞/∞ = NaN; and ``stdtr`` is
    NaN for df 0 or NaN.
    """
    vn1 = v1 / n1
    vn2 = s2 * s2
    vn2 /= n2
    se2 = vn1 + vn2
    t = m2 - m1
    t /= np.sqrt(se2)  # already negated: p = stdtr(df, -t_welch)
    vn1 *= vn1
    vn1 /= n1 - 1
    vn2 *= vn2
    vn2 /= n2 - 1
    vn1 += vn2
    se2 *= se2
    se2 /= vn1
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
    Strict ``p_(k) < k·q/N`` as in the original.
    """
    return _benjamini_hochberg(np.asarray(p, dtype=float), q)


def _benjamini_hochberg(p: np.ndarray, q: float) -> np.ndarray:
    return p <= _bh_threshold(p, q)


def _bh_threshold(p: np.ndarray, q: float) -> float:
    """The largest rejected p, or −∞ when none is: BH rejects exactly the p at or below it.

    That is the same set as the k smallest because tied p values are never
    split: when p_(k) = p_(k+1), p_(k+1) < k·q/N ≤ (k+1)·q/N too, so the
    largest qualifying rank is always the last of its tie. As a threshold,
    the pages that passed are ``p > threshold`` (NaN compares False): one
    comparison, no negation of the verdicts.
    """
    ranked = p.copy()
    ranked.sort()  # NaN sorts last
    count = ranked.size
    if count and ranked[-1] != ranked[-1]:
        count = int(np.count_nonzero(ranked == ranked))
    if count:
        below = (ranked[:count] < _bh_bounds(count, q)).nonzero()[0]
        if below.size:
            return float(ranked[below[-1]])
    return -math.inf


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
    ``evaluate``; the flags derived from them are computed on first use.
    """

    def __init__(self, p: np.ndarray, h0_rejected: np.ndarray, fdr: np.ndarray, trends: np.ndarray,
                 run: Summaries, base: Summaries) -> None:
        self.p = p  # NaN where not computed
        self.h0_rejected = h0_rejected  # bool, p < alpha
        self.fdr = fdr  # bool, BH over the pages that were compared
        self.trends = trends  # 2 × pages: trend mean and stddev after this run (NaN where still none)
        self._run = run
        self._base = base

    @property
    def trend_mean(self) -> np.ndarray:
        return self.trends[0]

    @property
    def trend_stddev(self) -> np.ndarray:
        return self.trends[1]

    @functools.cached_property
    def test_evaluation(self) -> np.ndarray:
        """bool, not fdr (True = pass); meaningful where compared."""
        return ~self.fdr

    @functools.cached_property
    def compared(self) -> np.ndarray:
        """bool: metrics were computed for this page."""
        return ~np.isnan(self.p)

    @functools.cached_property
    def _enough(self) -> np.ndarray:
        """bool: the run has 2 or more replicates of the page (NaN compares False)."""
        return self._run.n >= 2.0

    @functools.cached_property
    def _candidate(self) -> np.ndarray:
        """bool: enough, and the series has a threshold run to compare with."""
        return self._enough & (self._base.n > 0.0)

    @functools.cached_property
    def baseline(self) -> np.ndarray:
        """bool: first data for the page's series -> becomes the baseline, no metrics."""
        return self._enough ^ self._candidate

    @functools.cached_property
    def moves_threshold(self) -> np.ndarray:
        """bool: threshold (and trend) move to this run: passed comparisons and new baselines."""
        return (self.compared > self.fdr) | self.baseline

    @functools.cached_property
    def error(self) -> np.ndarray:
        """object array of str: "" or the reason the page was not compared."""
        # 0 too few replicates, 1 baseline, 2 zero variance, 3 compared
        state = self._enough.view(np.int8) + self._candidate.view(np.int8) + self.compared.view(np.int8)
        return _ERRORS.take(state)


def evaluate(run: Summaries, base: Summaries, trends: np.ndarray,
             alpha: float = 0.05, q: float = 0.05, weight: float = 0.05) -> Evaluation:
    """Compare every page of a new run with its series' threshold run and move trends.

    ``base`` summarises the series' threshold run (NaN, or n 0, where the
    series has no data yet); ``trends`` (2 × pages: mean, stddev) is NaN where
    the series has no trend yet, in which case the page is compared with the
    threshold (parent) run itself and the parent's mean/stddev seed the trend.
    A page is a trend only when both its trend mean and stddev are known.

    Pages that cannot be compared (too few replicates, zero variance) carry an
    error and are left out of the FDR, so one bad page neither fails nor
    rescues the others.
    """
    with np.errstate(all="ignore"):
        known = trends[0] + trends[1]  # NaN unless both are known
        old = base.moments.copy()
        np.copyto(old, trends, where=known == known)
        p = _welch(run.count, run.variance, run.moments[0], base.count, old[1], old[0])
        threshold = _bh_threshold(p, q)
        old *= 1 - weight
        moved = weight * run.moments
        moved += old
        after = trends.copy()
        np.copyto(after, moved, where=p > threshold)  # passed: compared (p not NaN) and not fdr
        return Evaluation(p, p < alpha, p <= threshold, after, run, base)


def evaluate_run(n: ArrayLike, mean: ArrayLike, stddev: ArrayLike,
                 base_n: ArrayLike, base_mean: ArrayLike, base_stddev: ArrayLike,
                 trend_mean: ArrayLike, trend_stddev: ArrayLike,
                 alpha: float = 0.05, q: float = 0.05, weight: float = 0.05) -> Evaluation:
    """``evaluate`` for summaries given as separate arrays (one page's numbers at each index)."""
    run, base = Summaries.of(n, mean, stddev), Summaries.of(base_n, base_mean, base_stddev)
    trends = np.array((trend_mean, trend_stddev), dtype=float).reshape(2, run.n.size)
    return evaluate(run, base, trends, alpha, q, weight)


def _floats(values: ArrayLike) -> np.ndarray:
    """``values`` as a 1-d float array, without a copy when it already is one."""
    return np.asarray(values, dtype=float).reshape(-1)
