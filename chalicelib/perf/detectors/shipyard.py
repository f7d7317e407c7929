"""Shipyard's change detector: candidates from every detector, kept only when a robust step test agrees.

Why the originals miss and cry wolf on Talos data:

- Datazilla tests a run's replicates against the trend, but runs differ from
  each other by more than their replicates scatter (machines, warm caches),
  so a fixed p threshold fires on noise and the trend freezes after a failure;
- Perfherder's t-test uses means and variances: one slow run inflates the
  variance and hides a shift, bimodal series never reach t > 7 for a few
  percent, and a slow drift looks like a step to a mean difference;
- e-divisive's permutation test is distribution-free, but it splits a drift
  into steps and, without an effect size, splits noise clusters of bimodal
  series.

So Shipyard:

1. takes as candidates what the Perfherder t-test alerts on and the change
   points e-divisive finds, on the per-push values and on their ranks (which
   no outlier can dominate), each having passed its own detector's test;
2. judges each candidate alone (strongest first), then between the changes
   already kept (at most ``window`` pushes on each side), after removing the common linear trend of
   both sides (a Theil–Sen slope from pairs *within* a side, so the step itself
   does not tilt it): a Mann–Whitney test on the detrended values must be
   significant (z ≥ ``z_min``) and the step, a Hodges–Lehmann shift, must be at
   least ``min_pct`` of the level and ``min_effect`` robust standard deviations
   (``solo_effect`` for a change only e-divisive proposed); a smaller step, down
   to ``quiet_pct``, counts when it stands ``quiet_effect`` robust standard
   deviations out (the floor follows the series' own noise: a quiet series'
   3 % step is as sure as a noisy one's 10 %);
3. keeps the strongest of candidates closer than ``separation`` pushes, and
   re-judges the survivors against each other, dropping the weakest failure,
   until all pass.

(A local rank scan and a t-test at a lower threshold were tried as further
candidate sources; on the tuning seeds they added false alarms, not hits.)

Ranks make the test's false-alarm rate independent of the noise's shape
(outliers and modes move a rank by at most one); the effect size keeps
statistically real but meaningless wiggles out. The parameters were tuned on
the synthetic benchmark's tuning seeds (``V1``), then ``min_pct`` and
``solo_effect`` on real, sheriffed Mozilla series (``REAL_DATA``), then the
noise-adaptive floor and ``min_side`` by cross-validation on the complete
real development split (``REAL_DATA_CV``, the default).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from chalicelib.perf.detectors import Change, edivisive, perfherder

NAME = "shipyard"
RANKED_EDIVISIVE = "edivisive-ranks"


@dataclass(frozen=True)
class Parameters:
    window: int = 30  # pushes on each side a step is judged on, at most
    min_side: int = 5  # pushes on each side, at least
    z_min: float = 2.5  # the confirming rank test (the proposing detector already passed its own test)
    min_pct: float = 1.0
    min_effect: float = 0.8  # step / robust sigma of the detrended sides
    separation: int = 4
    # a change only e-divisive proposes (the t-test did not) must stand this many robust sigmas out
    solo_effect: float = 0.8
    # the noise-adaptive floor: on a quiet series a step below ``min_pct`` still counts when it is at least
    # ``quiet_pct`` of the level and ``quiet_effect`` robust sigmas (off by default: an infinite effect)
    quiet_pct: float = 2.0
    quiet_effect: float = math.inf


V1 = Parameters()  # before issue 23 (tuned on synthetic seeds only): the real-data benchmark's "before" row
# Chosen on the real-data benchmark's development split (benchmarks/alerts_real_tune.py, leave-one-signature-out over
# 31 signatures): a step must be at least 4 % of the level, and one only e-divisive proposes 3 robust sigmas. Re-checked
# on 73 windows (docs/alerts.md): on the 21 held-out signatures, never tuned on, it scores F1 0.63 [0.44, 0.80] at ±5
# pushes against V1's 0.59 and the Perfherder algorithm's 0.44 [0.23, 0.64], and it flags no sheriff-invalid position.
# (Round 2; production until the whole development split was in.)
REAL_DATA = replace(V1, min_pct=4.0, solo_effect=3.0)
# Chosen on the complete development split (the aa.json walk done: 91 windows, 88 signatures) by the "full"
# procedure of benchmarks/alerts_real_tune.py: a step of 5 % of the level, or of 2 % on a series quiet enough for it to
# stand 4 robust sigmas out (the noise-adaptive floor), judged with 4 pushes a side or more. Leave-one-signature-out,
# the procedure scores F1 0.75 [0.68, 0.82] at ±5 pushes against REAL_DATA's 0.72 on the same windows, a paired
# difference of +0.037 [+0.008, +0.075]: above zero, the adoption rule stated before the run. On the 43 held-out
# signatures, scored after this choice (round 4; round 5 adopted nothing and looked again, unchanged): 0.63
# [0.50, 0.75] against REAL_DATA's 0.61 and the Perfherder algorithm's 0.43 [0.28, 0.56] (docs/alerts.md).
REAL_DATA_CV = replace(REAL_DATA, min_pct=5.0, min_side=4, quiet_effect=4.0)
DEFAULT = REAL_DATA_CV


def _points(pushes: Sequence[Sequence[float]]) -> np.ndarray:
    """One value per push: the median of its runs (a retrigger cannot drag it).

    Most pushes have one run, whose median is the value itself: only the
    others pay for ``np.median`` (a call costs more than the series' arithmetic).
    """
    y = np.fromiter((v[0] if len(v) == 1 else math.nan for v in pushes), dtype=float, count=len(pushes))
    for i, v in enumerate(pushes):
        if len(v) != 1:
            y[i] = float(np.median(v))
    return y


def _median(values: np.ndarray) -> float:
    """``np.median`` of a 1-D float array, the same number, without its generic machinery (axes, out, keepdims).

    The middle value of a partition, or the mean of the two middle ones
    ((a + b) / 2, as np.median's mean of two computes it); NaN when any value
    is NaN (a partition puts NaNs last).
    """
    size = values.size
    if size == 0:
        return float(np.median(values))  # NaN, with numpy's warning
    half = size // 2
    if size % 2:
        part = np.partition(values, (half, size - 1))
        middle = part[half]
    else:
        part = np.partition(values, (half - 1, half, size - 1))
        middle = (part[half - 1] + part[half]) / 2.0
    return math.nan if math.isnan(part[-1]) else float(middle)


def _rank_z(before: np.ndarray, after: np.ndarray) -> float:
    """Mann–Whitney z of ``after`` against ``before`` (normal approximation, ties count ½)."""
    n1, n2 = before.size, after.size
    greater = (after[:, None] > before[None, :]).sum() + 0.5 * (after[:, None] == before[None, :]).sum()
    mean = n1 * n2 / 2.0
    sd = math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12.0)
    return float((greater - mean) / sd)


@functools.cache
def _pairs(size: int) -> tuple[np.ndarray, np.ndarray]:
    """The index pairs i < j of ``size`` values (made once per size: a window has a handful)."""
    i, j = np.triu_indices(size, k=1)
    i.flags.writeable = j.flags.writeable = False
    return i, j


def _theil_sen_slope(*sides: tuple[np.ndarray, np.ndarray]) -> float:
    """Median of the pairwise slopes within each (positions, values) side, pooled."""
    slopes = []
    for x, y in sides:
        i, j = _pairs(x.size)
        if i.size:
            slopes.append((y[j] - y[i]) / (x[j] - x[i]))
    pooled = np.concatenate(slopes) if slopes else np.array([])
    return _median(pooled) if pooled.size else 0.0


@dataclass(frozen=True)
class Verdict:
    z: float
    prev_value: float
    new_value: float
    effect: float  # |step| / robust sigma

    @property
    def pct(self) -> float:
        return 100.0 * abs(self.new_value - self.prev_value) / abs(self.prev_value) if self.prev_value else 0.0


def judge(y: np.ndarray, index: int, start: int, end: int, params: Parameters = DEFAULT) -> Verdict | None:
    """The step test at ``index`` on y[start:end] (the neighbours' bounds), None with too few points."""
    lo, hi = max(start, index - params.window), min(end, index + params.window)
    if index - lo < params.min_side or hi - index < params.min_side:
        return None
    xb, xa = np.arange(lo, index, dtype=float), np.arange(index, hi, dtype=float)
    yb, ya = y[lo:index], y[index:hi]
    slope = _theil_sen_slope((xb, yb), (xa, ya))
    rb, ra = yb - slope * (xb - index), ya - slope * (xa - index)  # both sides as seen at the change
    z = _rank_z(rb, ra)
    step = _median((ra[:, None] - rb[None, :]).ravel())  # Hodges–Lehmann
    prev_value = _median(rb)
    spread = np.concatenate([rb - prev_value, ra - _median(ra)])
    sigma = 1.4826 * _median(np.abs(spread))
    effect = abs(step) / sigma if sigma > 0 else math.inf
    return Verdict(z, prev_value, prev_value + step, effect)


def _accepted(v: Verdict | None, params: Parameters, solo: bool = False) -> bool:
    """Significant, and big enough: ``min_pct`` of the level, or less on a quiet series (see ``quiet_effect``)."""
    effect = max(params.min_effect, params.solo_effect) if solo else params.min_effect
    if v is None or abs(v.z) < params.z_min or v.effect < effect:
        return False
    return v.pct >= params.min_pct or (v.pct >= params.quiet_pct and v.effect >= max(effect, params.quiet_effect))


def candidates(pushes: Sequence[Sequence[float]], y: np.ndarray) -> dict[int, set[str]]:
    """Positions proposed by the detectors, each having passed its own test, and who proposed them.

    e-divisive runs twice: on the values and on their ranks (which no outlier
    can dominate: energy distances grow with the size of a difference, ranks
    do not). The t-test proposes what Perfherder itself would alert on.
    """
    found: dict[int, set[str]] = {}
    for change in perfherder.detect(pushes):
        found.setdefault(change.index, set()).add(perfherder.NAME)
    for index, _, _ in edivisive.change_points(y):
        found.setdefault(index, set()).add(edivisive.NAME)
    ranks = y.argsort(kind="stable").argsort().astype(float)
    for index, _, _ in edivisive.change_points(ranks):
        found.setdefault(index, set()).add(RANKED_EDIVISIVE)
    return found


def detect(pushes: Sequence[Sequence[float]], params: Parameters = DEFAULT) -> list[Change]:
    """Confirmed changes of the series (one list of values per push, in push order)."""
    y = _points(pushes)
    if y.size < 2 * params.min_side:
        return []
    return confirm(y, candidates(pushes, y), params)


def confirm(y: np.ndarray, proposed: dict[int, set[str]], params: Parameters = DEFAULT,
            verdicts_seen: dict[tuple[int, int, int], Verdict | None] | None = None) -> list[Change]:
    """The proposed positions that pass the step test, judged against each other.

    ``verdicts_seen`` (keyed by index, start, end) lets a caller that confirms one
    series under many parameter sets of the same ``window`` and ``min_side``
    compute each step test once: the verdict does not depend on the thresholds.
    """
    seen = {} if verdicts_seen is None else verdicts_seen

    def verdict(index: int, start: int, end: int) -> Verdict | None:
        if (index, start, end) not in seen:
            seen[(index, start, end)] = judge(y, index, start, end, params)
        return seen[(index, start, end)]

    # strongest first (each judged alone, on its whole window), each then judged between the changes kept so far
    alone = {i: verdict(i, 0, y.size) for i in proposed}
    solo = {i: perfherder.NAME not in proposed[i] for i in proposed}
    kept: list[int] = []
    for index in sorted((i for i, v in alone.items() if _accepted(v, params, solo[i])),
                        key=lambda i: -abs(alone[i].z)):
        if any(abs(index - other) < params.separation for other in kept):
            continue
        start = max((k for k in kept if k < index), default=0)
        end = min((k for k in kept if k > index), default=y.size)
        if _accepted(verdict(index, start, end), params, solo[index]):
            kept = sorted([*kept, index])
    # a later, nearer change can undermine an earlier one: drop the weakest failure until all pass
    while True:
        bounds = [0, *kept, y.size]
        verdicts = {index: verdict(index, bounds[k], bounds[k + 2]) for k, index in enumerate(kept)}
        failing = [i for i in kept if not _accepted(verdicts[i], params, solo[i])]
        if not failing:
            break
        kept.remove(min(failing, key=lambda i: abs(verdicts[i].z) if verdicts[i] is not None else 0.0))
    changes = []
    for index in kept:
        v = verdicts[index]
        assert v is not None
        confidence = 1.0 - math.erfc(abs(v.z) / math.sqrt(2.0))
        changes.append(Change(index, v.prev_value, v.new_value, confidence, v.z,
                              tuple(sorted(proposed.get(index, {NAME})))))
    return changes
