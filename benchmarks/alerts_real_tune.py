"""Tuning Shipyard's detector on real data without scoring on what it was tuned on: leave-one-signature-out.

Only the development split is read for tuning (``benchmarks.realise.held_out``
keeps about a third of the signatures out, fixed by their names). For each
development signature (all its windows together), the grid point with the
best F1 at ±5 on the *other* signatures' windows is chosen (ties: higher precision, then the earlier grid
point: each list runs from the pre-issue-23 value to stricter ones, so a
tie keeps the prior) and only then the held-out window is scored with it. The sums of
those held-out scores are the cross-validated row; no window is ever scored
by parameters that saw it. The parameters production uses are the grid
point chosen on all windows, printed last; whether production
adopts them is argued in ``chalicelib.perf.detectors.shipyard`` (beside ``DEFAULT``) and docs/alerts.md.

Candidates (what the t-test and e-divisive propose) do not depend on the
grid, so they are computed once per window.

    .venv/bin/python -m benchmarks.alerts_real_tune [--held-out]

The held-out split is scored only with ``--held-out``, so tuning can be
iterated without seeing it.
"""

from __future__ import annotations

import argparse
import itertools
import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from benchmarks.alerts_real import (
    DETECTORS,
    PRIMARY,
    Counts,
    count_changes,
    evaluate,
    paired_difference,
    summarise,
    table,
)
from benchmarks.realise import Window, load
from chalicelib.perf.detectors import shipyard

GRID = {
    "z_min": [2.5, 3.0, 3.5],
    "min_pct": [1.0, 2.0, 3.0, 4.0, 5.0],
    "min_effect": [0.8, 1.5, 2.0, 3.0],
    "solo_effect": [0.8, 2.0, 3.0, 4.0, 5.0, 8.0, 10.0, 12.0, 16.0],
    "min_side": [5, 4, 3],
    "quiet_effect": [math.inf, 8.0, 6.0, 4.0],
}


def grid() -> list[shipyard.Parameters]:
    names = list(GRID)
    return [replace(shipyard.V1, **dict(zip(names, values, strict=True)))
            for values in itertools.product(*(GRID[n] for n in names))]


def _score(counts: Sequence[Counts]) -> tuple[float, float]:
    tp, fp, fn = (sum(getattr(c, k)[PRIMARY] for c in counts) for k in ("tp", "fp", "fn"))
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return f1, tp / (tp + fp) if tp + fp else 0.0


def table_of_counts(windows: Sequence[Window], points: Sequence[shipyard.Parameters]) -> list[list[Counts]]:
    """counts[p][w]: window w scored with grid point p."""
    np.seterr(all="ignore")
    prepared = []
    for w in windows:
        y = shipyard._points(w.pushes)
        prepared.append((y, shipyard.candidates(w.pushes, y), {}))
    return [[count_changes(w, shipyard.confirm(y, proposed, p, seen.setdefault((p.window, p.min_side), {})))
             for w, (y, proposed, seen) in zip(windows, prepared, strict=True)] for p in points]


def best(counts: list[list[Counts]], chosen: Sequence[int]) -> int:
    return max(range(len(counts)), key=lambda p: (_score([counts[p][w] for w in chosen]), -p))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held-out", action="store_true",
                        help="also score the held-out split with the chosen parameters (do it once, at the end)")
    args = parser.parse_args(argv)
    windows = load()
    dev = [w for w in windows if not w.held_out]
    held = [w for w in windows if w.held_out]
    points = grid()
    counts = table_of_counts(dev, points)
    keys = sorted({w.key for w in dev})
    cv_counts: list[Counts | None] = [None] * len(dev)
    for key in keys:
        inside = [k for k, w in enumerate(dev) if w.key == key]
        p = best(counts, [k for k in range(len(dev)) if k not in inside])
        for k in inside:
            cv_counts[k] = counts[p][k]
        print(f"held out {key:<28} chose {points[p]}")
    scored = [c for c in cv_counts if c is not None]
    fixed = evaluate(dev, DETECTORS)  # the same windows with each detector's fixed parameters
    print()
    print(table([summarise("shipyard-cv", scored, 2000), *(summarise(n, c, 2000) for n, c in fixed.items())],
                f"development split, leave-one-signature-out ({len(dev)} windows, {len(keys)} signatures; "
                "shipyard-cv: each window scored by parameters chosen without its signature; the other rows: "
                "fixed parameters"))
    for name in ("shipyard", "perfherder"):
        delta, low, high = paired_difference(scored, fixed[name], 2000)
        print(f"shipyard-cv − {name}: F1 at ±5 {delta:+.3f} [{low:+.3f}, {high:+.3f}] (paired bootstrap over windows)")
    final = best(counts, range(len(dev)))
    print()
    print(f"chosen on all development windows: {points[final]}")
    if not held or not args.held_out:
        return
    tuned = points[final]
    detectors = {**DETECTORS, "shipyard-tuned": lambda w: shipyard.detect(w.pushes, tuned)}
    results = evaluate(held, detectors)
    print()
    print(table([summarise(n, c, 2000) for n, c in results.items()],
                f"held-out split ({len(held)} windows, {len({w.key for w in held})} signatures, "
                f"{sum(len(w.real()) for w in held)} real alerts, {sum(len(w.invalid()) for w in held)} invalid; "
                "never read by the tuning)"))


if __name__ == "__main__":
    main()
