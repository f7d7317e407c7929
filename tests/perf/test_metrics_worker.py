"""The metrics worker: per-page statistics in push order, whatever the arrival order."""

from __future__ import annotations

import json
import random

import pytest

from chalicelib import config
from chalicelib.store import pushes
from chalicelib.store.metrics import MetricsRecord, results_of
from tests.support.datazilla_data import talos_run
from tests.support.pushlog_data import make_push

PROCESSING = config.queue_name(config.PROCESSING_QUEUE)
METRICS = config.queue_name(config.METRICS_QUEUE)
PAGES = {"a.com": 100.0, "b.com": 200.0, "c.com": 300.0}


@pytest.fixture
def series(inbound):
    """Eight pushes on Mozilla-Inbound; returns their tip nodes in push order."""
    nodes = []
    for push_id in range(1, 9):
        push = make_push(push_id, 1343674800 + push_id * 600)
        pushes.store("Mozilla-Inbound", push_id, push["date"], push["user"], push["changesets"])
        nodes.append(push["changesets"][-1]["node"])
    return nodes


def _means(push_index: int) -> dict[str, float]:
    """Page b.com regresses by 20% from the sixth push on."""
    return {page: (mean * 1.2 if page == "b.com" and push_index >= 5 else mean) for page, mean in PAGES.items()}


def _deliver(upload, pump, blobs: list[str]) -> None:
    for blob in blobs:
        assert upload(blob).status_code == 200
        pump.drain(PROCESSING)
        pump.drain(METRICS)


def _metrics_by_revision(ids: bool = True) -> dict[str, dict]:
    """Stored metrics by revision (tests only: a Scan of the whole table)."""
    found = {rec.revision: results_of(rec) for rec in MetricsRecord.scan()}
    if not ids:  # the same blobs uploaded again get new test run ids
        for pages in found.values():
            for page in pages.values():
                page.pop("threshold_test_run_id", None)
    return found


def _runs(talos_blob, nodes) -> list[str]:
    return [talos_run(talos_blob, node, _means(i), seed=i) for i, node in enumerate(nodes)]


def test_first_run_of_a_series_is_its_baseline(upload, pump, talos_blob, series):
    _deliver(upload, pump, _runs(talos_blob, series)[:1])
    pages = _metrics_by_revision()[series[0][:12]]
    assert all(page["baseline"] and page["p"] is None for page in pages.values())


def test_second_run_is_compared_with_the_first_and_starts_the_trend(upload, pump, talos_blob, series):
    runs = _runs(talos_blob, series)
    _deliver(upload, pump, runs[:2])
    # the fixture's test is tp5n: its first replicate is not measured
    first = json.loads(runs[0])["results"]["a.com"][1:]
    second = json.loads(runs[1])["results"]["a.com"][1:]
    page = _metrics_by_revision()[series[1][:12]]["a.com"]
    assert page["compared"] and page["test_evaluation"] is True
    assert page["threshold_revision"] == series[0][:12]
    import statistics as st

    assert page["trend_mean"] == pytest.approx(0.05 * st.mean(second) + 0.95 * st.mean(first))


def test_a_regression_fails_its_page_and_keeps_the_trend(upload, pump, talos_blob, series):
    _deliver(upload, pump, _runs(talos_blob, series))
    metrics = _metrics_by_revision()
    regressed = metrics[series[5][:12]]["b.com"]
    before = metrics[series[4][:12]]["b.com"]
    assert regressed["fdr"] is True and regressed["test_evaluation"] is False
    assert regressed["trend_mean"] == before["trend_mean"]
    assert metrics[series[5][:12]]["a.com"]["test_evaluation"] is True


def test_results_do_not_depend_on_arrival_order(upload, pump, talos_blob, series, aws):
    # given the same eight runs delivered in push order
    runs = _runs(talos_blob, series)
    _deliver(upload, pump, runs)
    in_order = _metrics_by_revision(ids=False)
    # when they are delivered shuffled into a fresh store, twice
    for seed in (1, 2):
        for rec in MetricsRecord.scan():
            rec.delete()
        shuffled = list(runs)
        random.Random(seed).shuffle(shuffled)
        _deliver(upload, pump, shuffled)
        # then every run's metrics are identical
        assert _metrics_by_revision(ids=False) == in_order


