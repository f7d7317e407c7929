"""Treeherder jobs, their details and log references, and jobs waiting for their push.

All in the ``treeherder`` table (generic ``pk``/``sk``), one item each:

- job: ``job#<guid>`` / ``job`` — found by guid with one GetItem; by id on
  ``by_job_id`` (``job_id``, ``sk``); by push on ``by_push`` (``push_key`` =
  ``<branch>#<pushlog id>``, ``push_sort`` = ``job#<id>``); by repository, newest
  first, on ``by_repository``, by change time on ``by_modified``, by the UTC day
  it was submitted on ``by_day`` (``day_key`` = ``<branch>#<YYYY-MM-DD>``) and by
  requester on ``by_requester`` (``who_key`` = ``<branch>#<who>``): self-serve's
  day, user and builder views read exactly the jobs they show, whatever the
  branch's history;
- builder: ``builders#<branch>`` / ``<job type name>`` — the branch's builder
  registry, written when a job of a new builder is first stored;
- detail: ``job#<guid>`` / ``detail#<n>``, also on ``by_job_id`` and on
  ``by_push`` (``push_sort`` = ``detail#<job id>#<n>``);
- log reference: ``job#<guid>`` / ``log#<n>``, on ``by_job_id``; its id is
  ``job id * 100 + n`` (a message carries at most 100);
- waiting job: ``wait#<branch>#<revision[:12]>`` / ``<guid>#<state rank>`` —
  a validated message whose push is not synced yet; one per state, so a job
  that went pending and completed before its push arrived lands completed.

A job's id comes from an atomic counter when it is first stored (a
conditional put on its guid, so two deliveries create one job). Later
messages update it under the condition that their state rank is not below
the stored one: states never move backwards, whatever the arrival order.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.store import counters
from chalicelib.store.base import table_meta
from chalicelib.store.errors import write_unless_refused
from chalicelib.treeherder.jobs import StoredJob

JOB_ID_COUNTER = "treeherder_job_id"
JOB = "job"
LOGS_PER_JOB = 100


class ByJobId(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_job_id"
        projection = AllProjection()

    job_id = NumberAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class ByPush(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_push"
        projection = AllProjection()

    push_key = UnicodeAttribute(hash_key=True)
    push_sort = UnicodeAttribute(range_key=True)


class ByRepository(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_repository"
        projection = AllProjection()

    job_repository = UnicodeAttribute(hash_key=True)
    job_id = NumberAttribute(range_key=True)


class ByModified(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_modified"
        projection = AllProjection()

    job_repository = UnicodeAttribute(hash_key=True)
    last_modified = NumberAttribute(range_key=True)


class ByDay(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_day"
        projection = AllProjection()

    day_key = UnicodeAttribute(hash_key=True)
    job_id = NumberAttribute(range_key=True)


class ByRequester(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_requester"
        projection = AllProjection()

    who_key = UnicodeAttribute(hash_key=True)
    job_id = NumberAttribute(range_key=True)


class JobItem(Model):
    Meta = table_meta("treeherder")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    job_id = NumberAttribute(null=True)
    push_key = UnicodeAttribute(null=True)
    push_sort = UnicodeAttribute(null=True)
    job_repository = UnicodeAttribute(null=True)  # job items only: the branch
    push_id = NumberAttribute(null=True)  # Shipyard's push id (pushlog id)
    last_modified = NumberAttribute(null=True)  # milliseconds
    day_key = UnicodeAttribute(null=True)  # job items: <branch>#<UTC day submitted>
    who_key = UnicodeAttribute(null=True)  # job items with a requester: <branch>#<who>
    state_rank = NumberAttribute(null=True)
    detail_count = NumberAttribute(null=True)
    log_count = NumberAttribute(null=True)
    data = JSONAttribute(null=True)

    by_job_id = ByJobId()
    by_push = ByPush()
    by_repository = ByRepository()
    by_modified = ByModified()
    by_day = ByDay()
    by_requester = ByRequester()


@dataclass(frozen=True)
class WaitingJob:
    branch: str
    revision: str
    job_guid: str
    rank: int
    message: dict[str, Any]


BUILDERS = "builders#"


def day_key(branch: str, day: str) -> str:
    return f"{branch}#{day}"


def who_key(branch: str, who: str) -> str:
    return f"{branch}#{who}"


def _day_of(fields: dict[str, Any]) -> str | None:
    submitted = int(fields.get("submit_timestamp") or 0)
    if submitted <= 0:
        return None
    return dt.datetime.fromtimestamp(submitted, dt.UTC).date().isoformat()


def _index_keys(branch: str, fields: dict[str, Any]) -> tuple[str | None, str | None]:
    """The job's ``by_day`` and ``by_requester`` keys (None: not on that index)."""
    day, who = _day_of(fields), fields.get("who") or ""
    return (day_key(branch, day) if day else None), (who_key(branch, who) if who else None)


def _pk(guid: str) -> str:
    return f"job#{guid}"


def push_key(branch: str, pushlog_id: int) -> str:
    return f"{branch}#{pushlog_id:012d}"


