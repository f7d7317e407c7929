"""Alert detectors on real, sheriffed Mozilla series: the measure of quality (the synthetic one tests mechanics).

Data: the development windows of ``benchmarks/realise.py`` (mozilla/REALISE-Performance), every measurement of a push.
Every measurement of a push is given to the detector (retriggers and
backfills included: the replicates are the data).

Truth: the alerts the sheriffs kept (any status but invalid) are the changes
to find; the sheriff-*invalid* ones are Perfherder's false alarms, counted
in their own column (``inv.``: detections within ±5 pushes of one).

Scoring, per window then summed (micro-averaged): detections and real alerts
are paired one to one, nearest first, within the tolerance (±2 and ±5
pushes); unpaired detections are false positives, unpaired alerts misses.
``R regr.`` is the recall on the alerts Perfherder called regressions
(direction from the series' own ``lower_is_better``); ``dir.`` the share of
hits at ±5 whose direction, read as the alerts job reads it
(``chalicelib.perf.alerts.direction_of`` with the series' ``lower_is_better``),
is the one Perfherder gave the alert.

Intervals: 90 % percentile bootstrap over windows (a window is resampled
whole: its pushes are not independent), ``--resamples`` draws, fixed seed.

Rows: ``perfherder`` is Treeherder's own algorithm
(``chalicelib.perf.detectors.perfherder``, checked line by line against
``treeherder/perfalert/perfalert/__init__.py`` and ``treeherder/perf/alerts.py``:
12/24 back, 12 forward, t > 7, 2 % threshold); ``edivisive``;
``shipyard-v1`` the detector before issue 23; ``shipyard-r2`` the parameters
chosen on real data in round 2 (``shipyard.REAL_DATA``), while production
has moved on from them; ``shipyard`` the one in production now.

Splits: ``--split dev`` (the windows tuning may use) or ``--split held-out``
(signatures ``benchmarks.realise.held_out`` keeps from tuning; the fair
comparison of a tuned detector).

    .venv/bin/python -m benchmarks.alerts_real [--split all|dev|held-out] [--by-group] [--resamples 2000]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from benchmarks.realise import Alert, Window, load
from chalicelib.perf.alerts import direction_of
from chalicelib.perf.detectors import Change, edivisive, perfherder, shipyard

TOLERANCES = (2, 5)
# A third score: a detection within ±2 pushes of the alert's push *range* (just after its previous push, through
# its push). Backfills land inside that range after Perfherder raised the alert, and the culprit is any of them.
RANGE_TOLERANCE = 2
SCORES = (*(f"±{t}" for t in TOLERANCES), f"range±{RANGE_TOLERANCE}")
PRIMARY = 1  # F1 at ±5 pushes of the alert's push: what tuning maximises and the target is stated in
INVALID_REACH = 5
SEED = 20260507

Detector = Callable[[Window], list[Change]]

DETECTORS: dict[str, Detector] = {
    "perfherder": lambda w: perfherder.detect(w.pushes),
    "edivisive": lambda w: edivisive.detect(w.pushes),
    "shipyard-v1": lambda w: shipyard.detect(w.pushes, shipyard.V1),
    **({"shipyard-r2": lambda w: shipyard.detect(w.pushes, shipyard.REAL_DATA)}
       if shipyard.DEFAULT != shipyard.REAL_DATA else {}),
    "shipyard": lambda w: shipyard.detect(w.pushes),
}


def _distance(position: int, span: tuple[int, int]) -> int:
    first, last = span
    return first - position if position < first else max(0, position - last)


def pairs(detected: Sequence[int], truth: Sequence[int | tuple[int, int]], tolerance: int) -> dict[int, int]:
    """Index into ``truth`` → index into ``detected``: one-to-one pairs within ``tolerance``, nearest first.

    A truth is a position or a (first, last) span of positions (distance 0 inside it).
    """
    spans = [t if isinstance(t, tuple) else (t, t) for t in truth]
    candidates = sorted((_distance(d, t), i, j) for i, d in enumerate(detected) for j, t in enumerate(spans))
    found: dict[int, int] = {}
    used_d: set[int] = set()
    for distance, i, j in candidates:
        if distance > tolerance:
            break
        if i not in used_d and j not in found:
            used_d.add(i)
            found[j] = i
    return found


def pair(detected: Sequence[int], truth: Sequence[int | tuple[int, int]], tolerance: int) -> set[int]:
    """Indexes into ``truth`` hit by a detection (see ``pairs``)."""
    return set(pairs(detected, truth, tolerance))


@dataclass(frozen=True)
class Counts:
    """One window's tallies for one detector: per tolerance (tp, fp, fn), then regressions and invalid hits."""

    tp: tuple[int, ...]
    fp: tuple[int, ...]
    fn: tuple[int, ...]
    regressions: int
    regressions_found: int  # at the widest tolerance
    invalid_hits: int
    # hits at ±5 whose direction (the step's sign read through the series' lower_is_better, as the alerts job
    # reads it) is Perfherder's: how many were checked, how many agreed
    directions_checked: int = 0
    directions_agreed: int = 0


