"""Datazilla's read endpoints at 1,000 and at 10,000 stored runs: the same DynamoDB calls, never a Scan.

The history is written straight into moto's tables (the items the loader and the
metrics job would write, serialised by their own models), so the test pays for
the items and not for 10,000 uploads: other revisions, older dates, other pushes,
and earlier runs of the very series the reads look at. moto runs with the local
stack's fast paths (``fast_moto``), which answer as moto does at a cost that
does not grow with the table.

10,000 runs put every table the reads touch, and the series' own partition,
past DynamoDB's 1 MB page (the test checks it): a read that walked a partition,
an index or the table would page more at 10,000 than at 1,000, as it would at
50,000. ``SHIPYARD_SCALE_RUNS=50000`` runs the larger history.
"""

from __future__ import annotations

import os
import time

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from chalicelib import config
from chalicelib.store import metrics as metrics_store
from chalicelib.store.metrics import MetricsRecord
from chalicelib.store.objectstore import ObjectstoreRow, revision_key
from chalicelib.store.test_runs import TestRunRecord
from tests.support.datazilla_data import talos_run
from tests.support.pushlog_data import make_push

PROCESSING = config.queue_name(config.PROCESSING_QUEUE)
METRICS = config.queue_name(config.METRICS_QUEUE)
PAGES = {"a.com": 100.0, "b.com": 200.0}
DAY = 86400
GROWN_RUNS = int(os.environ.get("SHIPYARD_SCALE_RUNS", "10000"))
PAGE_BYTES = 1024 * 1024  # what one Query or Scan call returns at most


@pytest.fixture
def known(inbound, upload, pump, talos_blob):
    """Two runs of one series on two synced pushes, loaded and computed; returns the second's revision."""
    from chalicelib.store import pushes

    nodes = []
    for push_id in (1, 2):
        push = make_push(push_id, int(time.time()) - 3600 + push_id * 60)
        pushes.store("Mozilla-Inbound", push_id, push["date"], push["user"], push["changesets"])
        nodes.append(push["changesets"][-1]["node"])
    for i, node in enumerate(nodes):
        assert upload(talos_run(talos_blob, node, PAGES, seed=i, date=int(time.time()) - 600 + i)).status_code == 200
        pump.drain(PROCESSING)
        pump.drain(METRICS)
    return nodes[1][:12]


def _moto_table(table: str):
    return dynamodb_backends[DEFAULT_ACCOUNT_ID][config.region()].get_table(config.table_name(table))


def _stored_bytes(table: str, partition: str | None = None) -> int:
    """What moto holds in ``table`` (or in one of its partitions), by DynamoDB's item size."""
    target = _moto_table(table)
    return sum(item.size() for item in target.all_items()
               if partition is None or item.hash_key.value == partition)


def _put_all(table: str, records: list) -> None:
    """Items as their models serialise them, into moto's table directly (no request per item)."""
    target = _moto_table(table)
    for record in records:
        target.put_item(record.serialize())


