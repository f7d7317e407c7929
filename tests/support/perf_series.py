"""A performance series seeded straight into the store: pushes and per-run metrics, no upload needed.

For tests of what reads the metrics (alert detection, the graph page): the
metrics worker itself is tested on uploaded runs elsewhere.
"""

from __future__ import annotations

import numpy as np

from chalicelib.perf.series import SeriesGroup
from chalicelib.store import pushes
from chalicelib.store.metrics import order_key, record
from tests.support.pushlog_data import make_push

BRANCH = "Mozilla-Inbound"
INBOUND = SeriesGroup("talos", BRANCH, "Firefox", "linux", "Fedora 12", "x86_64", "opt", "Talos tp5n")
BASE_DATE = 1_343_674_800


def seed(group: SeriesGroup = INBOUND, count: int = 30, step_at: int = 15, steps: dict[str, float] | None = None,
         first_push: int = 1, seed_: int = 0) -> list[dict]:
    """``count`` pushes on the group's branch, each with one run's metrics; pages step at ``step_at``."""
    steps = {"a.com": 1.2, "b.com": 1.0} if steps is None else steps
    rng = np.random.default_rng(seed_)
    stored = []
    for k in range(count):
        push_id = first_push + k
        push = make_push(push_id, BASE_DATE + push_id * 600, seed=group.branch)
        saved, _ = pushes.store(group.branch, push_id, push["date"], push["user"], push["changesets"])
        revision = push["changesets"][-1]["node"][:12]
        pages = {}
        for page, factor in steps.items():
            level = 100.0 * (factor if k >= step_at else 1.0)
            mean = float(level * (1 + rng.normal(0, 0.01)))
            pages[page] = {"n_replicates": 25, "n": 24, "mean": mean, "stddev": level * 0.02,
                           "trend_mean": 100.0, "test_evaluation": k < step_at}
        record(group.key, order_key(push_id, push["date"], push_id), project=group.project,
               test_run_id=push_id, revision=revision, push_id=push_id, pushlog_id=saved.pushlog_id,
               push_date=push["date"], results=pages, after={}).save()
        stored.append({"push_id": push_id, "revision": revision, "push": push})
    return stored