def _job_sort(job_id: int) -> str:
    return f"job#{job_id:012d}"


def _job(rec: JobItem) -> StoredJob:
    return StoredJob(int(rec.job_id), rec.pk.removeprefix("job#"), rec.job_repository or "", int(rec.push_id),
                     int(rec.last_modified or 0), dict(rec.data or {}))


def _now_ms() -> int:
    return int(time.time() * 1000)


# --- reads ---------------------------------------------------------------------------------------


def by_guid(guid: str) -> StoredJob | None:
    rec = _get(guid)
    return None if rec is None else _job(rec)


def by_id(job_id: int) -> StoredJob | None:
    """One Query on ``by_job_id``."""
    for rec in JobItem.by_job_id.query(job_id, JobItem.sk == JOB, limit=1):
        return _job(rec)
    return None


def for_push(branch: str, pushlog_id: int, page_size: int = 1000) -> Iterator[StoredJob]:
    """A push's jobs by id, lazily (a Query on ``by_push``, paged)."""
    found = JobItem.by_push.query(push_key(branch, pushlog_id), JobItem.push_sort.startswith("job#"),
                                  page_size=page_size)
    return (_job(r) for r in found)


def in_repository(branch: str, page_size: int = 1000) -> Iterator[StoredJob]:
    """A repository's jobs, newest first, lazily (a Query on ``by_repository``, paged)."""
    found = JobItem.by_repository.query(branch, scan_index_forward=False, page_size=page_size)
    return (_job(r) for r in found)


def submitted_on(branch: str, day: str, page_size: int = 1000) -> Iterator[StoredJob]:
    """The branch's jobs submitted on the UTC day ``YYYY-MM-DD``, newest first (a paged Query on ``by_day``)."""
    found = JobItem.by_day.query(day_key(branch, day), scan_index_forward=False, page_size=page_size)
    return (_job(r) for r in found)


def requested_by(branch: str, who: str, page_size: int = 1000) -> Iterator[StoredJob]:
    """The branch's jobs whose ``who`` is ``who``, newest first (a paged Query on ``by_requester``)."""
    found = JobItem.by_requester.query(who_key(branch, who), scan_index_forward=False, page_size=page_size)
    return (_job(r) for r in found)


def builders(branch: str) -> list[str]:
    """The branch's builder names (job type names), sorted (a paged Query on the registry's partition)."""
    return [rec.sk for rec in JobItem.query(BUILDERS + branch, attributes_to_get=["pk", "sk"])]


def modified_after(branch: str, after_ms: int, page_size: int = 1000) -> Iterator[StoredJob]:
    """A repository's jobs changed after a time, oldest change first, lazily (``by_modified``)."""
    found = JobItem.by_modified.query(branch, JobItem.last_modified > after_ms, page_size=page_size)
    return (_job(r) for r in found)


def _children(job_id: int, prefix: str) -> Iterator[JobItem]:
    return JobItem.by_job_id.query(job_id, JobItem.sk.startswith(prefix))


def details_of_job(job_id: int) -> list[dict[str, Any]]:
    """The job's details (one Query on ``by_job_id``)."""
    return [_detail(r) for r in _children(job_id, "detail#")]


def details_of_guid(guid: str) -> list[dict[str, Any]]:
    """The job's details (one Query on the job's partition)."""
    return [_detail(r) for r in JobItem.query(_pk(guid), JobItem.sk.startswith("detail#"))]


def details_of_push(branch: str, pushlog_id: int) -> list[dict[str, Any]]:
    """Every detail of a push's jobs (one paged Query on ``by_push``)."""
    return [_detail(r) for r in JobItem.by_push.query(push_key(branch, pushlog_id),
                                                        JobItem.push_sort.startswith("detail#"))]


def logs_of_job(job_id: int) -> list[dict[str, Any]]:
    """The job's log references (one Query on ``by_job_id``)."""
    return [_log(r) for r in _children(job_id, "log#")]


def _detail(rec: JobItem) -> dict[str, Any]:
    data = dict(rec.data or {})
    return {"job_id": int(rec.job_id), "job_guid": rec.pk.removeprefix("job#"), "title": data.get("title"),
            "value": data.get("value"), "url": data.get("url"), "repository": data.get("repository")}


def _log(rec: JobItem) -> dict[str, Any]:
    data = dict(rec.data or {})
    index = int(rec.sk.removeprefix("log#"))
    return {"id": int(rec.job_id) * LOGS_PER_JOB + index, "job_id": int(rec.job_id), "name": data.get("name"),
            "url": data.get("url"), "parse_status": data.get("parse_status", "pending")}


# --- writes --------------------------------------------------------------------------------------