def _grow_to(runs: int, first_id: int, group_key: str) -> None:
    """Stored runs up to ``runs``: each an objectstore row, a run item and a metrics item, all older."""
    old = int(time.time()) - 90 * DAY
    rows, items, metrics = [], [], []
    for n in range(first_id, runs + 1):
        revision = f"{n:012x}"
        date = old - n
        error = n % 10 == 0  # every tenth blob failed, long ago
        row = ObjectstoreRow("talos", n, date_loaded=date, s3_key=f"objectstore/talos/{n:012d}.json", size=2000,
                             processed_flag="complete", branch="Mozilla-Inbound", revision=revision,
                             test_name="Talos tp5n", branch_key="talos#Mozilla-Inbound",
                             revision_key=revision_key(revision, n))
        if error:
            row.error_flag, row.error_msg, row.error_project = "Y", "Malformed JSON: old", "talos"
        rows.append(row)
        items.append(TestRunRecord(
            "talos", n, objectstore_id=n, date_run=date, test_name="Talos tp5n", test_version=1,
            product="Firefox", branch="Mozilla-Inbound", branch_version="17.0a1", os_name="linux",
            os_version="Fedora 12", machine="talos-r3-fed-001", build_id="20120730", revision=revision,
            processor="x86_64", build_type="opt", page_names=sorted(PAGES), branch_key="talos#Mozilla-Inbound",
            revision_key=f"{revision}#{n:012d}", canonical_branch="Mozilla-Inbound",
            push_branch_key="talos#Mozilla-Inbound", push_id=100_000 + n, pushlog_id=100_000 + n, push_date=date))
        # earlier runs of the same series: order keys before the known pushes' (push id 0)
        metrics.append(metrics_store.record(group_key, metrics_store.order_key(0, date, n), project="talos",
                                            test_run_id=n, revision=revision, push_id=0, pushlog_id=0,
                                            push_date=date, after={},
                                            results={p: {"n": 24, "mean": v, "stddev": 2.0} for p, v in PAGES.items()}))
    _put_all("objectstore", rows)
    _put_all("test-runs", items)
    _put_all("metrics", metrics)


def _reads(revision: str) -> list[str]:
    return [
        "/talos/refdata/objectstore/json_blob/2",
        "/talos/refdata/objectstore/error_count?days_ago=1",
        "/talos/refdata/objectstore/error_list?days_ago=1",
        "/talos/refdata/objectstore/db_size",
        "/talos/refdata/perftest/runs_by_branch?days_ago=1&show_test_runs=true",
        "/talos/refdata/perftest/runs_by_branch?days_ago=1",
        "/talos/refdata/perftest/ref_data/machines",
        "/talos/refdata/perftest/db_size",
        f"/talos/testdata/raw/Mozilla-Inbound/{revision}/",
        f"/talos/testdata/metrics/Mozilla-Inbound/{revision}/",
        f"/talos/testdata/metrics/Mozilla-Inbound/{revision}/summary",
        f"/talos/testdata/metrics/Mozilla-Inbound/{revision}/pushlog?test_name=Talos%20tp5n&page_name=a.com",
        "/refdata/pushlog/list?days_ago=1",
        "/refdata/pushlog/branches",
        "/talos/refdata/pushlog/not_referenced?days_ago=1",
    ]


def _dynamodb_calls(app_client, aws_calls, paths: list[str]) -> dict[str, list[str]]:
    from chalicelib.store import projects

    found = {}
    for path in paths:
        projects.forget_cached()  # the project lookup is cached a minute: count every read from the same start
        aws_calls.clear()
        response = app_client.http.get(path)
        assert response.status_code == 200, (path, response.body[:300])
        found[path] = [op for service, op in aws_calls if service == "dynamodb"]
    return found


def test_given_1k_then_10k_stored_runs_when_every_read_is_made_then_its_dynamodb_calls_are_the_same(
        fast_moto, uncached_projects, app_client, known, aws_calls):
    # given the known series, and 1,000 stored runs in all
    group_key = next(iter(MetricsRecord.query(
        next(r.group_key for r in MetricsRecord.scan(limit=1)))), None).group_key  # tests only: find the group
    _grow_to(1_000, 3, group_key)
    paths = _reads(known)
    at_1k = _dynamodb_calls(app_client, aws_calls, paths)
    # when the history grows to 10,000 runs (SHIPYARD_SCALE_RUNS), each table and the series past one page
    _grow_to(GROWN_RUNS, 1_001, group_key)
    assert min(_stored_bytes(t) for t in ("objectstore", "test-runs", "metrics")) > PAGE_BYTES
    assert _stored_bytes("metrics", group_key) > PAGE_BYTES
    at_scale = _dynamodb_calls(app_client, aws_calls, paths)
    # then no read scans, and each makes the same calls as before
    for path in paths:
        assert "Scan" not in at_scale[path], path
        assert at_scale[path] == at_1k[path], (path, at_1k[path], at_scale[path])
