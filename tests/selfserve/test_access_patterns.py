"""Every self-serve route is Queries, GetItems and batch reads on keys made for it: no Scan, and the same
number of DynamoDB calls whatever else the tables hold (listings read a bounded window of a branch's jobs)."""

from __future__ import annotations

import time

from chalicelib.services.treeherder import job_ingest
from chalicelib.store import branches
from tests.support.selfserve_data import BRANCH, call, seed
from tests.support.table_growth import grow
from tests.support.treeherder_data import job_message, seed_pushes, tip

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


def test_no_route_scans_and_none_reads_more_as_the_tables_grow(fast_moto, app_client, aws_calls, balrog_user):
    jobs = seed(int(time.time()))
    alice = balrog_user("alice")
    small = _measure(app_client, aws_calls, jobs, alice)

    _grow(jobs)
    for _ in range(5):
        call(app_client, "POST", f"/self-serve/{BRANCH}/rev/{jobs.revision}", {}, alice)
    large = _measure(app_client, aws_calls, jobs, alice)

    assert not any("Scan" in ops for ops in small.values())
    assert small == large


def test_no_route_reads_more_at_50k_items(fast_moto, app_client, aws_calls, balrog_user):
    """Given the self-serve and job tables grown to 50,000 items each (copies in other partitions, written
    straight into moto), every route makes the calls it made on the small tables, and none is a Scan."""
    jobs = seed(int(time.time()))
    alice = balrog_user("alice")
    small = _measure(app_client, aws_calls, jobs, alice)
    grow(["selfserve", "treeherder"], 50_000)
    huge = _measure(app_client, aws_calls, jobs, alice)
    assert not any("Scan" in ops for ops in huge.values())
    assert small == huge


def _history(jobs, count: int, day: str, who: str, first_id: int) -> None:
    """``count`` pending jobs of ``who`` submitted on ``day``, each of its own builder, written as the job
    store writes them (its keys and index attributes), in batches: a long history made cheaply."""
    import datetime as dt

    from chalicelib.store import jobs as job_store
    from chalicelib.store.jobs import JobItem

    submitted = int(dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC).timestamp()) + 3600
    with JobItem.batch_write() as batch:
        for n in range(count):
            job_id = first_id + n
            fields = {"job_guid": f"hist-{job_id}", "state": "pending", "result": "unknown", "who": who,
                      "job_type_name": f"builder {job_id}", "revision": jobs.revision,
                      "submit_timestamp": submitted, "start_timestamp": 0, "end_timestamp": 0}
            batch.save(JobItem(f"job#hist-{job_id}", job_store.JOB, job_id=job_id,
                               push_key=job_store.push_key(BRANCH, 1), push_sort=f"job#{job_id:012d}",
                               job_repository=BRANCH, push_id=1, last_modified=0, state_rank=0,
                               day_key=job_store.day_key(BRANCH, day), who_key=job_store.who_key(BRANCH, who),
                               data=fields))
            batch.save(JobItem(job_store.BUILDERS + BRANCH, f"builder {job_id}"))


def test_day_user_and_builder_listings_are_complete_past_any_window(fast_moto, app_client, aws_calls):
    """Given 1,200 jobs of bob on one day (more than any listing window) and 1,200 of carol on the day
    before, the day, the user and the builder listings answer every one of them."""
    jobs = seed(int(time.time()))
    _history(jobs, 1200, "2020-01-02", "bob", first_id=100_000)
    _history(jobs, 1200, "2020-01-01", "carol", first_id=200_000)

    _, day = call(app_client, "GET", f"/self-serve/{BRANCH}/pending?date=2020-01-02")
    _, bob = call(app_client, "GET", f"/self-serve/{BRANCH}/user/bob")
    _, builders = call(app_client, "GET", f"/self-serve/{BRANCH}/builders")

    assert len(day) == 1200 and {r["request_id"] for r in day} == set(range(100_000, 101_200))
    assert len(bob) == 1200
    assert len(builders) == 2400 + 4  # the history's builders and the seed's four
