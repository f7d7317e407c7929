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

Two procedures are cross-validated (``PROCEDURES``): ``new`` keeps
production's parameters and frees only the mechanisms added after they were
fixed; ``full`` frees the whole grid. Each CV row is compared with
production's fixed parameters on the same windows by a paired bootstrap
(``benchmarks.alerts_real.paired_difference``). The rule, fixed before the
last run: production adopts a procedure's choice only when that paired 90 %
interval lies above zero (a difference inside it is noise); when both
qualify, the one with the higher CV F1 at ±5, ``new`` on a tie (it changes
less).

Candidates (what the t-test and e-divisive propose) do not depend on the
grid, so they are computed once per window; step-test verdicts are shared
between grid points of the same ``window`` and ``min_side``.

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

# Two tuning procedures, each cross-validated the same way.
# "full": every threshold from the pre-issue-23 detector (V1) up, the mechanisms issue 23 added included.
FULL = (shipyard.V1, {
    "z_min": [2.5, 3.0, 3.5],
    "min_pct": [1.0, 2.0, 3.0, 4.0, 5.0],
    "min_effect": [0.8, 1.5, 2.0, 3.0],
    "solo_effect": [0.8, 2.0, 3.0, 4.0, 5.0, 8.0, 10.0, 12.0, 16.0],
    "min_side": [5, 4, 3],
    "quiet_effect": [math.inf, 8.0, 6.0, 4.0],
})
# "new": production's parameters (REAL_DATA, fixed in round 2) kept, only the two later mechanisms free: the
# noise-adaptive floor (a step of 2 % or more counts on a series quiet enough for it to stand quiet_effect robust
# sigmas out) and a shorter minimum side (a step judged with fewer pushes after it). Fewer free parameters, so the
# folds' choices vary less; it asks one question: do the new mechanisms help?
NEW = (shipyard.REAL_DATA, {
    "quiet_effect": [math.inf, 8.0, 6.0, 4.0],
    "min_side": [5, 4, 3],
})
PROCEDURES = {"new": NEW, "full": FULL}


def grid(procedure: tuple[shipyard.Parameters, dict[str, list[float]]] = FULL) -> list[shipyard.Parameters]:
    """The grid's points, the prior first: each list runs from the prior's value on, so a tie keeps the prior."""
    prior, axes = procedure
    names = list(axes)
    return [replace(prior, **dict(zip(names, values, strict=True)))
            for values in itertools.product(*(axes[n] for n in names))]


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


def leave_one_signature_out(keys: Sequence[str], counts: list[list[Counts]]) -> tuple[list[Counts], list[int]]:
    """Each window's counts under the grid point chosen without its signature (``keys[w]``), and that point.

    ``counts[p][w]``: window w scored with grid point p. All windows of a
    signature leave together: its windows share a series, so one of them
    would tell the choice about another.
    """
    chosen = [0] * len(keys)
    for key in sorted(set(keys)):
        inside = [w for w, k in enumerate(keys) if k == key]
        p = best(counts, [w for w, k in enumerate(keys) if k != key])
        for w in inside:
            chosen[w] = p
    return [counts[p][w] for w, p in enumerate(chosen)], chosen


def cross_validate(dev: Sequence[Window], points: Sequence[shipyard.Parameters], verbose: bool
                   ) -> tuple[list[Counts], shipyard.Parameters, dict[shipyard.Parameters, int]]:
    """Leave-one-signature-out counts (in ``dev``'s order), the point chosen on all of ``dev``, and the folds' picks."""
    counts = table_of_counts(dev, points)
    keys = [w.key for w in dev]
    scored, chosen = leave_one_signature_out(keys, counts)
    picks: dict[shipyard.Parameters, int] = {}
    for key in sorted(set(keys)):
        p = chosen[keys.index(key)]
        picks[points[p]] = picks.get(points[p], 0) + 1
        if verbose:
            print(f"held out {key:<28} chose {points[p]}")
    return scored, points[best(counts, range(len(dev)))], picks


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held-out", action="store_true",
                        help="also score the held-out split with the chosen parameters (do it once, at the end)")
    parser.add_argument("--verbose", action="store_true", help="print each fold's choice")
    args = parser.parse_args(argv)
    windows = load()
    dev = [w for w in windows if not w.held_out]
    held = [w for w in windows if w.held_out]
    fixed = evaluate(dev, DETECTORS)  # the same windows with each detector's fixed parameters
    rows, chosen, lines = [], {}, []
    for name, procedure in PROCEDURES.items():
        scored, chosen[name], picks = cross_validate(dev, grid(procedure), args.verbose)
        rows.append(summarise(f"cv-{name}", scored, 2000))
        for other in (o for o in ("shipyard", "shipyard-r2", "perfherder") if o in fixed):
            delta, low, high = paired_difference(scored, fixed[other], 2000)
            lines.append(f"cv-{name} − {other}: F1 at ±5 {delta:+.3f} [{low:+.3f}, {high:+.3f}] "
                         "(paired bootstrap over windows)")
        top, times = max(picks.items(), key=lambda item: item[1])
        lines.append(f"cv-{name}: chosen on all development windows {_changed(chosen[name])}; "
                     f"{times} of {sum(picks.values())} folds chose {_changed(top)}")
    print(table([*rows, *(summarise(n, c, 2000) for n, c in fixed.items())],
                f"development split, leave-one-signature-out ({len(dev)} windows, {len({w.key for w in dev})} "
                "signatures; a cv- row scores each window with parameters chosen without its signature; the "
                "other rows: fixed parameters)"))
    print("\n".join(lines))
    if not held or not args.held_out:
        return
    tuned = {f"tuned-{name}": p for name, p in chosen.items() if p != shipyard.DEFAULT}
    detectors = {**DETECTORS, **{n: (lambda w, p=p: shipyard.detect(w.pushes, p)) for n, p in tuned.items()}}
    results = evaluate(held, detectors)
    print()
    print(table([summarise(n, c, 2000) for n, c in results.items()],
                f"held-out split ({len(held)} windows, {len({w.key for w in held})} signatures, "
                f"{sum(len(w.real()) for w in held)} real alerts, {sum(len(w.invalid()) for w in held)} invalid; "
                "never read by the tuning)"))
    for name in tuned:
        for other in (o for o in ("shipyard", "shipyard-r2", "perfherder") if o in results):
            delta, low, high = paired_difference(results[name], results[other], 2000)
            print(f"{name} − {other}: F1 at ±5 {delta:+.3f} [{low:+.3f}, {high:+.3f}] (paired bootstrap)")
    for first, second in (("shipyard", "perfherder"), ("shipyard", "shipyard-r2")):
        if second in results:
            delta, low, high = paired_difference(results[first], results[second], 2000)
            print(f"{first} − {second}: F1 at ±5 {delta:+.3f} [{low:+.3f}, {high:+.3f}] (paired bootstrap)")


def _changed(params: shipyard.Parameters) -> str:
    """The parameters that differ from production's, e.g. ``min_side=4, quiet_effect=6.0``."""
    changes = [f"{name}={getattr(params, name)}" for name in vars(params)
               if getattr(params, name) != getattr(shipyard.DEFAULT, name)]
    return ", ".join(changes) or "production's parameters"


if __name__ == "__main__":
    main()