def count(window: Window, detected: Sequence[int], rises: Sequence[bool] | None = None) -> Counts:
    """One window's tallies; ``rises[i]``: whether detection i's new level is above its previous one."""
    real = window.real()
    positions = [a.index for a in real]
    tp, fp, fn = [], [], []
    spans = [a.span for a in real]
    hits = [pair(detected, positions, tolerance) for tolerance in TOLERANCES]
    hits.append(pair(detected, spans, RANGE_TOLERANCE))
    for hit in hits:
        tp.append(len(hit))
        fp.append(len(detected) - len(hit))
        fn.append(len(real) - len(hit))
    regressions = [j for j, a in enumerate(real) if a.is_regression]
    invalid_hits = sum(1 for d in detected for a in window.invalid() if abs(d - a.index) <= INVALID_REACH)
    agreed = checked = 0
    if rises is not None:
        for j, i in pairs(detected, positions, TOLERANCES[PRIMARY]).items():
            direction = direction_of(0.0, 1.0 if rises[i] else -1.0, window.lower_is_better)
            checked += 1
            agreed += (direction == "regression") == real[j].is_regression
    return Counts(tuple(tp), tuple(fp), tuple(fn), len(regressions),
                  sum(1 for j in regressions if j in hits[PRIMARY]), invalid_hits, checked, agreed)


def f1(tp: float, fp: float, fn: float) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


@dataclass(frozen=True)
class Row:
    name: str
    precision: tuple[float, ...]
    recall: tuple[float, ...]
    f1: tuple[float, ...]
    f1_interval: tuple[tuple[float, float], ...]
    regression_recall: float
    invalid_hits: int
    real: int
    windows: int
    direction_agreement: float = float("nan")


def summarise(name: str, counts: Sequence[Counts], resamples: int, seed: int = SEED) -> Row:
    tp = np.array([c.tp for c in counts], dtype=float)  # windows × tolerances
    fp = np.array([c.fp for c in counts], dtype=float)
    fn = np.array([c.fn for c in counts], dtype=float)
    totals = tp.sum(0), fp.sum(0), fn.sum(0)
    precision = tuple(float(t / (t + p)) if t + p else 0.0 for t, p in zip(totals[0], totals[1], strict=True))
    recall = tuple(float(t / (t + n)) if t + n else 0.0 for t, n in zip(totals[0], totals[2], strict=True))
    scores = tuple(f1(t, p, n) for t, p, n in zip(*totals, strict=True))
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(counts), size=(resamples, len(counts)))
    s_tp, s_fp, s_fn = tp[draws].sum(1), fp[draws].sum(1), fn[draws].sum(1)  # resamples × tolerances
    with np.errstate(invalid="ignore", divide="ignore"):
        boot = np.where(s_tp > 0, 2 * s_tp / (2 * s_tp + s_fp + s_fn), 0.0)
    interval = tuple((float(np.percentile(boot[:, k], 5)), float(np.percentile(boot[:, k], 95)))
                     for k in range(len(SCORES)))
    regressions = sum(c.regressions for c in counts)
    checked = sum(c.directions_checked for c in counts)
    return Row(name, precision, recall, scores, interval,
               sum(c.regressions_found for c in counts) / regressions if regressions else float("nan"),
               sum(c.invalid_hits for c in counts), int(totals[0][0] + totals[2][0]), len(counts),
               sum(c.directions_agreed for c in counts) / checked if checked else float("nan"))


