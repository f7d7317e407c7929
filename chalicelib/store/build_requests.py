"""BuildAPI self-serve job requests, and what self-serve knows of a build request beyond its Treeherder job.

All in the ``selfserve`` table (generic ``pk``/``sk``):

- job request: ``jobreq`` / ``<id, 12 digits>`` — one partition, so one
  GetItem finds a request and one Query lists them newest first. Its id comes
  from an atomic counter. While the request is not confirmed on the
  build-requests queue it carries ``unsent`` (a sparse index, ``by_unsent``,
  on ``unsent`` / ``submitted_at``), which the sweeper reads to close requests
  that were recorded but never queued;
- request annotation: ``req#<job guid>`` / ``request`` — the priority,
  properties and files a build request was made with and the job request that
  made it. The build request itself is the Treeherder job (``store.jobs``):
  there is no second record of builds.

A job request is completed once (``completed_at``), by the CI's result; a
request Shipyard closed itself as never queued (``closed_by = "shipyard"``)
may still be completed by a late result: what the CI did wins.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Iterable

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.store import counters
from chalicelib.store.base import table_meta
from chalicelib.store.errors import write_unless_refused

JOB_REQUEST_COUNTER = "selfserve_job_request"
JOB_REQUESTS = "jobreq"
UNSENT = "unsent"
ANNOTATION = "request"
CLOSED_BY_SHIPYARD = "shipyard"
CLOSED_BY_CI = "ci"
BATCH_GET_LIMIT = 100


class ByUnsent(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_unsent"
        projection = AllProjection()

    unsent = UnicodeAttribute(hash_key=True)
    submitted_at = NumberAttribute(range_key=True)


class SelfserveItem(Model):
    Meta = table_meta("selfserve")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    # job requests
    request_id = NumberAttribute(null=True)
    action = UnicodeAttribute(null=True)
    who = UnicodeAttribute(null=True)
    branch = UnicodeAttribute(null=True)
    submitted_at = NumberAttribute(null=True)  # seconds
    what = JSONAttribute(null=True)
    unsent = UnicodeAttribute(null=True)
    completed_at = NumberAttribute(null=True)
    complete_data = JSONAttribute(null=True)
    closed_by = UnicodeAttribute(null=True)
    # request annotations
    priority = NumberAttribute(null=True)
    properties = JSONAttribute(null=True)
    files = JSONAttribute(null=True)
    job_request_id = NumberAttribute(null=True)

    by_unsent = ByUnsent()


@dataclass(frozen=True)
class JobRequest:
    request_id: int
    action: str
    who: str
    branch: str
    when: int
    what: dict[str, Any]
    completed_at: int | None
    complete_data: Any
    queued: bool  # confirmed sent on the build-requests queue

    def as_dict(self) -> dict[str, Any]:
        """BuildAPI's job request shape (``GET /self-serve/jobs/{id}``)."""
        return {"request_id": self.request_id, "action": self.action, "who": self.who, "when": self.when,
                "completed_at": self.completed_at, "complete_data": self.complete_data, "what": self.what}


@dataclass(frozen=True)
class Annotation:
    job_guid: str
    priority: int
    properties: dict[str, Any]
    files: list[Any]
    job_request_id: int | None


def _sort(request_id: int) -> str:
    return f"{request_id:012d}"


def _job_request(rec: SelfserveItem) -> JobRequest:
    return JobRequest(int(rec.request_id), rec.action or "", rec.who or "", rec.branch or "",
                      int(rec.submitted_at or 0), dict(rec.what or {}),
                      None if rec.completed_at is None else int(rec.completed_at), rec.complete_data,
                      rec.unsent is None)


# --- job requests ---------------------------------------------------------------------------------


def record(action: str, who: str, branch: str, what: dict[str, Any]) -> JobRequest:
    """A new job request, not yet queued (one UpdateItem on the counter, one PutItem)."""
    request_id = counters.next_value(JOB_REQUEST_COUNTER)
    item = SelfserveItem(JOB_REQUESTS, _sort(request_id), request_id=request_id, action=action, who=who,
                         branch=branch, submitted_at=int(time.time()), what=what, unsent=UNSENT)
    item.save(condition=SelfserveItem.pk.does_not_exist())
    return _job_request(item)


