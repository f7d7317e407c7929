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

import math
from collections.abc import Sequence

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
        self.count, self.total, self.squares, self.j_count, self.j_total = [0.0], [0.0], [0.0], [0.0], [0.0]
        for j, values in enumerate(pushes):
            c, t = float(len(values)), float(sum(values))
            self.count.append(self.count[-1] + c)
            self.total.append(self.total[-1] + t)
            self.squares.append(self.squares[-1] + float(sum(v * v for v in values)))
            self.j_count.append(self.j_count[-1] + j * c)
            self.j_total.append(self.j_total[-1] + j * t)

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
    lengths = [len(v) for v in pushes]
    t = [0.0] * size
    back_count = [0] * size
    fore_count = [0] * size
    means: list[tuple[float, float]] = [(0.0, 0.0)] * size
    since_last = 0
    for i in range(1, size):
        reach = min(max(since_last, min_back), max_back)
        j = i - 1
        while back_count[i] < max_back and j >= 0 and i - j <= reach:
            back_count[i] += lengths[j]
            j -= 1
        start = j + 1
        j = i
        while fore_count[i] < fore and j < size:
            fore_count[i] += lengths[j]
            j += 1
        end = j
        if start < i and end > i:
            m1, n1, v1 = sums.stats(start, i, i - 1, linear=True)
            m2, n2, v2 = sums.stats(i, end, i, linear=True)
            t[i] = _t_of(m1, n1, v1, m2, n2, v2)
        means[i] = (sums.stats(start, i, i - 1, linear=False)[0], sums.stats(i, end, i, linear=False)[0])
        since_last = 0 if t[i] > t_threshold else since_last + 1

    changes = []
    for i in range(1, size):
        if back_count[i] < min_back or fore_count[i] < fore or t[i] <= t_threshold:
            continue
        if t[i - 1] > t[i] or (i + 1 < size and t[i + 1] > t[i]):
            continue
        prev_value, new_value = means[i]
        change = Change(i, prev_value, new_value, confidence=_confidence(t[i]), score=t[i], detectors=(NAME,))
        if change.amount_pct >= alert_threshold_pct:
            changes.append(change)
    return changes


def _confidence(t: float) -> float:
    """1 − the two-sided normal tail of t: Perfherder stores t itself, this puts it on Shipyard's 0..1 scale."""
    return 1.0 - math.erfc(t / math.sqrt(2.0)) if math.isfinite(t) else 1.0
