"""The alerts job's detector CPU, before and after a change, in the same run: time per page and identical results.

The metrics worker runs ``shipyard.detect`` on every page of a series group
after each run (``chalicelib.services.perf.alerts_job``): 100 pages of up to
``WINDOW_RUNS`` pushes for a tp5 group, the largest single cost of a blob. This
benchmark times it on 100 pages at each of several lengths (30, 60 and 128
pushes): the real, sheriffed windows of ``benchmarks/data/realise`` cut to that
length (retriggers and all: a push keeps every measurement), then single-valued
noise series (Gaussian, heavy-tailed, bimodal, with and without a step) as the
job mostly sees them (one run per push).

*Before* is the code of a git commit (``--before``, default 3e42b41: main
before the detector was made cheaper), run from a temporary ``git worktree``
of it; *after* is this checkout. Each side runs in its own interpreter on the
same pickled series, alternately ``--rounds`` times (a noisy machine slows
both alike); the report gives each side's median time per page and the
ratio, and checks that every page's changes are the same: index and
detectors equal, numbers within 1e-12 relative (a reordered float sum may
move the last bit), which the exit status reports.

    .venv/bin/python -m benchmarks.alerts_speed [--before 3e42b41] [--rounds 3] [--pages 100]
"""

from __future__ import annotations

import argparse
import math
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.git_checkout import checkout

REPO = Path(__file__).resolve().parent.parent
LENGTHS = (30, 60, 128)
SEED = 20261206


def _noise_series(count: int, length: int, rng) -> list[list[list[float]]]:  # noqa: ANN001 - numpy Generator
    """Single-valued pushes: the shapes the alerts job meets, a quarter of them with a step."""
    series = []
    for k in range(count):
        level = rng.uniform(50.0, 900.0)
        kind = k % 4
        if kind == 0:
            y = rng.normal(level, 0.02 * level, length)
        elif kind == 1:
            y = level + 0.03 * level * rng.standard_t(3, length)
        elif kind == 2:
            y = rng.normal(level, 0.01 * level, length) + 0.06 * level * (rng.random(length) < 0.3)
        else:
            y = rng.normal(level, 0.02 * level, length)
            y[rng.integers(length // 3, 2 * length // 3):] *= 1.0 + rng.choice([-1, 1]) * rng.uniform(0.03, 0.15)
        series.append([[float(v)] for v in y])
    return series


def _level(pushes: list[list[float]]) -> float:
    return statistics.median(v for push in pushes for v in push) or 1.0


def series_sets(pages: int) -> dict[str, list[list[list[float]]]]:
    """Name → ``pages`` series (one list of values per push), real windows first, then noise."""
    import numpy as np

    from benchmarks.realise import load

    rng = np.random.default_rng(SEED)
    windows = [w.pushes for w in load()]
    sets = {}
    long = [w for w in windows if len(w) >= 64]
    # too few windows reach 128 pushes: two long ones end to end, the second at the first's level
    joined = [a[-64:] + [[v * _level(a) / _level(b) for v in push] for push in b[-64:]]
              for a, b in zip(long, long[1:] + long[:1], strict=True)]
    for length in LENGTHS:
        real = [w[-length:] for w in (windows if length < 128 else joined) if len(w) >= length][:pages]
        sets[f"real {length}"] = real
        sets[f"noise {length}"] = _noise_series(pages, length, rng)
    return sets


def _child(repo: str, data: str, out: str) -> None:
    """Run in a fresh interpreter: time ``repo``'s detector on the pickled series, pickle times and changes."""
    sys.path.insert(0, repo)
    import numpy as np

    from chalicelib.perf.detectors import shipyard

    np.seterr(all="ignore")
    sets = pickle.loads(Path(data).read_bytes())
    shipyard.detect(sets[next(iter(sets))][0])  # warm: first calls load numpy's code paths
    result = {}
    for name, series in sets.items():
        started = time.process_time()
        changes = [shipyard.detect(pushes) for pushes in series]
        seconds = time.process_time() - started
        result[name] = (seconds / max(1, len(series)),
                        [[(c.index, c.prev_value, c.new_value, c.confidence, c.score, c.detectors) for c in found]
                         for found in changes])
    Path(out).write_bytes(pickle.dumps(result))


def _run(repo: Path, data: Path, scratch: Path) -> dict:
    out = scratch / "out.pickle"
    subprocess.run([sys.executable, __file__, "--child", str(repo), str(data), str(out)], check=True)
    return pickle.loads(out.read_bytes())


def _same(a: tuple, b: tuple) -> bool:
    if a[0] != b[0] or a[5] != b[5]:
        return False
    return all(x == y or (math.isfinite(x) and abs(x - y) <= 1e-12 * max(1.0, abs(x)))
               for x, y in zip(a[1:5], b[1:5], strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="3e42b41", help="the git commit to compare with")
    parser.add_argument("--rounds", type=int, default=3, help="alternate before/after runs (median taken)")
    parser.add_argument("--pages", type=int, default=100, help="series per length and kind")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0
    sets = series_sets(args.pages)
    scratch = Path(tempfile.mkdtemp(prefix="shipyard-alerts-speed-"))
    try:
        data = scratch / "series.pickle"
        data.write_bytes(pickle.dumps(sets))
        times: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
        found: dict[str, dict] = {}
        with checkout(args.before, "shipyard-alerts-before-") as before_repo:
            for _ in range(args.rounds):
                for side, repo in (("before", before_repo), ("after", REPO)):
                    result = _run(repo, data, scratch)
                    found[side] = result
                    for name, (seconds, _) in result.items():
                        times[side].setdefault(name, []).append(seconds)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"shipyard.detect per page, before = {args.before}, after = this checkout; median of {args.rounds} rounds "
          f"(CPU time); load average {' '.join(f'{x:.2f}' for x in __import__('os').getloadavg())}")
    print(f"{'series':<11} {'pages':>5} {'before ms':>9} {'after ms':>9} {'ratio':>6} {'changes':>7} {'identical':>9}")
    identical_all = True
    total = {"before": 0.0, "after": 0.0}
    for name, series in sets.items():
        b, a = statistics.median(times["before"][name]), statistics.median(times["after"][name])
        total["before"] += b * len(series)
        total["after"] += a * len(series)
        before_changes, after_changes = found["before"][name][1], found["after"][name][1]
        same = all(len(x) == len(y) and all(_same(c, d) for c, d in zip(x, y, strict=True))
                   for x, y in zip(before_changes, after_changes, strict=True))
        identical_all &= same
        print(f"{name:<11} {len(series):5d} {b * 1e3:9.3f} {a * 1e3:9.3f} {b / a:6.2f} "
              f"{sum(map(len, after_changes)):7d} {'yes' if same else 'NO':>9}")
    print(f"{'all':<11} {'':5} {'':9} {'':9} {total['before'] / total['after']:6.2f} {'':7} "
          f"{'yes' if identical_all else 'NO':>9}")
    return 0 if identical_all else 1


if __name__ == "__main__":
    if __package__ in (None, ""):
        sys.path.insert(0, str(REPO))
    sys.exit(main())
