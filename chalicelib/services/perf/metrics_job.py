"""Computing a run's metrics, and every later run's of its group.

Per-run evaluation is a fold over the group's runs in push order
(``chalicelib.perf.run_fold``, pure). When a run arrives for a push earlier
than runs already computed, the fold is replayed from that run forward, so
the stored metrics are the same whatever order the runs arrived in. This
module reads the runs' replicate summaries and the state before them, and
writes the metrics records and the series' Perfherder signatures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.perf.run_fold import RunSummary, fold, page_summaries
from chalicelib.perf.series import SeriesGroup
from chalicelib.store import metrics as metrics_store
from chalicelib.store import perf_signatures, replicates, test_runs
from chalicelib.store.metrics import MetricsRecord, plain, results_of


def group_of(run: test_runs.TestRunRecord) -> SeriesGroup:
    return SeriesGroup(run.project, run.canonical_branch or run.branch, run.product, run.os_name, run.os_version,
                       run.processor, run.build_type, run.test_name)


_SUMMARY_FIELDS = ("n_replicates", "n", "mean", "stddev")


def summarize(run: test_runs.TestRunRecord, group: SeriesGroup,
              stored: MetricsRecord | None = None) -> RunSummary:
    """The run's place and its pages' replicate summaries, from the cheapest place that has them.

    The run's own metrics item when it has one (a recomputation: the same
    summaries); the replicates on the record for runs loaded before they moved
    to S3; its packed replicates in S3 (one GetObject, no JSON); else its blob,
    parsed again. A run whose loader sent the summaries along
    (``metrics_requests``) needs none of these: see ``compute_run``.
    """
    from chalicelib.perf.statistics import replicate_matrix

    if stored is not None:
        pages = {p: {k: r.get(k) for k in _SUMMARY_FIELDS} for p, r in results_of(stored).items()}
    else:
        legacy = plain(run.pages)
        if legacy:  # loaded before replicates moved to S3: they are on the record
            names = sorted(legacy)
            lengths, matrix = replicate_matrix([[float(v) for v in legacy[name]] for name in names])
        else:
            names = list(run.page_names)
            packed = replicates.find(run.project, int(run.test_run_id))
            lengths, matrix = packed if packed is not None else _replicates_from_blob(run, names)
        pages = page_summaries(names, lengths, matrix, group.drops_first_replicate)
    return _place(run, pages)


def _replicates_from_blob(run: test_runs.TestRunRecord, names: list[str]) -> tuple[Any, Any]:
    """A loaded run's replicate matrix from the blob it was loaded from (rows in ``names`` order)."""
    from chalicelib.datazilla.blob import decode, parse_run
    from chalicelib.perf.statistics import replicate_matrix
    from chalicelib.store import blobs, objectstore

    row = objectstore.get(run.project, int(run.objectstore_id))
    if row is None:
        raise LookupError(f"the blob of run {run.project}/{run.test_run_id} is gone")
    parsed = parse_run(decode(blobs.get(row.s3_key)))
    return replicate_matrix([parsed.pages[name] for name in names])


def _place(run: test_runs.TestRunRecord, pages: dict[str, dict[str, Any]]) -> RunSummary:
    return RunSummary(int(run.test_run_id), run.revision, int(run.push_id), int(run.pushlog_id),
                      int(run.push_date), _order_of(run), pages)


def _order_of(run: test_runs.TestRunRecord) -> str:
    return metrics_store.order_key(int(run.push_id), int(run.date_run), int(run.test_run_id))


def _summary_of(record: MetricsRecord) -> RunSummary:
    pages = results_of(record)
    return RunSummary(int(record.test_run_id), record.revision, int(record.push_id), int(record.pushlog_id),
                      int(record.push_date), record.order_key,
                      {p: {k: pages[p].get(k) for k in _SUMMARY_FIELDS} for p in pages})


@dataclass(frozen=True)
class Computed:
    """A run's metrics computed: its group, the items written, and what its group's series now reach."""

    group: SeriesGroup
    written: int
    pages: list[str]  # the run's pages, sorted
    newest_push_date: int  # the newest push among the group's runs computed (the replay reaches the last)