def paired_difference(first: Sequence[Counts], second: Sequence[Counts], resamples: int, seed: int = SEED,
                      score: int = PRIMARY) -> tuple[float, float, float]:
    """F1(first) − F1(second) on the same windows, with its 90 % interval from one bootstrap of windows for both.

    The detectors' own intervals overlap by far more than their difference
    varies: a window hard for one is hard for the other. Resampling the
    windows once for both rows measures the difference itself.
    """
    a, b = (np.array([(c.tp[score], c.fp[score], c.fn[score]) for c in rows], dtype=float) for rows in (first, second))
    draws = np.random.default_rng(seed).integers(0, len(a), size=(resamples, len(a)))

    def f1_of(sums: np.ndarray) -> np.ndarray:
        tp, fp, fn = sums[..., 0], sums[..., 1], sums[..., 2]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(tp > 0, 2 * tp / (2 * tp + fp + fn), 0.0)

    delta = f1_of(a[draws].sum(1)) - f1_of(b[draws].sum(1))
    point = float(f1_of(a.sum(0)) - f1_of(b.sum(0)))
    return point, float(np.percentile(delta, 5)), float(np.percentile(delta, 95))


def evaluate(windows: Sequence[Window], detectors: dict[str, Detector]) -> dict[str, list[Counts]]:
    np.seterr(all="ignore")
    return {name: [count_changes(w, detect(w)) for w in windows] for name, detect in detectors.items()}


def count_changes(window: Window, changes: Sequence[Change]) -> Counts:
    ordered = sorted(changes, key=lambda c: c.index)
    return count(window, [c.index for c in ordered], [c.new_value > c.prev_value for c in ordered])