def test_a_redelivered_metrics_message_changes_nothing(upload, pump, talos_blob, series):
    _deliver(upload, pump, _runs(talos_blob, series)[:3])
    before = _metrics_by_revision()
    from chalicelib.store import queues

    queues.send_ordered(config.METRICS_QUEUE, {"project": "talos", "test_run_id": 2}, "g", "again-2")
    pump.drain(METRICS)
    assert _metrics_by_revision() == before


def test_tp5_drops_the_first_replicate_but_reports_the_full_count(upload, pump, talos_blob, series):
    run = json.loads(talos_run(talos_blob, series[0], PAGES))
    run["results"]["a.com"][0] = 10_000.0  # the warm-up replicate
    _deliver(upload, pump, [json.dumps(run)])
    page = _metrics_by_revision()[series[0][:12]]["a.com"]
    assert page["n_replicates"] == 25 and page["n"] == 24
    assert page["mean"] < 200


def test_a_page_with_one_replicate_is_a_page_error_not_a_lost_run(upload, pump, talos_blob, series):
    run = json.loads(talos_run(talos_blob, series[0], PAGES))
    run["testrun"]["suite"] = "Talos tsvg"
    run["results"]["a.com"] = [5.0]
    _deliver(upload, pump, [json.dumps(run)])
    pages = _metrics_by_revision()[series[0][:12]]
    assert pages["a.com"]["error"] == "fewer than 2 replicates"
    assert pages["b.com"]["baseline"] is True


def test_zero_variance_is_a_page_error(upload, pump, talos_blob, series):
    runs = []
    for node in series[:2]:
        run = json.loads(talos_run(talos_blob, node, PAGES))
        run["testrun"]["suite"] = "Talos tsvg"
        run["results"]["a.com"] = [7.0] * 5
        runs.append(json.dumps(run))
    _deliver(upload, pump, runs)
    page = _metrics_by_revision()[series[1][:12]]["a.com"]
    assert "zero variance" in page["error"]
    assert page["p"] is None


def test_a_run_waits_for_its_push_and_is_computed_when_linked(upload, pump, talos_blob, inbound):
    from chalicelib.services.datazilla.push_links import link_waiting_runs

    push = make_push(1, 1343675400)
    _deliver(upload, pump, [talos_run(talos_blob, push["changesets"][-1]["node"], PAGES)])
    assert _metrics_by_revision() == {}
    stored, _ = pushes.store("Mozilla-Inbound", 1, push["date"], push["user"], push["changesets"])
    link_waiting_runs(stored)
    pump.drain(METRICS)
    assert list(_metrics_by_revision()) == [push["changesets"][-1]["node"][:12]]


def test_a_metrics_job_for_a_100_page_run_makes_a_few_batched_calls(upload, pump, talos_blob, series, aws_calls):
    pages = {f"page{i:03d}.com": 100.0 + i for i in range(100)}
    _deliver(upload, pump, [talos_run(talos_blob, series[0], pages, seed=1)])
    assert upload(talos_run(talos_blob, series[1], pages, seed=2)).status_code == 200
    pump.drain(PROCESSING)
    aws_calls.clear()
    pump.drain(METRICS)
    dynamodb = [op for service, op in aws_calls if service == "dynamodb"]
    # metrics: at most 5; alert detection: the group's window, its alerts, the series catalog (read, write);
    # the Perfherder signature registry: a GetItem and an UpdateItem per group
    assert len(dynamodb) <= 11, dynamodb


