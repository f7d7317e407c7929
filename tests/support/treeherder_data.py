"""Test data for the Treeherder face: job messages, pushes in bulk, Hawk-signed posts."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

from chalicelib.store import counters
from chalicelib.store.pushes import Changeset, ChangesetRecord, PushRecord, branch_user_key

BASE_DATE = 1_500_000_000
HAWK_ID, HAWK_SECRET = "treeherder-dev", "treeherder-dev-secret"


def node(branch: str, push_id: int, index: int = 0) -> str:
    return hashlib.sha1(f"{branch}-{push_id}-{index}".encode()).hexdigest()  # noqa: S324


def seed_pushes(branch: str, count: int, *, first: int = 1, date: int = BASE_DATE, step: int = 60,
                revisions: int = 2, user: str = "dev@example.com") -> list[PushRecord]:
    """``count`` pushes stored with batch writes (what the sync would store), oldest first."""
    last_id = counters.next_value("pushlog_id", count)
    records = []
    with PushRecord.batch_write() as push_batch, ChangesetRecord.batch_write() as cs_batch:
        for i in range(count):
            push_id, pushlog_id, when = first + i, last_id - count + 1 + i, date + i * step
            nodes = [node(branch, push_id, k) for k in range(revisions)]
            for n in nodes:
                cs_batch.save(ChangesetRecord(branch, n, push_id=push_id, pushlog_id=pushlog_id, date=when))
            rec = PushRecord(branch, push_id, pushlog_id=pushlog_id, date=when, user=user,
                             branch_user=branch_user_key(branch, user),
                             changesets=[Changeset(node=n, author=f"Dev <{user}>", desc=f"Bug {push_id} - change {k}")
                                         for k, n in enumerate(nodes)])
            push_batch.save(rec)
            records.append(rec)
    return records


def tip(rec: PushRecord) -> str:
    return rec.changesets[-1].node


JOB = {
    "project": "mozilla-inbound",
    "revision": None,
    "job": {
        "job_guid": "f3e3a9e6526881c39a3b2b6ff98510f213b3d4ed/0",
        "name": "Mochitest Browser Chrome",
        "job_symbol": "bc1",
        "group_name": "Mochitest",
        "group_symbol": "M",
        "desc": "browser-chrome chunk 1",
        "state": "completed",
        "result": "success",
        "build_system_type": "buildbot",
        "product_name": "firefox",
        "machine": "tst-linux64-ec2-001",
        "build_platform": {"os_name": "linux", "platform": "linux64", "architecture": "x86_64"},
        "machine_platform": {"os_name": "linux", "platform": "linux64", "architecture": "x86_64"},
        "option_collection": {"opt": True},
        "submit_timestamp": BASE_DATE + 100,
        "start_timestamp": BASE_DATE + 200,
        "end_timestamp": BASE_DATE + 900,
        "reason": "scheduler",
        "who": "sendchange-unittest",
        "tier": 1,
        "log_references": [{"name": "buildbot_text", "url": "https://logs.example.com/bc1.txt.gz",
                            "parse_status": "pending"}],
        "job_details": [{"title": "artifact uploaded", "value": "bc1.log", "url": "https://logs.example.com/bc1.log"},
                        {"title": "CPU usage", "value": "87%"}],
    },
}


def job_message(revision: str, guid: str | None = None, project: str = "mozilla-inbound", **job: Any) -> dict:
    message = copy.deepcopy(JOB)
    message["project"], message["revision"] = project, revision
    if guid is not None:
        message["job"]["job_guid"] = guid
    if job.get("state") in ("pending", "running"):
        message["job"].pop("result", None)
        message["job"].pop("end_timestamp", None)
    message["job"].update(job)
    return message


def hawk_post(http: Any, base_url: str, path: str, body: Any, *, client_id: str = HAWK_ID,
              secret: str = HAWK_SECRET, nonce: str | None = None, timestamp: int | None = None,
              raw: bytes | None = None) -> Any:
    """POST JSON signed with Hawk (mohawk's Sender) through ``http`` (requests or the Chalice client)."""
    import mohawk

    content = raw if raw is not None else json.dumps(body).encode()
    extra = {}
    if nonce is not None:
        extra["nonce"] = nonce
    if timestamp is not None:
        extra["_timestamp"] = timestamp
    sender = mohawk.Sender({"id": client_id, "key": secret, "algorithm": "sha256"}, base_url + path, "POST",
                           content=content, content_type="application/json", **extra)
    headers = {"Authorization": sender.request_header, "Content-Type": "application/json"}
    return http.post(base_url + path, data=content, headers=headers)
