"""Computing a run's metrics, and every later run's of its group.

Per-run evaluation is a fold over the group's runs in push order
(``chalicelib.perf.run_fold``, pure). When a run arrives for a push earlier
than runs already computed, the fold is replayed from that run forward, so
the stored metrics are the same whatever order the runs arrived in. This
module reads the runs' replicates and the state before them, and writes the
metrics records and the series' Perfherder signatures.
"""

from __future__ import annotations

from chalicelib.perf.run_fold import RunSummary, fold, number
from chalicelib.perf.series import SeriesGroup
from chalicelib.store import metrics as metrics_store
from chalicelib.store import perf_signatures, replicates, test_runs
from chalicelib.store.metrics import MetricsRecord, plain, results_of


def group_of(run: test_runs.TestRunRecord) -> SeriesGroup:
    return SeriesGroup(run.project, run.canonical_branch or run.branch, run.product, run.os_name, run.os_version,
                       run.processor, run.build_type, run.test_name)


def summarize(run: test_runs.TestRunRecord, group: SeriesGroup) -> RunSummary:
    """The run's replicate summaries, from its packed replicates in S3 (one GetObject, no JSON)."""
    from chalicelib.perf.statistics import matrix_summaries, replicate_summaries

    legacy = plain(run.pages)
    if legacy:  # loaded before replicates moved to S3: they are on the record
        names = sorted(legacy)
        s = replicate_summaries([[float(v) for v in legacy[name]] for name in names],
                                drop_first=group.drops_first_replicate)
    else:
        names = list(run.page_names)
        s = matrix_summaries(*replicates.get(run.project, int(run.test_run_id)), drop_first=group.drops_first_replicate)
    pages = {
        name: {"n_replicates": int(s.n_replicates[i]), "n": int(s.n[i]),
               "mean": number(s.mean[i]), "stddev": number(s.stddev[i])}
        for i, name in enumerate(names)
    }
    return RunSummary(int(run.test_run_id), run.revision, int(run.push_id), int(run.pushlog_id),
                      int(run.push_date), metrics_store.order_key(int(run.push_id), int(run.date_run),
                                                                  int(run.test_run_id)), pages)


def _summary_of(record: MetricsRecord) -> RunSummary:
    pages = results_of(record)
    return RunSummary(int(record.test_run_id), record.revision, int(record.push_id), int(record.pushlog_id),
                      int(record.push_date), record.order_key,
                      {p: {k: pages[p].get(k) for k in ("n_replicates", "n", "mean", "stddev")} for p in pages})


def compute(project: str, test_run_id: int) -> int:
    """Compute the run's metrics and replay its group's later runs; returns runs written.

    0 when the run is gone or not yet linked to a push (it is computed when
    it is linked).
    """
    return compute_run(project, test_run_id)[1]


def compute_run(project: str, test_run_id: int) -> tuple[SeriesGroup | None, int]:
    """As ``compute``, also naming the run's group (None when nothing was computed).

    Only items whose metrics changed are written: a redelivered run, or later
    runs that an earlier arrival leaves as they were, cost no write.
    """
    run = test_runs.get(project, test_run_id)
    if run is None or run.push_id is None:
        return None, 0
    group = group_of(run)
    current = summarize(run, group)
    state = metrics_store.state_before(group.key, current.order_key)
    stored = {r.order_key: r for r in metrics_store.from_onwards(group.key, current.order_key)}
    chain = [current, *(_summary_of(r) for key, r in stored.items() if key != current.order_key)]
    changed = []
    for summary in chain:
        results, state = fold(summary, state)
        rec = metrics_store.record(
            group.key, summary.order_key, project=project, test_run_id=summary.test_run_id,
            revision=summary.revision, push_id=summary.push_id, pushlog_id=summary.pushlog_id,
            push_date=summary.push_date, results=results, after=state)
        before = stored.get(summary.order_key)
        if before is None or not metrics_store.same(rec, before):
            changed.append(rec)
    if changed:
        metrics_store.save_all(changed)
    # The Perfherder face: the series of these pages, with data up to the newest push of the chain.
    perf_signatures.register(group, sorted(current.pages), max(s.push_date for s in chain))
    return group, len(changed)
