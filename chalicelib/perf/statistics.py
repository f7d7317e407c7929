"""The metrics kernel: Welch t-test against the trend, BH-FDR per run, trend smoothing.

Pure numpy, vectorised over the pages of one run: a run has tens to hundreds of
pages and the original library evaluated them one by one, freezing a
``scipy.stats.t`` distribution per page — that loop, not I/O, dominated a
metrics job. Here every step is a handful of array operations over all pages.

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
# evaluate_run's error per page state (see there): one lookup instead of masked string assignments
_ERRORS = np.array([FEWER_THAN_TWO, "", ZERO_VARIANCE, ""], dtype=object)


@dataclass(frozen=True)
class Summaries:
    """Per-page replicate summaries of one run (arrays of equal length, one entry per page)."""

    n_replicates: np.ndarray  # int: replicates received, before any warm-up drop (what the API reports)
    n: np.ndarray  # int: replicates used for the statistics
    mean: np.ndarray  # NaN when n == 0
    stddev: np.ndarray  # sample stddev (ddof=1); NaN when n < 2


def replicate_summaries(values: Sequence[Sequence[float]], drop_first: bool) -> Summaries:
    """Mean and sample stddev of each page's replicates, all pages at once.

    Ragged replicate lists are padded into one 2-D array so the reductions run
    once over the run instead of once per page. ``drop_first`` drops the
    warm-up replicate (tp5 tests); ``n_replicates`` keeps the full count because
    that is what the API reports.
    """
    lengths = np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values))
    width = int(lengths.max()) if lengths.size else 0
    used = np.arange(width) < lengths[:, None]
    padded = np.zeros((lengths.size, width))
    if width:
        # row-major boolean assignment fills each row's leading cells, in order
        padded[used] = np.fromiter(itertools.chain.from_iterable(values), dtype=float, count=int(lengths.sum()))
    if drop_first and width:
        used[:, 0] = False
        padded[:, 0] = 0.0
    n = np.maximum(lengths - 1, 0) if drop_first else lengths
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = padded.sum(axis=1) / n
        deviations = np.where(used, padded - mean[:, None], 0.0)
        variance = np.einsum("ij,ij->i", deviations, deviations) / (n - 1)
    mean = np.where(n > 0, mean, np.nan)
    stddev = np.where(n >= 2, np.sqrt(variance), np.nan)
    return Summaries(n_replicates=lengths, n=n, mean=mean, stddev=stddev)


def welch_one_sided(n1: ArrayLike, s1: ArrayLike, m1: ArrayLike,
                    n2: ArrayLike, s2: ArrayLike, m2: ArrayLike) -> np.ndarray:
    """Upper-tail p of Welch's t-test from summaries: small p means run 1 is slower than run 2.

    ``p = 1 − T_df.cdf(t)`` is computed as ``stdtr(df, −t)`` because the
    subtraction loses every digit once the cdf rounds to 1 (t ≳ 8), exactly the
    pages that regressed most. NaN where the test is undefined (a side with
    fewer than 2 replicates, or zero variance on both sides); the caller
    records those as per-page errors rather than warnings.
    """
    n1, s1, m1 = np.asarray(n1, dtype=float), np.asarray(s1, dtype=float), np.asarray(m1, dtype=float)
    n2, s2, m2 = np.asarray(n2, dtype=float), np.asarray(s2, dtype=float), np.asarray(m2, dtype=float)
    with np.errstate(all="ignore"):
        return _welch(n1, s1, m1, n2, s2, m2, (n1 >= 2) & (n2 >= 2))


def _welch(n1: np.ndarray, s1: np.ndarray, m1: np.ndarray, n2: np.ndarray, s2: np.ndarray, m2: np.ndarray,
           wanted: np.ndarray) -> np.ndarray:
    """Welch p for float arrays, NaN outside ``wanted`` and where se² is 0 (callers hold ``np.errstate``).

    Split from the public function so evaluate_run converts its inputs and
    enters ``np.errstate`` once: at a hundred pages each numpy call costs about
    as much as its arithmetic, and the run's whole budget is ~100 µs.
    """
    from scipy.special import stdtr

    vn1 = s1 * s1 / n1
    vn2 = s2 * s2 / n2
    se2 = vn1 + vn2
    t = (m2 - m1) / np.sqrt(se2)  # already negated: p = stdtr(df, -t_welch)
    # zero variance both sides makes df 0/0 = NaN, and stdtr(NaN, ·) is NaN: no separate check needed
    df = se2 * se2 / (vn1 * vn1 / (n1 - 1) + vn2 * vn2 / (n2 - 1))
    return stdtr(np.where(wanted, df, np.nan), t)


def benjamini_hochberg(p: ArrayLike, q: float = 0.05) -> np.ndarray:
    """Which p values the Benjamini–Hochberg procedure rejects at false discovery rate ``q``.

    NaN entries are pages that were not compared: they are never rejected and do
    not count in N, so an error on one page cannot change another page's verdict.
    Strict ``p_(k) < k·q/N`` as in the original. Tied p values are never split
    (the condition holds for all of a tie or for its last member), so the stable
    sort only fixes the order, not the outcome.
    """
    p = np.asarray(p, dtype=float)
    return _benjamini_hochberg(p, p.size - int(np.count_nonzero(np.isnan(p))), q)


def _benjamini_hochberg(p: np.ndarray, count: int, q: float) -> np.ndarray:
    """BH for a float array holding ``count`` non-NaN values (evaluate_run already knows the count)."""
    rejected = np.zeros(p.shape, dtype=bool)
    if count:
        order = p.argsort(kind="stable")[:count]  # NaN sorts last
        below = p[order] < _bh_bounds(count, q)
        last = count - 1 - int(below[::-1].argmax())
        if below[last]:
            rejected[order[: last + 1]] = True
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


@dataclass(frozen=True)
class Evaluation:
    """Verdict for every page of a run (arrays of equal length, one entry per page)."""

    p: np.ndarray  # NaN where not computed
    h0_rejected: np.ndarray  # bool, p < alpha
    fdr: np.ndarray  # bool, BH over the pages that were compared
    test_evaluation: np.ndarray  # bool, not fdr (True = pass); meaningful where compared
    compared: np.ndarray  # bool: metrics were computed for this page
    baseline: np.ndarray  # bool: first data for the page's series -> becomes the baseline, no metrics
    moves_threshold: np.ndarray  # bool: threshold (and trend) move to this run: passed comparisons and new baselines
    trend_mean: np.ndarray  # trend after this run (NaN where still none)
    trend_stddev: np.ndarray
    error: np.ndarray  # object array of str: "" or the reason the page was not compared


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
    n, mean, stddev = np.asarray(n, dtype=float), np.asarray(mean, dtype=float), np.asarray(stddev, dtype=float)
    base_n, base_mean = np.asarray(base_n, dtype=float), np.asarray(base_mean, dtype=float)
    base_stddev = np.asarray(base_stddev, dtype=float)
    trend_mean, trend_stddev = np.asarray(trend_mean, dtype=float), np.asarray(trend_stddev, dtype=float)

    with np.errstate(all="ignore"):
        enough = n >= 2.0  # NaN compares False
        candidate = enough & (base_n > 0.0)
        either = trend_mean + trend_stddev
        has_trend = either == either  # not NaN
        # mean and stddev travel as one 2×pages array: every step below is one numpy call, not two
        trend = np.array([trend_mean, trend_stddev])
        old = np.where(has_trend, trend, np.array([base_mean, base_stddev]))
        p = _welch(n, stddev, mean, base_n, old[1], old[0], candidate)
        compared = p == p  # not NaN
        fdr = _benjamini_hochberg(p, int(np.count_nonzero(compared)), q)
        passed = compared & ~fdr
        baseline = enough ^ candidate
        moved = np.where(passed, smooth(np.array([mean, stddev]), old, weight), trend)
        # 0 too few replicates, 1 baseline, 2 zero variance, 3 compared
        state = enough.view(np.int8) + candidate.view(np.int8) + compared.view(np.int8)
        return Evaluation(
            p=p,
            h0_rejected=p < alpha,
            fdr=fdr,
            test_evaluation=~fdr,
            compared=compared,
            baseline=baseline,
            moves_threshold=passed | baseline,
            trend_mean=moved[0],
            trend_stddev=moved[1],
            error=_ERRORS.take(state),
        )
