"""Ingest throughput: a signed upload end to end vs. the storage writes it must make.

Runs in-process on moto, so absolute numbers say little about AWS; the ratio
says how much the request path (form parsing, OAuth verification, the nonce's
conditional put, the blob's put, and the id counter once a block) costs on
top of the bare S3 put + DynamoDB put that storing a blob needs at minimum.
Each upload is signed before its timing starts: signing is the client's work,
not the request path's.

The upload sends no queue message and writes no objectstore row: the bucket
notifies the processing queue, and the worker makes the row. On AWS that
notification is sent after ``PutObject`` has answered; moto sends it inside
``put_object`` (an SQS message built and stored in-process), so the upload's
time here includes it, and the ratio is the larger for it. The ``notify``
line measures that share on its own: a put under ``objectstore/`` against
the same put under a prefix the bucket does not notify, in pairs.

    .venv/bin/python -m benchmarks.ingest [--count 200]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from urllib.parse import quote

os.environ.update(SHIPYARD_PREFIX="shipyard-bench", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                  AWS_DEFAULT_REGION="us-east-1", AWS_XRAY_SDK_ENABLED="false")
os.environ.pop("AWS_ENDPOINT_URL", None)

from chalice.test import Client  # noqa: E402
from moto import mock_aws  # noqa: E402

from benchmarks.aws_calls import calls_of, median_ms  # noqa: E402
from chalicelib import config  # noqa: E402
from chalicelib.local import resources  # noqa: E402
from chalicelib.local.pump import Pump  # noqa: E402
from chalicelib.store import projects  # noqa: E402
from chalicelib.store.clients import client  # noqa: E402
from tests.support.oauth_signing import form_body, sign_form  # noqa: E402

BLOB = (Path(__file__).resolve().parents[1] / "tests" / "support" / "fixtures" / "talos_tp5n.json").read_text()


def signed_body(text: str) -> bytes | str:
    """A load_test form as a Talos client signs it (a fresh nonce each time)."""
    fields = sign_form("http://bench/talos/api/load_test", {"data": quote(text), "user": "talos"},
                       "talos-dev-key", "talos-dev-secret")
    return form_body(fields)


def post(http: Client, body: bytes | str):
    return http.http.post("/talos/api/load_test", body=body,
                          headers={"Content-Type": "application/x-www-form-urlencoded", "Host": "bench"})



def bench(count: int) -> None:
    with mock_aws():
        resources.deploy()
        projects.create("talos", "talos-dev-key", "talos-dev-secret")
        from app import app

        text = json.dumps(json.loads(BLOB))
        s3, ddb = client("s3"), client("dynamodb")

        def bare(i: int) -> None:
            s3.put_object(Bucket=config.bucket_name(), Key=f"bench/{i}.json", Body=text.encode())
            ddb.put_item(TableName=config.table_name("counters"), Item={"name": {"S": f"bench-{i}"}})

        def put(key: str) -> float:
            started = time.perf_counter()
            s3.put_object(Bucket=config.bucket_name(), Key=key, Body=text.encode())
            return time.perf_counter() - started

        baseline, uploads, notified, plain = [], [], [], []
        with Client(app, stage_name="bench") as http:
            def upload(body: bytes | str | None = None) -> None:
                response = post(http, signed_body(text) if body is None else body)
                assert response.status_code == 200, response.body

            bare(-1)
            upload()  # warm both paths (service models, queue url, credentials, an id block) before timing
            calls = calls_of(upload)
            # Pairs alternate, so a neighbour's load on the shared machine slows both sides of a pair alike.
            for i in range(count):
                started = time.perf_counter()
                bare(i)
                baseline.append(time.perf_counter() - started)
                body = signed_body(text)
                started = time.perf_counter()
                upload(body)
                uploads.append(time.perf_counter() - started)
        ratios = [u / b for b, u in zip(baseline, uploads, strict=True)]
        pump = Pump(app, schedules=False)
        started = time.perf_counter()
        drained = pump.drain(config.queue_name(config.PROCESSING_QUEUE), max_batches=count + 2)
        load_seconds = time.perf_counter() - started
        for i in range(count):  # after loading: these notifications stay queued, unprocessed
            plain.append(put(f"bench/plain/{i}.json"))
            notified.append(put(f"objectstore/bench/{i:012d}.json"))
    print(f"blob: {len(text)} bytes, {count} upload/baseline pairs")
    print(f"baseline  S3 put + DynamoDB put   median {median_ms(baseline):6.2f} ms")
    print(f"upload    signed load_test        median {median_ms(uploads):6.2f} ms   "
          f"{len(calls)} AWS calls: {', '.join(calls)}")
    print(f"ratio     upload / baseline       median of pairs {statistics.median(ratios):5.2f}x   (target <= 2x; "
          "moto's notification counted in the upload, see notify)")
    extra = statistics.median([n - p for n, p in zip(notified, plain, strict=True)]) * 1000
    print(f"notify    moto's S3->SQS notification inside put_object: +{extra:.2f} ms median of pairs "
          f"(put {median_ms(plain):.2f} ms un-notified, {median_ms(notified):.2f} ms notified)")
    print(f"loading   processing worker       {drained.messages / load_seconds:8.1f} messages/s "
          f"({drained.messages} messages in {drained.batches} batches: the bucket's notifications and "
          "its configuration's test event)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    bench(parser.parse_args().count)
