"""Rebuild ``benchmarks/data/realise/windows.csv.gz`` from a checkout of mozilla/REALISE-Performance.

Each window of ``manifest.json`` is the rows of its ``source_path`` (read at
``source_commit``) whose push id lies between its first and last push id, in
the file's order (push time). Only what the benchmark reads is kept: the
value, the push, and on an alert's row its statuses, whether Perfherder
called it a regression, and the dataset's own label
(``alert_summary_status_general``).

    .venv/bin/python -m benchmarks.realise_build --dataset PATH/TO/REALISE-Performance [--check]

Files of ``all-datasets-annotated`` name the alert's columns ``single_alert_*``
and ``alert_summary_*``; those of ``all-datasets-annotated-aggregated`` name
the same facts ``test_*`` (the alert) and ``alert_*`` (its summary).

``prev_push_id`` (the alert's previous push) is recorded for the windows
read after it was added (31 on); the first 30 leave it empty, so ``--check``
on a checkout differs for their alert rows until they are rebuilt.

Windows read from an aggregated file hold one value per push: the mean of
the push's measurements. A window whose manifest entry names
``measurements`` (the non-aggregated file of the same series, the commit it
was read at, the characters read) has each push's row replaced by one row per
measurement of that push in that file (its value and ``entry_id``, the
performance datum's id, which orders measurements by arrival), the alert's
columns kept from the aggregated row; the build refuses a push whose
measurements do not average to its aggregated value (another version of the
file). Other windows leave ``entry_id`` empty.

``--check`` compares instead of writing (exit 1 on a difference).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from benchmarks.realise import DATA

COLUMNS = ["repository", "signature_id", "push_id", "value", "alert_status", "summary_status", "is_regression",
           "label", "prev_push_id", "entry_id"]


def _code(text: str) -> str:
    return str(int(float(text))) if text else ""


ANNOTATED = ("single_alert_status", "alert_summary_status", "single_alert_is_regression",
             "alert_summary_status_general", "alert_summary_prev_push_id")
AGGREGATED = ("test_status", "alert_status", "test_is_regression", "test_status_general", "alert_prev_push_id")


def window_rows(window: Mapping[str, object], source: Iterable[Mapping[str, str]]) -> list[list[str]]:
    """The compact rows of one window, from the dataset file's rows (csv.DictReader of the original)."""
    first, last = int(window["first_push_id"]), int(window["last_push_id"])  # type: ignore[arg-type]
    rows = []
    for row in source:
        status, summary, regression, label, prev = ANNOTATED if "single_alert_status" in row else AGGREGATED
        push_id = int(float(row["push_id"]))
        if not first <= push_id <= last:
            continue
        alerted = bool(row.get(status))
        rows.append([str(window["repository"]), str(window["signature_id"]), str(push_id), row["value"],
                     _code(row[status]) if alerted else "", _code(row[summary]) if alerted else "",
                     row[regression] if alerted else "", row[label] if alerted else "",
                     _code(row.get(prev) or "") if alerted else ""])
    return rows


def measurements(window: Mapping[str, object], source: Iterable[Mapping[str, str]]) -> dict[int, list[tuple[str, str]]]:
    """Every measurement (value, entry id) of each of the window's pushes, in file order, from a
    non-aggregated file."""
    first, last = int(window["first_push_id"]), int(window["last_push_id"])  # type: ignore[arg-type]
    found: dict[int, list[tuple[str, str]]] = {}
    for row in source:
        push_id = int(float(row["push_id"]))
        if first <= push_id <= last:
            found.setdefault(push_id, []).append((row["value"], _code(row["entry_id"])))
    return found


def expand(rows: list[list[str]], found: Mapping[int, list[tuple[str, str]]]) -> list[list[str]]:
    """Each aggregated row as its push's measurements, the alert's columns kept on each.

    The aggregated value is the mean of the push's measurements; a push whose measurements do not average to
    it (or that has none) means the two files are not the same version of the series, and is refused."""
    expanded = []
    for row in rows:
        push_id, aggregated = int(row[2]), float(row[3])
        values = found.get(push_id, [])
        if not values or abs(sum(float(v) for v, _ in values) / len(values) - aggregated) > 1e-6 * max(
                1.0, abs(aggregated)):
            raise ValueError(f"push {push_id}: measurements {[v for v, _ in values]} do not average to {aggregated}")
        expanded.extend([*row[:3], value, *row[4:], entry_id] for value, entry_id in values)
    return expanded


def build(dataset: Path, manifest: Mapping[str, object]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for window in manifest["windows"]:  # type: ignore[union-attr]
        with open(dataset / window["source_path"], newline="") as f:
            rows = window_rows(window, csv.DictReader(f))
        if "measurements" in window:
            with open(dataset / window["measurements"]["path"], newline="") as f:
                rows = expand(rows, measurements(window, csv.DictReader(f)))
        else:
            rows = [[*row, ""] for row in rows]
        writer.writerows(rows)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True, help="a checkout of mozilla/REALISE-Performance")
    parser.add_argument("--check", action="store_true", help="compare with the stored file instead of writing it")
    args = parser.parse_args(argv)
    manifest = json.loads((DATA / "manifest.json").read_text())
    text = build(args.dataset, manifest)
    target = DATA / "windows.csv.gz"
    if args.check:
        with gzip.open(target, "rt", newline="") as f:
            stored = f.read().replace("\r\n", "\n")
        same = stored == text
        print("same" if same else "differs")
        return 0 if same else 1
    with gzip.open(target, "wt", newline="") as f:
        f.write(text)
    print(f"wrote {target} ({text.count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
