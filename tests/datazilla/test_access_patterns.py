"""Request paths Query or GetItem on keys made for them: no Scan, and a call
count that does not grow with the table."""

from __future__ import annotations

import copy
import json

from chalicelib import config
from chalicelib.store import projects

PROCESSING = config.queue_name(config.PROCESSING_QUEUE)


def _dynamodb(calls):
    return [op for service, op in calls if service == "dynamodb"]


def _load_other_revisions(upload, pump, blob, count):
    for i in range(count):
        other = copy.deepcopy(blob)
        other["test_build"]["revision"] = f"{i:012x}"
        upload(json.dumps(other))
        upload("{broken")
    pump.drain(PROCESSING, max_batches=100)


def _measure(app_client, aws_calls, path):
    projects.forget_cached()  # the project lookup is cached a minute: every read counted from the same start
    aws_calls.clear()
    response = app_client.http.get(path)
    assert response.status_code == 200
    return _dynamodb(aws_calls)


READS = [
    "/talos/testdata/raw/Mozilla-Inbound/8a3d4b6e7c21/",
    "/talos/refdata/objectstore/json_blob/1",
    "/talos/refdata/objectstore/error_list?days_ago=1",
    "/talos/refdata/objectstore/error_count?days_ago=1",
    "/talos/refdata/objectstore/db_size",
]


def test_reads_never_scan_and_cost_the_same_at_two_table_sizes(uncached_projects, app_client, loaded, upload, pump,
                                                                 aws_calls):
    small = {path: _measure(app_client, aws_calls, path) for path in READS}
    _load_other_revisions(upload, pump, loaded, 15)
    large = {path: _measure(app_client, aws_calls, path) for path in READS}
    for path in READS:
        assert "Scan" not in large[path], path
        if "error_" not in path:  # error reads return more rows; their query count is still one
            assert small[path] == large[path], path
        else:
            assert large[path].count("Query") == 1, path


def test_an_upload_makes_a_fixed_number_of_calls(upload, aws_calls, talos_blob):
    upload(json.dumps(talos_blob))
    first = list(aws_calls)
    aws_calls.clear()
    upload(json.dumps(talos_blob))
    assert "Scan" not in [op for _, op in aws_calls]
    assert len(aws_calls) <= len(first)
    # a warm container: the project's credentials and an id block are at hand, so the request path is the
    # nonce and the blob: the bucket's notification queues it, and the worker makes its row (benchmarks/ingest.py)
    assert sorted(op for _, op in aws_calls) == ["PutItem", "PutObject"]
