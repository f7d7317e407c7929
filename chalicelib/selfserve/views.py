"""Builds and build requests as views of Treeherder jobs, in BuildAPI's shapes. Pure.

A job is a build request from the moment the CI reports it (pending); it is
also a build once a machine has claimed it (running, or completed after a
start). So ``request_id`` and ``build_id`` are both the job id, the
buildername is the job type name and the build's ``status`` is buildbot's
result code for the job's Treeherder result (None while it runs).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any, Protocol

# buildbot's result codes (buildbot.status.results)
NONE, SUCCESS, WARNINGS, FAILURE, SKIPPED, EXCEPTION, RETRY, CANCELLED = -1, 0, 1, 2, 3, 4, 5, 6
STATUS_OF_RESULT = {"success": SUCCESS, "testfailed": WARNINGS, "busted": FAILURE, "skipped": SKIPPED,
                    "exception": EXCEPTION, "retry": RETRY, "usercancel": CANCELLED, "unknown": NONE}
PASSING = frozenset({SUCCESS, RETRY})
STABLE_DELAY = 180  # seconds a revision's builds must have ended for it to count as done
SHORT_REVISION = 12
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class JobLike(Protocol):
    id: int
    job_guid: str
    repository: str
    fields: dict[str, Any]


class AnnotationLike(Protocol):
    priority: int
    properties: dict[str, Any]


def status(job: JobLike) -> int | None:
    """buildbot's result code of a finished job, None while it is not finished."""
    if job.fields.get("state") != "completed":
        return None
    return STATUS_OF_RESULT.get(job.fields.get("result", "unknown"), NONE)


def is_build(job: JobLike) -> bool:
    """Whether a machine claimed the job (a build exists), not only a request."""
    state = job.fields.get("state")
    return state == "running" or (state == "completed" and int(job.fields.get("start_timestamp") or 0) > 0)


def request_view(job: JobLike, branch: str, annotation: AnnotationLike | None = None,
                 detailed: bool = False) -> dict[str, Any]:
    f = job.fields
    complete = f.get("state") == "completed"
    view: dict[str, Any] = {
        "request_id": job.id, "buildername": f.get("job_type_name"), "branch": branch,
        "revision": (f.get("revision") or "")[:SHORT_REVISION], "submittime": int(f.get("submit_timestamp") or 0),
        "complete": 1 if complete else 0,
        "complete_at": int(f.get("end_timestamp") or 0) or None if complete else None,
        "priority": annotation.priority if annotation else 0,
        "claimed_at": int(f.get("start_timestamp") or 0) if is_build(job) else 0,
        "reason": f.get("reason", ""),
    }
    if detailed:
        view["properties"] = {**(annotation.properties if annotation else {}), "revision": f.get("revision"),
                              "branch": branch, "buildername": f.get("job_type_name")}
        view["build_ids"] = [job.id] if is_build(job) else []
    return view


def build_view(job: JobLike, branch: str, annotation: AnnotationLike | None = None) -> dict[str, Any]:
    f = job.fields
    return {
        "build_id": job.id, "requests": [request_view(job, branch, annotation)], "buildnumber": job.id,
        "buildername": f.get("job_type_name"), "branch": branch,
        "revision": (f.get("revision") or "")[:SHORT_REVISION],
        "starttime": int(f.get("start_timestamp") or 0) or None,
        "endtime": (int(f.get("end_timestamp") or 0) or None) if f.get("state") == "completed" else None,
        "status": status(job), "claimed_by_name": f.get("machine_name"), "who": f.get("who", ""),
    }


def branch_summary(jobs: Iterable[JobLike], branch: str,
                   annotations: dict[str, AnnotationLike]) -> dict[str, list[dict[str, Any]]]:
    """``{"builds": [finished], "running": [...], "pending": [requests]}``, newest first."""
    summary: dict[str, list[dict[str, Any]]] = {"builds": [], "running": [], "pending": []}
    for job in jobs:
        note = annotations.get(job.job_guid)
        state = job.fields.get("state")
        if state == "pending":
            summary["pending"].append(request_view(job, branch, note))
        elif state == "running":
            summary["running"].append(build_view(job, branch, note))
        elif is_build(job):
            summary["builds"].append(build_view(job, branch, note))
    return summary


def revision_listing(jobs: Iterable[JobLike], branch: str,
                     annotations: dict[str, AnnotationLike]) -> list[dict[str, Any]]:
    """A revision's builds (running or finished) and its pending requests, oldest first."""
    listing = []
    for job in sorted(jobs, key=lambda j: j.id):
        note = annotations.get(job.job_guid)
        if job.fields.get("state") == "pending":
            listing.append(request_view(job, branch, note))
        elif is_build(job):
            listing.append(build_view(job, branch, note))
    return listing


def is_done(jobs: Iterable[JobLike], now: int, stable_delay: int = STABLE_DELAY) -> dict[str, Any]:
    """Whether a revision's work is over: every job finished at least ``stable_delay`` seconds ago.

    ``job_complete`` needs at least one build (a revision nothing ran for is
    not done); ``job_passed``: complete and every build's status is success
    or retry. Requests cancelled before they started count as neither.
    """
    builds, unfinished = [], False
    for job in jobs:
        if job.fields.get("state") != "completed":
            unfinished = True
        elif is_build(job):
            builds.append(job)
    complete = bool(builds) and not unfinished and all(
        int(j.fields.get("end_timestamp") or 0) + stable_delay <= now for j in builds)
    passed = complete and all(status(j) in PASSING for j in builds)
    return {"stableDelay": stable_delay, "job_complete": complete, "job_passed": passed}


def day(date: str | None, today: dt.date) -> str:
    """The UTC day ``YYYY-MM-DD`` asked for (default today); ValueError if malformed or not a date."""
    if date is None:
        return today.isoformat()
    if not DATE.fullmatch(date):
        raise ValueError(date)
    return dt.date.fromisoformat(date).isoformat()