def table(rows: Sequence[Row], title: str) -> str:
    lines = [f"{title}", f"{'':<14} " + " ".join(f"{'at ' + s:^34}" for s in SCORES),
             f"{'detector':<14} " + " ".join(f"{'P':>6} {'R':>6} {'F1':>6} {'90% CI':>13}" for _ in SCORES)
             + f" {'R regr.':>7} {'inv.':>4} {'dir.':>4}"]
    for r in rows:
        cells = " ".join(f"{p:6.2f} {rc:6.2f} {f:6.2f} [{lo:4.2f}, {hi:4.2f}]"
                         for p, rc, f, (lo, hi) in zip(r.precision, r.recall, r.f1, r.f1_interval, strict=True))
        lines.append(f"{r.name:<14} {cells} {r.regression_recall:7.2f} {r.invalid_hits:4d} "
                     f"{r.direction_agreement:4.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument("--by-group", action="store_true", help="also one table per repository/platform")
    parser.add_argument("--split", choices=("all", "dev", "held-out"), default="all")
    parser.add_argument("--why", action="store_true", help="also production's misses and false alarms, by cause")
    args = parser.parse_args(argv)
    windows = [w for w in load() if args.split == "all" or w.held_out == (args.split == "held-out")]
    results = evaluate(windows, DETECTORS)
    real = sum(len(w.real()) for w in windows)
    invalid = sum(len(w.invalid()) for w in windows)
    print(f"{len(windows)} windows, {sum(len(w.pushes) for w in windows)} pushes, "
          f"{sum(len(v) for w in windows for v in w.pushes)} measurements, {real} real alerts, {invalid} invalid")
    print(table([summarise(n, c, args.resamples) for n, c in results.items()], f"{args.split} windows"))
    if args.by_group:
        for group in sorted({w.group for w in windows}):
            chosen = [i for i, w in enumerate(windows) if w.group == group]
            rows = [summarise(n, [c[i] for i in chosen], args.resamples) for n, c in results.items()]
            print()
            print(table(rows, f"{group} ({len(chosen)} windows, "
                              f"{sum(len(windows[i].real()) for i in chosen)} real alerts)"))
        print()
        print(f"F1 at ±{TOLERANCES[PRIMARY]} by repository/platform ({' / '.join(results)}):")
        for group in sorted({w.group for w in windows}):
            chosen = [i for i, w in enumerate(windows) if w.group == group]
            sums = [[sum(getattr(c[i], k)[PRIMARY] for i in chosen) for k in ("tp", "fp", "fn")]
                    for c in results.values()]
            scores = " / ".join(f"{f1(*counts):.2f}" for counts in sums)
            alerts = sum(len(windows[i].real()) for i in chosen)
            invalid = sum(len(windows[i].invalid()) for i in chosen)
            print(f"{group} ({len(chosen)} windows, {alerts} alerts, {invalid} invalid)".ljust(78) + " " + scores)
    if args.why:
        print()
        print(why(windows))


def why(windows: Sequence[Window], params: shipyard.Parameters = shipyard.DEFAULT) -> str:
    """Production's misses and false alarms at ±5, each put in one bin (the first that applies).

    Misses: ``edge`` (the window holds fewer than ``min_side`` pushes on a
    side of the alert), ``backfilled range`` (a detection sits within 2 of the
    alert's push range, more than 5 from its push), ``no step at its push``
    (the step test there is not significant), else ``below the floor``.
    False alarms: in a real alert's backfilled range, near a sheriff-invalid
    alert, or unlabelled.

    Each backfilled-range miss is then listed with what the stored series says
    at both places: the step test at the detection (judged alone), and at the
    alert's push judged on the pushes after the detection (what is left there
    once the step is placed). A large step at the detection and nothing left
    at the alert's push means the detector placed the change where the
    backfilled data has it, and the alert stayed where Perfherder raised it
    before the backfills.
    """
    misses: dict[str, int] = {}
    alarms: dict[str, int] = {}
    backfilled: list[str] = []
    for w in windows:
        y = shipyard._points(w.pushes)
        found = [c.index for c in shipyard.detect(w.pushes, params)]
        real = w.real()
        hit = pairs(found, [a.index for a in real], TOLERANCES[PRIMARY])
        near_range = [any(a.span[0] - RANGE_TOLERANCE <= d <= a.span[1] + RANGE_TOLERANCE for a in real)
                      for d in found]
        for j, a in enumerate(real):
            if j in hit:
                continue
            if a.index < params.min_side or len(y) - a.index < params.min_side:
                reason = "edge"
            elif any(a.span[0] - RANGE_TOLERANCE <= d <= a.span[1] + RANGE_TOLERANCE for d in found):
                reason = "backfilled range"
                backfilled.append(_backfilled_case(w, y, a, found, params,
                                                    {found[i]: real[k] for k, i in hit.items()}))
            else:
                v = shipyard.judge(y, a.index, 0, len(y), params)
                reason = "no step at its push" if v is None or abs(v.z) < params.z_min else "below the floor"
            misses[reason] = misses.get(reason, 0) + 1
        for i, d in enumerate(found):
            if i in hit.values():
                continue
            reason = ("in a backfilled range" if near_range[i] else
                      "near an invalid alert" if any(abs(d - a.index) <= INVALID_REACH for a in w.invalid())
                      else "unlabelled")
            alarms[reason] = alarms.get(reason, 0) + 1
    return "\n".join([f"production's misses at ±{TOLERANCES[PRIMARY]}: {misses}",
                      f"production's false alarms at ±{TOLERANCES[PRIMARY]}: {alarms}", *backfilled])


def _backfilled_case(window: Window, y: np.ndarray, alert: Alert, found: Sequence[int],
                     params: shipyard.Parameters, paired: dict[int, Alert]) -> str:
    """One backfilled-range miss: where the step was found, and the step test there and at the alert's push."""
    d = min((d for d in found if alert.span[0] - RANGE_TOLERANCE <= d <= alert.span[1] + RANGE_TOLERANCE),
            key=lambda d: abs(d - alert.index))
    at_step = shipyard.judge(y, d, 0, len(y), params)
    left = shipyard.judge(y, alert.index, d, len(y), params) if d < alert.index else None

    def said(v: shipyard.Verdict | None) -> str:
        return "too few pushes" if v is None else f"z {v.z:+.1f}, {v.pct:.1f} %"

    first = window.push_ids[alert.span[0]]
    other = f" (a hit of the alert on push {paired[d].push_id})" if d in paired else ""
    return (f"  backfilled range: {window.key} alert on push {alert.push_id} (range from push {first}), "
            f"step found on push {window.push_ids[d]}{other}, {alert.index - d} pushes before it; "
            f"step test there {said(at_step)}; at the alert's push after it {said(left)}")


if __name__ == "__main__":
    main()