def test_a_run_loaded_before_replicates_moved_to_s3_gets_the_same_metrics(upload, pump, talos_blob, series):
    """Given runs whose replicates are on the DynamoDB item (as loaded before ``store.replicates``) and not in
    S3, when their metrics are computed again, then they equal the metrics computed from the packed matrix."""
    from chalicelib.services.perf.metrics_job import compute
    from chalicelib.store import replicates, test_runs
    from chalicelib.store.clients import client

    runs = _runs(talos_blob, series)[:3]
    _deliver(upload, pump, runs)
    packed = _metrics_by_revision()
    for run_id, blob in zip((1, 2, 3), runs, strict=True):
        record = test_runs.get("talos", run_id)
        record.pages = json.loads(blob)["results"]
        record.save()
        client("s3").delete_object(Bucket=config.bucket_name(), Key=replicates.key("talos", run_id))
    for rec in MetricsRecord.scan():  # computed from scratch: from the replicates on the records
        rec.delete()
    for run_id in (1, 2, 3):
        compute("talos", run_id)
    assert _metrics_by_revision() == packed


def test_a_redelivered_run_rewrites_no_item(upload, pump, talos_blob, series):
    """Given three runs of a series computed, when the first is computed again (a redelivered message:
    its replay covers every later run of the group), then no item is written, since each would be written
    with the metrics it already holds; and the stored metrics are unchanged."""
    from chalicelib.services.perf.metrics_job import compute

    _deliver(upload, pump, _runs(talos_blob, series)[:3])
    before = _metrics_by_revision()
    assert compute("talos", 1) == 0
    assert _metrics_by_revision() == before


def test_a_late_earlier_run_rewrites_itself_and_the_later_runs_it_changes(upload, pump, talos_blob, series):
    """Given the runs of pushes 1 and 3 computed, when the run of push 2 arrives, then it and the run of
    push 3 (whose threshold and trend now follow push 2) are written, and push 1's is left alone."""
    from chalicelib.services.perf.metrics_job import compute

    runs = _runs(talos_blob, series)
    _deliver(upload, pump, [runs[0], runs[2]])  # test runs 1 and 2
    assert upload(runs[1]).status_code == 200  # test run 3, of push 2
    pump.drain(PROCESSING)
    assert compute("talos", 3) == 2
    assert _metrics_by_revision()[series[2][:12]]["a.com"]["threshold_revision"] == series[1][:12]


def test_metrics_stored_as_maps_before_the_packing_are_read_the_same(upload, pump, app_client, talos_blob,
                                                                      series):
    """Given runs whose metrics items hold their results and state as DynamoDB maps (as written before
    ``store.packed_json``), when the metrics endpoint reads them, then it answers byte for byte as from
    the packed items; and a replay over them writes them packed, with the same metrics."""
    from chalicelib.services.perf.metrics_job import compute
    from chalicelib.store import metrics as metrics_store

    _deliver(upload, pump, _runs(talos_blob, series)[:3])
    paths = [f"/talos/testdata/metrics/Mozilla-Inbound/{node[:12]}/" for node in series[:3]]
    packed_answers = [app_client.http.get(path).body for path in paths]
    packed = _metrics_by_revision()
    for rec in MetricsRecord.scan():
        MetricsRecord(rec.group_key, rec.order_key, project=rec.project, test_run_id=rec.test_run_id,
                      revision=rec.revision, push_id=rec.push_id, pushlog_id=rec.pushlog_id,
                      push_date=rec.push_date, pages=results_of(rec), state=metrics_store.state_of(rec)).save()
    assert all(rec.results is None and rec.pages is not None for rec in MetricsRecord.scan())
    assert [app_client.http.get(path).body for path in paths] == packed_answers
    assert compute("talos", 1) == 3
    assert all(rec.results is not None and rec.pages is None for rec in MetricsRecord.scan())
    assert _metrics_by_revision() == packed