def _write_children(guid: str, job_id: int, branch: str, pushlog_id: int,
                    rows_by_kind: dict[str, tuple[list[dict[str, Any]] | None, int]]) -> None:
    """Replace a job's details and/or logs by the message's, in one batch (None: keep the stored ones).

    ``rows_by_kind``: kind ("detail" | "log") -> (the message's rows, how many are stored).
    """
    if all(rows is None for rows, _ in rows_by_kind.values()):
        return
    with JobItem.batch_write() as batch:
        for kind, (rows, stored_count) in rows_by_kind.items():
            if rows is None:
                continue
            for i, row in enumerate(rows):
                item = JobItem(_pk(guid), f"{kind}#{i:04d}", job_id=job_id, data={**row, "repository": branch})
                if kind == "detail":
                    item.push_key = push_key(branch, pushlog_id)
                    item.push_sort = f"detail#{job_id:012d}#{i:04d}"
                batch.save(item)
            for i in range(len(rows), stored_count):
                batch.delete(JobItem(_pk(guid), f"{kind}#{i:04d}"))


def upsert(branch: str, pushlog_id: int, rank: int, fields: dict[str, Any],
           details: list[dict[str, Any]] | None, logs: list[dict[str, Any]] | None) -> tuple[str, StoredJob | None]:
    """Store a job message; returns ("created" | "updated" | "stale", the job).

    "stale": the stored job is further on (a higher state) than the message,
    which changes nothing. A job stays on the push it was first stored on.
    """
    guid = fields["job_guid"]
    for _ in range(3):
        existing = _get(guid)
        now = _now_ms()
        if existing is None:
            job_id = counters.next_value(JOB_ID_COUNTER)
            by_day, by_who = _index_keys(branch, fields)
            item = JobItem(_pk(guid), JOB, job_id=job_id, push_key=push_key(branch, pushlog_id),
                           push_sort=_job_sort(job_id), job_repository=branch, push_id=pushlog_id,
                           last_modified=now, day_key=by_day, who_key=by_who, state_rank=rank,
                           detail_count=len(details or []), log_count=len(logs or []), data=fields)
            if not write_unless_refused(item.save, condition=JobItem.pk.does_not_exist()):
                continue  # created meanwhile by another delivery: update it instead
            _write_children(guid, job_id, branch, pushlog_id, {"detail": (details, 0), "log": (logs, 0)})
            _register_builder(branch, fields)
            return "created", _job(item)
        job_id = int(existing.job_id)
        stored_details, stored_logs = int(existing.detail_count or 0), int(existing.log_count or 0)
        stored_branch = existing.job_repository or branch
        actions = [JobItem.data.set(fields), JobItem.state_rank.set(rank), JobItem.last_modified.set(now)]
        by_day, by_who = _index_keys(stored_branch, fields)
        actions += [JobItem.day_key.set(by_day) if by_day else JobItem.day_key.remove(),
                    JobItem.who_key.set(by_who) if by_who else JobItem.who_key.remove()]
        if details is not None:
            actions.append(JobItem.detail_count.set(len(details)))
        if logs is not None:
            actions.append(JobItem.log_count.set(len(logs)))
        if not write_unless_refused(existing.update, actions=actions, condition=JobItem.state_rank <= rank):
            return "stale", by_guid(guid)
        stored_push = int(existing.push_id)
        _write_children(guid, job_id, stored_branch, stored_push,
                        {"detail": (details, stored_details), "log": (logs, stored_logs)})
        return "updated", _job(existing)
    raise RuntimeError(f"job {guid}: could not be created or updated")  # pragma: no cover - 3 lost races


def _register_builder(branch: str, fields: dict[str, Any]) -> None:
    """Add the job's builder to the branch's registry (idempotent: a put of the same key)."""
    name = fields.get("job_type_name") or ""
    if name:
        JobItem(BUILDERS + branch, name).save()


def _get(guid: str) -> JobItem | None:
    try:
        return JobItem.get(_pk(guid), JOB, consistent_read=True)
    except JobItem.DoesNotExist:
        return None


# --- jobs waiting for their push -----------------------------------------------------------------


def _wait_pk(branch: str, revision: str) -> str:
    return f"wait#{branch}#{revision[:12].lower()}"


def park(branch: str, revision: str, guid: str, rank: int, message: dict[str, Any]) -> None:
    """Keep a validated message until its push is synced (idempotent)."""
    data = {"revision": revision.lower(), "message": message}
    JobItem(_wait_pk(branch, revision), f"{guid}#{rank}", data=data).save()


def waiting_for(branch: str, tip: str) -> list[WaitingJob]:
    """Messages waiting for the push whose tip is ``tip``, lowest state first (one consistent Query)."""
    found = []
    for rec in JobItem.query(_wait_pk(branch, tip), consistent_read=True):
        data = dict(rec.data or {})
        revision = data.get("revision", "")
        if tip.lower().startswith(revision):
            guid, rank = rec.sk.rsplit("#", 1)
            found.append(WaitingJob(branch, revision, guid, int(rank), data["message"]))
    return sorted(found, key=lambda w: (w.rank, w.job_guid))


def unpark(waiting: Iterable[WaitingJob]) -> None:
    with JobItem.batch_write() as batch:
        for w in waiting:
            batch.delete(JobItem(_wait_pk(w.branch, w.revision), f"{w.job_guid}#{w.rank}"))
