"""KernelCI ``GET /job/distinct/kernel``: the value index vs. reading the whole collection, at two sizes.

The baseline is what a distinct without its index would cost: every job of
the collection read (``GET /job`` without a limit, one paged Query on
``by_collection``) in the same run, on the same table. Runs in-process on
moto through the Chalice test client, so absolute numbers say little about
AWS; the ratio and the DynamoDB calls say how each grows with the table.
Also prints what a document write pays for keeping its values listed.

    .venv/bin/python -m benchmarks.kernelci_distinct [--sizes 200 1000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.update(SHIPYARD_PREFIX="shipyard-bench", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                  AWS_DEFAULT_REGION="us-east-1", AWS_XRAY_SDK_ENABLED="false")
os.environ.pop("AWS_ENDPOINT_URL", None)

from moto import mock_aws  # noqa: E402

from benchmarks.aws_calls import calls_of, median_ms  # noqa: E402
from chalicelib.auth import kernelci_token  # noqa: E402
from chalicelib.kernelci import keys  # noqa: E402
from chalicelib.kernelci.documents import job_id, now_ms  # noqa: E402
from chalicelib.local import resources  # noqa: E402
from chalicelib.store import clients, queues  # noqa: E402
from chalicelib.store import kernelci as store  # noqa: E402

KERNELS = 50  # distinct kernels, whatever the number of jobs


def _jobs(start: int, count: int) -> list[tuple[str, dict]]:
    docs = []
    for i in range(start, start + count):
        kernel, branch = f"v5.{i % KERNELS}", f"branch-{i}"
        docs.append((keys.JOB, {"_id": job_id("mainline", branch, kernel), "job": "mainline", "git_branch": branch,
                                "kernel": kernel, "status": "PASS", "created_on": now_ms()}))
    return docs


def _timed(action, repeat: int) -> float:
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        durations.append(time.perf_counter() - started)
    return median_ms(durations)


def bench(sizes: list[int], repeat: int) -> None:
    from chalice.test import Client

    from app import app

    clients.reset()
    queues.reset()
    with mock_aws(), Client(app, stage_name="bench") as client:
        resources.deploy()
        token, _ = kernelci_token.create({"email": "bench@example.com", "admin": True})
        headers = {"Authorization": token}

        def distinct():
            response = client.http.get("/job/distinct/kernel", headers=headers)
            assert response.status_code == 200

        def whole():
            response = client.http.get("/job", headers=headers)
            assert response.status_code == 200

        stored = 0
        print(f"GET /job/distinct/kernel ({KERNELS} distinct kernels) vs. reading every job, on moto (in-process)")
        for size in sizes:
            docs = _jobs(stored, size - stored)
            for start in range(0, len(docs), 25):
                store.insert(docs[start:start + 25])
            stored = size
            base, indexed = _timed(whole, repeat), _timed(distinct, repeat)
            base_calls = calls_of(whole, "dynamodb")
            indexed_calls = calls_of(distinct, "dynamodb")
            print(f"{size:6d} jobs  baseline GET /job  median {base:8.2f} ms  DynamoDB calls {len(base_calls)}   "
                  f"distinct  median {indexed:7.2f} ms  ratio {indexed / base:5.3f}x  "
                  f"DynamoDB calls {len(indexed_calls)}: {', '.join(indexed_calls)}")
        new = _jobs(10**6, 1)
        write_calls = calls_of(lambda: store.insert(new), "dynamodb")
        print(f"a new job: {len(write_calls)} call(s) ({', '.join(write_calls)}): the document, its counters and "
              f"its {len(keys.DISTINCT_FIELDS[keys.JOB])} listed fields' values in one transaction")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    bench(sorted(args.sizes), args.repeat)


if __name__ == "__main__":
    main()
