"""The real-data development set: windows of Mozilla performance series with their sheriffed alerts.

Source: the public dataset mozilla/REALISE-Performance (Besbes et al., ICPE
2025), ``data/all-datasets-annotated/<repository>/<signature>_timeseries_data.csv``:
one row per measurement (a push with retriggers has several), the alert's
columns filled on the row of the push Perfherder (or a sheriff) put it on.
Windows read from ``data/all-datasets-annotated-aggregated/`` (the dataset's
one-row-per-revision version, where its change-point annotations index rows,
each push's value the mean of its measurements) were expanded to every
measurement from the non-aggregated file (the manifest's ``measurements``;
``benchmarks/realise_build.py``), so every window has its replicates.
``data/realise/manifest.json`` names each window's file, the commit it was
read at and its first and last push id; ``benchmarks/realise_build.py``
rebuilds ``windows.csv.gz`` from a checkout of the dataset. A signature may
have several windows (its push ranges do not overlap).

Alerts read after the set grew past 30 windows also carry the alert's previous
push (``prev_push_id``): Perfherder raised the alert on the range between it and
the alert's push, and backfills later filled that range, so the benchmark also
scores detections within the range (``Alert.span``).

Split: a signature is *held out* when ``held_out`` says so (a CRC of its
repository and id, not a choice made after looking at the data); tuning
(``benchmarks/alerts_real_tune.py``) never reads those windows.

Statuses are Treeherder's numbers (``treeherder/perf/models.py``): an alert
is 0 untriaged, 1 downstream, 2 reassigned, 3 invalid, 4 acknowledged, 5
infra; a summary 0 untriaged, 1 downstream, 2 reassigned, 3 invalid, 4
improvement, 5 investigating, 6 wontfix, 7 fixed, 8 backedout, 9 infra.
A sheriff-*invalid* alert (alert or summary status 3) is a false positive
Perfherder raised; every other triaged alert marks a real change.
"""

from __future__ import annotations

import csv
import gzip
import json
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

DATA = Path(__file__).parent / "data" / "realise"
INVALID = 3
HELD_OUT_EVERY = 3  # about one signature in three


def held_out(repository: str, signature_id: int) -> bool:
    """Whether a signature belongs to the held-out split: fixed by its name alone, so no result can move it."""
    return zlib.crc32(f"{repository}/{signature_id}".encode()) % HELD_OUT_EVERY == 0


@dataclass(frozen=True)
class Alert:
    index: int  # position of the alert's push in the window
    push_id: int
    alert_status: int
    summary_status: int
    is_regression: bool
    # The push before the alert's range (Perfherder's prev_push_id) when recorded: backfills land between it and
    # ``push_id``, and the culprit is any push of that range, so ``first_index`` is the range's first position.
    prev_push_id: int | None = None
    first_index: int | None = None  # set by ``load`` from ``prev_push_id``

    @property
    def span(self) -> tuple[int, int]:
        """The positions of the alert's push range (its push alone when the previous push is unknown)."""
        return (self.index if self.first_index is None else self.first_index, self.index)

    @property
    def invalid(self) -> bool:
        return INVALID in (self.alert_status, self.summary_status)


@dataclass
class Window:
    repository: str
    signature_id: int
    platform: str
    suite: str
    test: str
    lower_is_better: bool
    push_ids: list[int] = field(default_factory=list)
    pushes: list[list[float]] = field(default_factory=list)  # every measurement of each push, push order
    alerts: list[Alert] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.repository}/{self.signature_id}"

    @property
    def held_out(self) -> bool:
        return held_out(self.repository, self.signature_id)

    @property
    def group(self) -> str:
        """What the report breaks results down by: repository and platform."""
        return f"{self.repository} {self.platform}"

    def real(self) -> list[Alert]:
        return [a for a in self.alerts if not a.invalid]

    def invalid(self) -> list[Alert]:
        return [a for a in self.alerts if a.invalid]


def _number(text: str) -> int:
    return int(float(text))


def load(directory: Path = DATA) -> list[Window]:
    """The windows of the development set, in manifest order."""
    manifest = json.loads((directory / "manifest.json").read_text())
    ranges = [((w["repository"], int(w["signature_id"])), int(w["first_push_id"]), int(w["last_push_id"]))
              for w in manifest["windows"]]
    windows = [Window(w["repository"], int(w["signature_id"]), w["machine_platform"], w["suite"], w["test"],
                      bool(w["lower_is_better"])) for w in manifest["windows"]]
    with gzip.open(directory / "windows.csv.gz", "rt", newline="") as f:
        for row in csv.DictReader(f):
            key, push_id = (row["repository"], int(row["signature_id"])), int(row["push_id"])
            window = next(windows[k] for k, (wkey, first, last) in enumerate(ranges)
                          if wkey == key and first <= push_id <= last)
            if not window.push_ids or window.push_ids[-1] != push_id:
                window.push_ids.append(push_id)
                window.pushes.append([])
            window.pushes[-1].append(float(row["value"]))
            if row["alert_status"] and not any(a.push_id == push_id for a in window.alerts):
                prev = row.get("prev_push_id") or ""
                window.alerts.append(Alert(len(window.push_ids) - 1, push_id, _number(row["alert_status"]),
                                           _number(row["summary_status"]), row["is_regression"] == "True",
                                           _number(prev) if prev else None))
    for window in windows:
        window.alerts = [replace(a, first_index=_range_start(window.push_ids, a)) for a in window.alerts]
    return windows


def _range_start(push_ids: list[int], alert: Alert) -> int:
    """The first position of the alert's push range: just after its previous push (the alert's own without one)."""
    if alert.prev_push_id is None:
        return alert.index
    return next(k for k, push_id in enumerate(push_ids) if push_id > alert.prev_push_id)