def compute(project: str, test_run_id: int) -> int:
    """Compute the run's metrics, replay its group's later runs, register its series; returns runs written.

    0 when the run is gone or not yet linked to a push (it is computed when
    it is linked).
    """
    done = compute_run(project, test_run_id)
    if done is None:
        return 0
    register_series(done.group, done.pages, done.newest_push_date)
    return done.written


def compute_run(project: str, test_run_id: int, pages: dict[str, dict[str, Any]] | None = None) -> Computed | None:
    """As ``compute``, but leaving the series' registration to the caller (None when nothing was computed).

    ``pages``: the run's replicate summaries when the message carried them
    (then no replicates are read). Only items whose metrics changed are
    written: a redelivered run, or later runs that an earlier arrival leaves
    as they were, cost no write.
    """
    found = locate(project, test_run_id)
    if found is None:
        return None
    computed, failures = compute_group(found[1], [(found[0], pages)])
    if failures:
        raise failures[0]
    return computed


def locate(project: str, test_run_id: int) -> tuple[test_runs.TestRunRecord, SeriesGroup] | None:
    """The run and its series group; None when the run is gone or not yet linked to a push (computed once linked)."""
    run = test_runs.get(project, test_run_id)
    if run is None or run.push_id is None:
        return None
    return run, group_of(run)


def compute_group(group: SeriesGroup, runs: list[tuple[test_runs.TestRunRecord, dict[str, dict[str, Any]] | None]]
                  ) -> tuple[Computed | None, dict[int, Exception]]:
    """Compute several new runs of one group in a single replay; returns what was computed and who failed.

    Runs reach the metrics worker out of push order (uploads finish
    loading in any order). Each run computed alone replays every later run,
    so a batch of k runs arriving newest first rewrites O(k²) items; folded
    together, from the earliest of them, every item of the group is
    computed and written at most once, with the same values as the runs
    computed one after another (the fold from the earliest run sees them
    all in push order either way).

    A run whose summaries cannot be made (its replicates gone) is left out
    and reported by its index in ``runs``: its stored item, if any, stays in
    the chain, and the other runs go ahead, as they would have alone. A
    run's ``pages`` are the summaries the loader sent along (None: read
    them). The metrics queue's message group serialises a group, so nothing
    else writes it meanwhile.
    """
    order = min(_order_of(run) for run, _ in runs)
    state = metrics_store.state_before(group.key, order)
    stored = {r.order_key: r for r in metrics_store.from_onwards(group.key, order)}
    failures: dict[int, Exception] = {}
    arrived: dict[str, RunSummary] = {}
    for index, (run, pages) in enumerate(runs):
        key = _order_of(run)
        try:
            arrived[key] = _place(run, pages) if pages is not None else summarize(run, group, stored.get(key))
        except Exception as err:  # noqa: BLE001 - this run alone fails; the caller reports it
            failures[index] = err
    if not arrived:
        return None, failures
    chain = {key: _summary_of(rec) for key, rec in stored.items() if key not in arrived}
    chain.update(arrived)
    changed = []
    for key in sorted(chain):
        summary = chain[key]
        results, state = fold(summary, state)
        rec = metrics_store.record(
            group.key, summary.order_key, project=group.project, test_run_id=summary.test_run_id,
            revision=summary.revision, push_id=summary.push_id, pushlog_id=summary.pushlog_id,
            push_date=summary.push_date, results=results, after=state)
        before = stored.get(key)
        if before is None or not metrics_store.same(rec, before):
            changed.append(rec)
    if changed:
        metrics_store.save_all(changed)
    pages_reached = sorted({page for summary in arrived.values() for page in summary.pages})
    return Computed(group, len(changed), pages_reached, max(s.push_date for s in chain.values())), failures


def register_series(group: SeriesGroup, pages: list[str], newest_push_date: int) -> None:
    """The Perfherder face: the group's series of these pages, with data up to its newest push.

    Pages are only ever added and the newest push only moves forward, so
    registering the union of a batch's runs once leaves what registering each
    run in turn left.
    """
    perf_signatures.register(group, pages, newest_push_date)
