"""Perfherder's alert detector: a t-test between a back and a fore window at every push.

The facts (``/work/shared/specs/treeherder.md``, "Perfherder alerts"):

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
    """(weighted mean, value count, variance) of pushes listed nearest-first."""
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
    delta = m2 - m1
    if delta == 0:
        return 0.0
    if v1 == 0 and v2 == 0:
        return math.inf
    return abs(delta) / math.sqrt(v1 / n1 + v2 / n2)


def detect(pushes: Sequence[Sequence[float]], min_back: int = 12, max_back: int = 24, fore: int = 12,
           t_threshold: float = 7.0, alert_threshold_pct: float = 2.0) -> list[Change]:
    """The alerts Perfherder raises on the series (one list of values per push, in push order)."""
    size = len(pushes)
    t = [0.0] * size
    back_count = [0] * size
    fore_count = [0] * size
    means: list[tuple[float, float]] = [(0.0, 0.0)] * size
    since_last = 0
    for i in range(1, size):
        back: list[Sequence[float]] = []
        reach = min(max(since_last, min_back), max_back)
        j = i - 1
        while back_count[i] < max_back and j >= 0 and i - j <= reach:
            back.append(pushes[j])
            back_count[i] += len(pushes[j])
            j -= 1
        ahead: list[Sequence[float]] = []
        j = i
        while fore_count[i] < fore and j < size:
            ahead.append(pushes[j])
            fore_count[i] += len(pushes[j])
            j += 1
        means[i] = (_window_stats(back, linear=False)[0], _window_stats(ahead, linear=False)[0])
        t[i] = _t(back, ahead)
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
