"""Every self-serve route is Queries, GetItems and batch reads on keys made for it: no Scan, and the same
number of DynamoDB calls whatever else the tables hold (listings read a bounded window of a branch's jobs)."""

from __future__ import annotations

import time

from chalicelib.store import branches
from chalicelib.treeherder import job_ingest
from tests.selfserve_data import BRANCH, call, seed
from tests.treeherder_data import job_message, seed_pushes, tip

READS = {
    "branches": "/self-serve/branches",
    "branch": f"/self-serve/{BRANCH}",
    "pending": f"/self-serve/{BRANCH}/pending",
    "builders": f"/self-serve/{BRANCH}/builders",
    "user": f"/self-serve/{BRANCH}/user/alice",
    "build": f"/self-serve/{BRANCH}/build/{{finished}}",
    "request": f"/self-serve/{BRANCH}/request/{{pending}}",
    "revision": f"/self-serve/{BRANCH}/rev/{{revision}}",
    "is_done": f"/self-serve/{BRANCH}/rev/{{revision}}/is_done",
    "job requests": "/self-serve/jobs?num=5",
    "job request": "/self-serve/jobs/1",
}


def _measure(app_client, aws_calls, jobs, alice) -> dict[str, list[str]]:
    measured = {}
    aws_calls.clear()
    status, _ = call(app_client, "POST", f"/self-serve/{BRANCH}/build", {"build_id": str(jobs.finished)}, alice)
    assert status == 202
    measured["rebuild"] = [op for service, op in aws_calls if service == "dynamodb"]
    for name, template in READS.items():
        aws_calls.clear()
        status, _ = call(app_client, "GET", template.format(**vars(jobs)))
        assert status == 200, name
        measured[name] = [op for service, op in aws_calls if service == "dynamodb"]
    return measured


def _grow(jobs) -> None:
    """More of everything: job requests, jobs on another push and on another branch (the counts must not move)."""
    now = int(time.time())
    branches.put("Try", "try")
    other = seed_pushes("Try", 3, date=now - 600)
    for i in range(8):
        job_ingest.ingest(job_message(tip(other[i % 3]), guid=f"try-{i}", project="try", state="completed",
                                      result="success", submit_timestamp=now - 500, start_timestamp=now - 400,
                                      end_timestamp=now - 300))
        job_ingest.ingest(job_message(jobs.other_revision, guid=f"more-{i}", state="completed", result="busted",
                                      submit_timestamp=now - 500, start_timestamp=now - 400, end_timestamp=now - 300))


def test_no_route_scans_and_none_reads_more_as_the_tables_grow(app_client, aws_calls, balrog_user):
    jobs = seed(int(time.time()))
    alice = balrog_user("alice")
    small = _measure(app_client, aws_calls, jobs, alice)

    _grow(jobs)
    for _ in range(5):
        call(app_client, "POST", f"/self-serve/{BRANCH}/rev/{jobs.revision}", {}, alice)
    large = _measure(app_client, aws_calls, jobs, alice)

    assert not any("Scan" in ops for ops in small.values())
    assert small == large
