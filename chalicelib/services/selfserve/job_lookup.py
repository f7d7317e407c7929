"""Finding the Treeherder jobs a self-serve route is about: by id on a branch, a push's, a day's, a requester's.

Each listing reads exactly the jobs it shows, on an index made for it, so its
answer is complete and its cost does not grow with the branch's history.
"""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.selfserve import views
from chalicelib.selfserve.errors import NotFound
from chalicelib.store import build_requests, pushes
from chalicelib.store import jobs as job_store
from chalicelib.store.branches import Branch
from chalicelib.store.build_requests import Annotation
from chalicelib.store.jobs import StoredJob
from chalicelib.store.pushes import Push

PAGE = 500


def on_branch(branch: Branch, job_id: int, kind: str) -> StoredJob:
    """The job ``job_id`` if it is on ``branch`` (one Query), else 404 "<Kind> N not found on branch B"."""
    job = job_store.by_id(job_id)
    if job is None or job.repository != branch.name:
        raise NotFound(f"{kind} {job_id} not found on branch {branch.name}")
    return job


def build_on_branch(branch: Branch, build_id: int) -> StoredJob:
    job = on_branch(branch, build_id, "Build")
    if not views.is_build(job):
        raise NotFound(f"Build {build_id} not found on branch {branch.name}")
    return job


def of_day(branch: Branch, day: str) -> list[StoredJob]:
    """The branch's jobs submitted on the UTC day ``YYYY-MM-DD``, newest first (``by_day``)."""
    return list(job_store.submitted_on(branch.name, day, page_size=PAGE))


def of_requester(branch: Branch, who: str) -> list[StoredJob]:
    """The branch's jobs ``who`` asked for, newest first (``by_requester``)."""
    return list(job_store.requested_by(branch.name, who, page_size=PAGE))


def builders(branch: Branch) -> list[str]:
    """The branch's builder names, sorted (its builder registry)."""
    return sorted(job_store.builders(branch.name))


def push_of_revision(branch: Branch, revision: str) -> Push:
    """The push whose changeset ``revision`` (a prefix of 12 or more) is, else 404."""
    push = pushes.push_for_revision(branch.name, revision)
    if push is None:
        raise NotFound(f"Revision {revision} not found on branch {branch.name}")
    return push


def of_push(push: Push) -> list[StoredJob]:
    return list(job_store.for_push(push.branch, push.pushlog_id))


def annotations(jobs: Iterable[StoredJob]) -> dict[str, Annotation]:
    return build_requests.annotations(j.job_guid for j in jobs)
