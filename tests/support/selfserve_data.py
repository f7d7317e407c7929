"""Test data for BuildAPI self-serve: a branch with pushes and jobs ingested through the job ingest, callers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from chalicelib import config
from chalicelib.services.treeherder import job_ingest
from chalicelib.store import branches
from chalicelib.store import jobs as job_store
from chalicelib.store.clients import client
from tests.support.treeherder_data import job_message, seed_pushes, tip

BRANCH = "Mozilla-Inbound"
REPOSITORY = "mozilla-inbound"
PUSHER = "dev@example.com"


@dataclass
class Jobs:
    revision: str  # the tip of the push the jobs are on
    other_revision: str  # the tip of a push without jobs
    finished: int  # completed, success
    failed: int  # completed, testfailed
    running: int
    pending: int


def seed(now: int) -> Jobs:
    """Branch Mozilla-Inbound with two pushes; on the first, jobs of alice in each state (times near ``now``)."""
    branches.put(BRANCH, "integration/mozilla-inbound")
    pushes = seed_pushes(BRANCH, 2, date=now - 7200, user=PUSHER)
    revision = tip(pushes[0])
    times = {"submit_timestamp": now - 3600, "start_timestamp": now - 3000, "end_timestamp": now - 1200}

    def ingest(guid: str, **job: Any) -> int:
        job_ingest.ingest(job_message(revision, guid=guid, who="alice", **{**times, **job}))
        found = job_store.by_guid(guid)
        assert found is not None
        return found.id

    return Jobs(
        revision=revision,
        other_revision=tip(pushes[1]),
        finished=ingest("done-1", job_symbol="b1", name="Linux x86-64 build", state="completed", result="success"),
        failed=ingest("fail-1", job_symbol="t1", name="Linux x86-64 test", state="completed", result="testfailed"),
        running=ingest("run-1", job_symbol="t2", name="Linux x86-64 test-2", state="running", result="unknown",
                       end_timestamp=0),
        pending=ingest("pend-1", job_symbol="t3", name="Linux x86-64 test-3", state="pending", result="unknown",
                       start_timestamp=0, end_timestamp=0),
    )


def call(app_client: Any, method: str, path: str, form: dict[str, Any] | None = None,
         headers: dict[str, str] | None = None, fmt: str | None = "json") -> tuple[int, Any]:
    """Call a self-serve route (form-encoded body when ``form``); returns (status, JSON body or HTML text)."""
    sent = dict(headers or {})
    sent.pop("Content-Type", None)
    body = b""
    if form is not None:
        sent["Content-Type"] = "application/x-www-form-urlencoded"
        body = urlencode(form).encode()
    if fmt is not None:
        path += ("&" if "?" in path else "?") + f"format={fmt}"
    response = app_client.http.request(method, path, headers=sent, body=body)
    text = response.body.decode()
    if response.headers.get("Content-Type", "").startswith("application/json"):
        return response.status_code, json.loads(text)
    return response.status_code, text


def queued(logical: str = config.SELFSERVE_BUILD_REQUESTS_QUEUE) -> list[dict[str, Any]]:
    """The messages waiting on a queue (received and made visible again)."""
    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName=config.queue_name(logical))["QueueUrl"]
    found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
    return [json.loads(m["Body"]) for m in found]