def test_a_linked_run_is_computed_from_the_summaries_its_loader_sent(upload, pump, talos_blob, series):
    """Given runs whose pushes are synced when they are loaded, then the loader stores no second copy of
    their replicates (the summaries travel in the metrics message), and their metrics equal those computed
    from the packed replicates of a run that waited for its push."""
    from chalicelib.services.datazilla.push_links import link_waiting_runs
    from chalicelib.store import replicates
    from chalicelib.store.clients import client

    runs = _runs(talos_blob, series)[:2]
    _deliver(upload, pump, runs)
    carried = _metrics_by_revision(ids=False)
    s3 = client("s3")
    assert s3.list_objects_v2(Bucket=config.bucket_name(), Prefix="replicates/").get("KeyCount") == 0
    # the same two runs again, into a fresh metrics table, the second waiting for its push
    for rec in MetricsRecord.scan():
        rec.delete()
    _deliver(upload, pump, runs[:1])
    waiting = json.loads(runs[1])
    waiting["test_build"]["revision"] = "f" * 12  # no synced push has it yet
    assert upload(json.dumps(waiting)).status_code == 200
    pump.drain(PROCESSING)
    assert s3.head_object(Bucket=config.bucket_name(), Key=replicates.key("talos", 4))
    push = make_push(9, 1343674800 + 9 * 600)
    push["changesets"][-1]["node"] = "f" * 40
    stored, _ = pushes.store("Mozilla-Inbound", 9, push["date"], push["user"], push["changesets"])
    link_waiting_runs(stored)
    pump.drain(METRICS)
    from_s3 = _metrics_by_revision(ids=False)
    assert from_s3[series[0][:12]] == carried[series[0][:12]]
    assert from_s3["f" * 12] == carried[series[1][:12]]


def test_summaries_too_large_to_carry_leave_the_replicates_in_s3_with_the_same_metrics(upload, pump, talos_blob,
                                                                                        series, monkeypatch):
    """Given runs whose summaries would not fit in the metrics message (here: the limit set below a run's),
    then their loader packs the replicates into S3 and their metrics equal those computed from carried
    summaries."""
    from chalicelib.services.perf import metrics_requests
    from chalicelib.store import replicates
    from chalicelib.store.clients import client

    runs = _runs(talos_blob, series)[:2]
    _deliver(upload, pump, runs)
    carried = _metrics_by_revision(ids=False)
    for rec in MetricsRecord.scan():
        rec.delete()
    monkeypatch.setattr(metrics_requests, "CARRIED_BYTES", 100)
    _deliver(upload, pump, runs)
    assert client("s3").head_object(Bucket=config.bucket_name(), Key=replicates.key("talos", 3))
    assert _metrics_by_revision(ids=False) == carried


def test_a_series_whose_pages_this_worker_registered_is_not_read_again(upload, pump, talos_blob, series,
                                                                        monkeypatch):
    """Given a run's metrics computed (its pages registered as Perfherder series), when the next runs of the
    group are computed, then the group's registry items are not read again (pages are only ever added) and its
    ``last_updated`` still follows the newest push; a run with a new page reads them and registers the page."""
    from chalicelib.services.perf.metrics_job import group_of
    from chalicelib.store import perf_signatures, test_runs

    runs = _runs(talos_blob, series)
    _deliver(upload, pump, runs[:1])
    reads: list[object] = []
    get = perf_signatures.SeriesGroupRecord.get
    batch_get = perf_signatures.SeriesGroupRecord.batch_get

    def spying(*args, **kwargs):
        reads.append(args)
        return batch_get(*args, **kwargs)

    monkeypatch.setattr(perf_signatures.SeriesGroupRecord, "batch_get", spying)
    _deliver(upload, pump, runs[1:3])
    assert reads == []
    group = group_of(test_runs.get("talos", 1))
    stored = get(perf_signatures._pk(group.branch), perf_signatures._group_sk(group), consistent_read=True)
    assert int(stored.last_updated) == int(test_runs.get("talos", 3).push_date)
    with_new_page = json.loads(runs[3])
    with_new_page["results"]["new.example.com"] = [5.0, 6.0, 7.0]
    _deliver(upload, pump, [json.dumps(with_new_page)])
    assert len(reads) == 1
    assert "new.example.com" in get(perf_signatures._pk(group.branch), perf_signatures._pages_sk(group)).pages


