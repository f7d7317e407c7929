"""Perfherder's alert detector: a t-test between a back and a fore window at every push.

The facts, from Treeherder's ``treeherder/perf/alerts.py`` and ``perfalert``:

- back window: whole pushes walking back from i−1 while it holds fewer than
  ``max_back`` values and reaches no further than
  ``min(max(pushes since the last detection, min_back), max_back)`` pushes;
- fore window: whole pushes from i on while it holds fewer than ``fore`` values;
- t = |Δ weighted mean| / √(var₁/n₁ + var₂/n₂), the means weighted linearly
  ((n−k)/n for the k-th push from the change), variances around those means
  with N−1; 0 when a window is empty or Δ = 0, ∞ when both variances are 0;
- a change at i where both windows are full, t > ``t_threshold`` and t is not
  below either neighbour's; it becomes an alert when the plain (uniformly
  weighted) window means differ by at least ``alert_threshold_pct`` percent.

Kept as the original computes it, including its quirks (the "pushes since the
last detection" counter is updated while scanning, before peaks are chosen):
this module is the baseline Shipyard is measured against.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from itertools import accumulate

import numpy as np

from chalicelib.perf.detectors import Change

NAME = "ttest"


def _window_stats(window: Sequence[Sequence[float]], linear: bool) -> tuple[float, int, float]:
    """(weighted mean, value count, variance) of pushes listed nearest-first (the reference form)."""
    count = len(window)
    weighted_sum = weight_total = 0.0
    for k, values in enumerate(window):
        weight = (count - k) / count if linear else 1.0
        weighted_sum += weight * sum(values)
        weight_total += weight * len(values)
    mean = weighted_sum / weight_total if weight_total else 0.0
    flat = [v for values in window for v in values]
    variance = sum((v - mean) ** 2 for v in flat) / (len(flat) - 1) if len(flat) > 1 else 0.0
    return mean, len(flat), variance


def _t(back: Sequence[Sequence[float]], fore: Sequence[Sequence[float]]) -> float:
    if not back or not fore:
        return 0.0
    m1, n1, v1 = _window_stats(back, linear=True)
    m2, n2, v2 = _window_stats(fore, linear=True)
    return _t_of(m1, n1, v1, m2, n2, v2)


def _t_of(m1: float, n1: int, v1: float, m2: float, n2: int, v2: float) -> float:
    delta = m2 - m1
    if delta == 0:
        return 0.0
    if v1 == 0 and v2 == 0:
        return math.inf
    return abs(delta) / math.sqrt(v1 / n1 + v2 / n2)


class _Sums:
    """Prefix sums over pushes, so any run of whole pushes is summarised in O(1).

    For pushes a..b−1 seen from an edge e (the push nearest the change has
    weight 1, the farthest 1/count): Σ w·sum and Σ w·count need Σ j·sum_j and
    Σ j·count_j besides the plain sums; the variance around any mean m is
    Σv² − 2mΣv + Nm². Same arithmetic as the reference form, in another order.
    """

    def __init__(self, pushes: Sequence[Sequence[float]]) -> None:
        if all(len(values) == 1 and type(values[0]) is float for values in pushes):
            # most series: a float per push, whose sums are itself and its square (as ``sum`` gives them)
            totals = np.fromiter((values[0] for values in pushes), dtype=float, count=len(pushes))
            counts, squares = np.ones(len(pushes)), totals * totals
        else:
            counts = np.array([float(len(values)) for values in pushes])
            totals = np.array([float(sum(values)) for values in pushes])
            squares = np.array([float(sum(v * v for v in values)) for values in pushes])
        j = np.arange(len(pushes), dtype=float)
        # running sums from 0.0, left to right (cumsum adds in order): the additions of a loop appending last + x
        self.count, self.total, self.squares, self.j_count, self.j_total = (
            np.cumsum(np.concatenate(([0.0], terms))).tolist() for terms in (counts, totals, squares, j * counts,
                                                                           j * totals))

    def mean(self, a: int, b: int) -> float:
        """The plain mean of pushes [a, b) (``stats(a, b, …, linear=False)[0]`` without the variance)."""
        n = self.count[b] - self.count[a]
        if b <= a or n == 0:
            return 0.0
        return (self.total[b] - self.total[a]) / n

    def stats(self, a: int, b: int, nearest: int, linear: bool) -> tuple[float, int, float]:
        """(mean, values, variance) of pushes [a, b); ``nearest`` is the push weighted 1."""
        n = self.count[b] - self.count[a]
        if b <= a or n == 0:
            return 0.0, 0, 0.0
        total = self.total[b] - self.total[a]
        if linear:
            pushes = b - a
            # weight of push j: (pushes − |j − nearest|)/pushes
            jc, jt = self.j_count[b] - self.j_count[a], self.j_total[b] - self.j_total[a]
            if nearest == a:  # fore window: distance j − a
                wc, wt = pushes * n - (jc - a * n), pushes * total - (jt - a * total)
            else:  # back window, nearest = b − 1: distance (b − 1) − j
                wc, wt = pushes * n - ((b - 1) * n - jc), pushes * total - ((b - 1) * total - jt)
            mean = wt / wc
        else:
            mean = total / n
        squares = self.squares[b] - self.squares[a]
        variance = (squares - 2 * mean * total + n * mean * mean) / (n - 1) if n > 1 else 0.0
        return mean, int(n), max(variance, 0.0)


def detect(pushes: Sequence[Sequence[float]], min_back: int = 12, max_back: int = 24, fore: int = 12,
           t_threshold: float = 7.0, alert_threshold_pct: float = 2.0) -> list[Change]:
    """The alerts Perfherder raises on the series (one list of values per push, in push order)."""
    size = len(pushes)
    sums = _Sums(pushes)
    values_before = list(accumulate((len(v) for v in pushes), initial=0))  # values in pushes [0, j)
    t = [0.0] * size
    back_count = [0] * size
    fore_count = [0] * size
    windows = [(0, 0)] * size  # (start, end): the pushes [start, i) and [i, end) the t-test at i compared
    since_last = 0
    for i in range(1, size):
        reach = min(max(since_last, min_back), max_back)
        # back: pushes i−1, i−2, … while the window holds fewer than max_back values and reaches at most ``reach``
        # pushes back, i.e. from the first push j after which fewer than max_back values remain before i
        first = bisect.bisect_right(values_before, values_before[i] - max_back, 0, i + 1) - 1
        start = min(i, max(first, i - reach, 0))
        # fore: pushes i, i+1, … while the window holds fewer than ``fore`` values
        end = bisect.bisect_left(values_before, values_before[i] + fore, i, size)
        back_count[i] = values_before[i] - values_before[start]
        fore_count[i] = values_before[end] - values_before[i]
        if start < i and end > i:
            m1, n1, v1 = sums.stats(start, i, i - 1, linear=True)
            m2, n2, v2 = sums.stats(i, end, i, linear=True)
            t[i] = _t_of(m1, n1, v1, m2, n2, v2)
        windows[i] = (start, end)
        since_last = 0 if t[i] > t_threshold else since_last + 1

    changes = []
    for i in range(1, size):
        if back_count[i] < min_back or fore_count[i] < fore or t[i] <= t_threshold:
            continue
        if t[i - 1] > t[i] or (i + 1 < size and t[i + 1] > t[i]):
            continue
        start, end = windows[i]  # the plain means of the windows, for the few pushes that get this far
        prev_value, new_value = sums.mean(start, i), sums.mean(i, end)
        change = Change(i, prev_value, new_value, confidence=_confidence(t[i]), score=t[i], detectors=(NAME,))
        if change.amount_pct >= alert_threshold_pct:
            changes.append(change)
    return changes


def _confidence(t: float) -> float:
    """1 − the two-sided normal tail of t: Perfherder stores t itself, this puts it on Shipyard's 0..1 scale."""
    return 1.0 - math.erfc(t / math.sqrt(2.0)) if math.isfinite(t) else 1.0
