"""Treeherder job ingest: a job message landed on its push vs. the bare write it needs.

Runs in-process on moto, so absolute numbers say little about AWS; the ratio
says what validation (JSON schema), the push lookup, the reference ids and
the guid upsert with its details and logs cost on top of one PutItem of the
job. Also prints the DynamoDB calls one message makes, new and as an update.

    .venv/bin/python -m benchmarks.treeherder_jobs [--count 200]
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.update(SHIPYARD_PREFIX="shipyard-bench", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                  AWS_DEFAULT_REGION="us-east-1", AWS_XRAY_SDK_ENABLED="false")
os.environ.pop("AWS_ENDPOINT_URL", None)

from moto import mock_aws  # noqa: E402

from benchmarks.aws_calls import calls_of, median_ms  # noqa: E402
from chalicelib import config  # noqa: E402
from chalicelib.local import resources  # noqa: E402
from chalicelib.local.pump import Pump  # noqa: E402
from chalicelib.services.treeherder import job_ingest  # noqa: E402
from chalicelib.store import branches, queues  # noqa: E402
from chalicelib.store.clients import client  # noqa: E402
from tests.support.treeherder_data import job_message, seed_pushes, tip  # noqa: E402


def bench(count: int) -> None:
    with mock_aws():
        resources.deploy()
        branches.put("Mozilla-Inbound", "integration/mozilla-inbound")
        [push] = seed_pushes("Mozilla-Inbound", 1)
        revision = tip(push)
        ddb = client("dynamodb")
        item = json.dumps(job_message(revision))
        baseline = []
        for i in range(count):
            started = time.perf_counter()
            ddb.put_item(TableName=config.table_name("treeherder"),
                         Item={"pk": {"S": f"bench#{i}"}, "sk": {"S": "job"}, "data": {"S": item}})
            baseline.append(time.perf_counter() - started)
        created, updated = [], []
        for i in range(count):
            started = time.perf_counter()
            job_ingest.ingest(job_message(revision, guid=f"bench-{i}/0", state="running"))
            created.append(time.perf_counter() - started)
        for i in range(count):
            started = time.perf_counter()
            job_ingest.ingest(job_message(revision, guid=f"bench-{i}/0"))
            updated.append(time.perf_counter() - started)
        new_calls = calls_of(lambda: job_ingest.ingest(job_message(revision, guid="calls/0", state="running")),
                             "dynamodb")
        update_calls = calls_of(lambda: job_ingest.ingest(job_message(revision, guid="calls/0")), "dynamodb")

        from app import app

        for i in range(count):
            queues.send(config.TREEHERDER_JOBS_QUEUE, job_message(revision, guid=f"queued-{i}/0"))
        pump = Pump(app, schedules=False)
        started = time.perf_counter()
        drained = pump.drain(config.queue_name(config.TREEHERDER_JOBS_QUEUE), max_batches=count)
        queue_seconds = time.perf_counter() - started

    base = median_ms(baseline)
    print(f"{count} job messages on moto (in-process)")
    print(f"baseline  one PutItem of the job       median {base:6.2f} ms")
    print(f"ingest    new job (running)            median {median_ms(created):6.2f} ms   "
          f"ratio {median_ms(created) / base:5.2f}x   DynamoDB calls {len(new_calls)}: {', '.join(new_calls)}")
    print(f"ingest    update (completed, details)  median {median_ms(updated):6.2f} ms   "
          f"ratio {median_ms(updated) / base:5.2f}x   DynamoDB calls {len(update_calls)}: {', '.join(update_calls)}")
    print(f"queue     job worker via the pump      {drained.messages / queue_seconds:8.1f} messages/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    bench(parser.parse_args().count)


if __name__ == "__main__":
    main()