def test_a_batch_of_a_groups_runs_registers_its_series_once(upload, pump, talos_blob, series, aws_calls):
    """Given three runs of one group waiting for their metrics (one pump batch: the metrics queue hands a
    worker up to ten), the last with a page the others lack, when the batch is computed, then the group's
    registry items are written once, with every page of the batch and the newest push, and each page has its
    signature, as registering each run in turn would leave them."""
    from chalicelib.services.perf.metrics_job import group_of
    from chalicelib.store import perf_signatures, test_runs

    runs = _runs(talos_blob, series)[:3]
    with_new_page = json.loads(runs[2])
    with_new_page["results"]["new.example.com"] = [5.0, 6.0, 7.0]
    runs[2] = json.dumps(with_new_page)
    for blob in runs:
        assert upload(blob).status_code == 200
    pump.drain(PROCESSING)
    aws_calls.clear()

    pump.drain(METRICS)

    group = group_of(test_runs.get("talos", 1))
    stored = perf_signatures.SeriesGroupRecord.get(perf_signatures._pk(group.branch),
                                                   perf_signatures._group_sk(group), consistent_read=True)
    listed = perf_signatures.SeriesGroupRecord.get(perf_signatures._pk(group.branch),
                                                   perf_signatures._pages_sk(group), consistent_read=True)
    assert listed.pages == {*PAGES, "new.example.com"} and not stored.pages
    assert int(stored.last_updated) == max(int(test_runs.get("talos", i).push_date) for i in (1, 2, 3))
    assert sorted(s.signature.page for s in perf_signatures.in_repository(group.branch)) == sorted(
        [*PAGES, "new.example.com"])
    # one UpdateItem for the group's last_updated, one for its pages and one for the new pages' signature ids
    # (a counter); run by run it was one for last_updated per run and two per run bringing new pages
    assert [op for _, op in aws_calls].count("UpdateItem") == 3


def test_a_batch_of_runs_arriving_newest_first_is_replayed_once(upload, pump, talos_blob, series, aws_calls):
    """Given eight runs of one group loaded newest push first, their metrics messages waiting in one batch
    in that order, when the batch is computed, then the group is replayed once, from the earliest run: one
    BatchWriteItem (computed one by one, each run rewrote every later one: 8 calls, 36 items), and every run's
    metrics are those the runs delivered one at a time in push order get."""
    runs = _runs(talos_blob, series)
    _deliver(upload, pump, runs)
    in_order = _metrics_by_revision(ids=False)
    for rec in MetricsRecord.scan():
        rec.delete()
    for blob in reversed(runs):
        assert upload(blob).status_code == 200
    pump.drain(PROCESSING)
    aws_calls.clear()

    pump.drain(METRICS)

    assert [op for _, op in aws_calls].count("BatchWriteItem") == 1
    assert _metrics_by_revision(ids=False) == in_order


def test_a_run_whose_replicates_are_gone_fails_alone_in_its_batch(upload, pump, talos_blob, series):
    """Given two runs of a group loaded, the second's packed replicates and blob row since gone, when both
    are computed in one replay with no summaries sent along, then the second alone is reported failed (SQS
    redelivers its message) and the first is computed and written, as it would have been on its own."""
    from chalicelib.services.perf.metrics_job import compute_group, locate
    from chalicelib.store import objectstore, replicates
    from chalicelib.store.clients import client

    for blob in _runs(talos_blob, series)[:2]:
        assert upload(blob).status_code == 200
    pump.drain(PROCESSING)
    (first, group), (second, _) = locate("talos", 1), locate("talos", 2)
    client("s3").delete_object(Bucket=config.bucket_name(), Key=replicates.key("talos", 2))
    objectstore.get("talos", int(second.objectstore_id)).delete()

    done, failures = compute_group(group, [(first, None), (second, None)])

    assert list(failures) == [1] and isinstance(failures[1], LookupError)
    assert done is not None and done.written == 1
    assert set(_metrics_by_revision()) == {first.revision}