def mark_queued(request_id: int) -> None:
    """The request is on the queue: the sweeper leaves it alone."""
    SelfserveItem(JOB_REQUESTS, _sort(request_id)).update(actions=[SelfserveItem.unsent.remove()])


def mark_failed(request_id: int, reason: str) -> bool:
    """Close a request that was never queued; False if it was completed meanwhile."""
    return write_unless_refused(
        SelfserveItem(JOB_REQUESTS, _sort(request_id)).update,
        actions=[SelfserveItem.unsent.remove(), SelfserveItem.completed_at.set(int(time.time())),
                 SelfserveItem.complete_data.set({"status": "FAILED", "msg": reason}),
                 SelfserveItem.closed_by.set(CLOSED_BY_SHIPYARD)],
        condition=SelfserveItem.pk.exists() & SelfserveItem.completed_at.does_not_exist())


def complete(request_id: int, data: Any, completed_at: int) -> bool:
    """Complete a request with the CI's result; False when it is unknown or the CI already completed it."""
    return write_unless_refused(
        SelfserveItem(JOB_REQUESTS, _sort(request_id)).update,
        actions=[SelfserveItem.unsent.remove(), SelfserveItem.completed_at.set(completed_at),
                 SelfserveItem.complete_data.set(data), SelfserveItem.closed_by.set(CLOSED_BY_CI)],
        condition=SelfserveItem.pk.exists() & (SelfserveItem.completed_at.does_not_exist()
                                               | (SelfserveItem.closed_by == CLOSED_BY_SHIPYARD)))


def get(request_id: int) -> JobRequest | None:
    try:
        return _job_request(SelfserveItem.get(JOB_REQUESTS, _sort(request_id), consistent_read=True))
    except SelfserveItem.DoesNotExist:
        return None


def newest(num: int, offset: int) -> list[JobRequest]:
    """Job requests newest first, ``num`` after skipping ``offset`` (one Query of ``offset + num`` items)."""
    found = SelfserveItem.query(JOB_REQUESTS, scan_index_forward=False, limit=offset + num,
                                page_size=min(offset + num, 1000))
    return [_job_request(r) for r in found][offset:offset + num]


def unsent_before(submitted_before: int, limit: int = 100) -> list[JobRequest]:
    """Requests still not confirmed queued, submitted before a time, oldest first (one Query on ``by_unsent``)."""
    found = SelfserveItem.by_unsent.query(UNSENT, SelfserveItem.submitted_at < submitted_before, limit=limit)
    return [_job_request(r) for r in found]


# --- request annotations --------------------------------------------------------------------------


def annotate(job_guids: Iterable[str], priority: int, properties: dict[str, Any], files: list[Any],
             job_request_id: int) -> None:
    """Record what the build requests of these jobs were made with (one batch write)."""
    with SelfserveItem.batch_write() as batch:
        for guid in job_guids:
            batch.save(SelfserveItem(f"req#{guid}", ANNOTATION, priority=priority, properties=properties,
                                     files=files, job_request_id=job_request_id))


def set_priority(job_guid: str, priority: int) -> None:
    SelfserveItem(f"req#{job_guid}", ANNOTATION).update(actions=[SelfserveItem.priority.set(priority)])


def annotations(job_guids: Iterable[str]) -> dict[str, Annotation]:
    """Annotations by job guid (BatchGetItem, 100 keys a call); jobs without one are left out."""
    keys = list(dict.fromkeys(job_guids))
    found: dict[str, Annotation] = {}
    for start in range(0, len(keys), BATCH_GET_LIMIT):
        chunk = [(f"req#{g}", ANNOTATION) for g in keys[start:start + BATCH_GET_LIMIT]]
        for rec in SelfserveItem.batch_get(chunk):
            guid = rec.pk.removeprefix("req#")
            found[guid] = Annotation(guid, int(rec.priority or 0), dict(rec.properties or {}), list(rec.files or []),
                                     None if rec.job_request_id is None else int(rec.job_request_id))
    return found
