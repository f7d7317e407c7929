"""Self-serve job request submission vs. the bare writes it needs (one PutItem and one SendMessage).

Runs in-process on moto through Chalice's test client, so absolute numbers say
little about AWS; the ratio says what the route costs on top of the two writes
it cannot avoid: the bearer token lookup, the branch, the counter, marking the
request queued, negotiation and rendering. Also prints the AWS calls of one
submission and of a branch's summary.

    .venv/bin/python -m benchmarks.selfserve [--count 200]
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.update(SHIPYARD_PREFIX="shipyard-bench", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                  AWS_DEFAULT_REGION="us-east-1", AWS_XRAY_SDK_ENABLED="false")
os.environ.pop("AWS_ENDPOINT_URL", None)

from chalice.test import Client  # noqa: E402
from moto import mock_aws  # noqa: E402

from benchmarks.aws_calls import calls_of, median_ms  # noqa: E402
from chalicelib import config  # noqa: E402
from chalicelib.auth import bearer  # noqa: E402
from chalicelib.local import resources  # noqa: E402
from chalicelib.store import queues  # noqa: E402
from chalicelib.store.clients import client  # noqa: E402
from tests.support.selfserve_data import BRANCH, seed  # noqa: E402


def bench(count: int) -> None:
    from app import app

    with mock_aws(), Client(app, stage_name="bench") as http:
        resources.deploy()
        jobs = seed(int(time.time()))
        headers = {"Authorization": f"Bearer {bearer.create_token('alice')}", "Accept": "application/json",
                   "Content-Type": "application/x-www-form-urlencoded"}
        path = f"/self-serve/{BRANCH}/rev/{jobs.revision}"
        ddb, sqs = client("dynamodb"), client("sqs")
        url = queues.queue_url(config.SELFSERVE_BUILD_REQUESTS_QUEUE)
        body = json.dumps({"action": "new_build_at_revision", "what": {"revision": jobs.revision, "priority": 0}})
        baseline, submitted = [], []
        for i in range(count):
            started = time.perf_counter()
            ddb.put_item(TableName=config.table_name("selfserve"),
                         Item={"pk": {"S": "bench"}, "sk": {"S": f"{i:012d}"}, "what": {"S": body}})
            sqs.send_message(QueueUrl=url, MessageBody=body)
            baseline.append(time.perf_counter() - started)
        for _ in range(count):
            started = time.perf_counter()
            response = http.http.post(path, headers=headers, body=b"priority=1")
            submitted.append(time.perf_counter() - started)
            assert response.status_code == 202, response.body
        submit_calls = calls_of(lambda: http.http.post(path, headers=headers, body=b"priority=1"))
        summary_calls = calls_of(lambda: http.http.get(f"/self-serve/{BRANCH}", headers=headers))
    base, route = median_ms(baseline), median_ms(submitted)
    print(f"job request submission, {count} each (median):")
    print(f"  bare PutItem + SendMessage   {base:7.2f} ms")
    print(f"  POST /self-serve/.../rev     {route:7.2f} ms   ratio {route / base:.2f}")
    print(f"  AWS calls of one submission: {', '.join(submit_calls)}")
    print(f"  AWS calls of a branch summary: {', '.join(summary_calls)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    bench(parser.parse_args().count)


if __name__ == "__main__":
    main()
