"""Job details and log references: the reads behind ``/api/jobdetail/`` and ``job-log-url``.

Each filter reads on a key made for it: a guid is one Query, each job id one
Query (at most ``job_listing.MAX_IDS``), a push one GetItem and one Query; the
other filters of Treeherder's JobDetailFilter apply to what those return.
"""

from __future__ import annotations

from typing import Any

from chalicelib.services.treeherder import job_listing
from chalicelib.store import branches, pushes
from chalicelib.store import jobs as job_store
from chalicelib.treeherder.params import Params, int_list, int_value


def log_references(branch: str, ids: list[int]) -> list[dict[str, Any]]:
    """The log references of the jobs among ``ids`` that are on ``branch``, in the order asked."""
    found = []
    for job_id in dict.fromkeys(ids[:job_listing.MAX_IDS]):
        job = job_store.by_id(job_id)
        if job is not None and job.repository == branch:
            found.extend(job_store.logs_of_job(job_id))
    return found


def _details(params: Params) -> list[dict[str, Any]]:
    """The details the first filter given selects (guid, then job ids, then push); every filter given is
    checked first, so a wrong value is a 400 even when another filter answers."""
    guid = params.get("job_guid") or params.get("job__guid")
    ids = int_list(params.getlist("job_id") + params.getlist("job_id__in"), "job_id")
    push_id = int_value(params.get("push_id"), "push_id")
    if guid:
        return job_store.details_of_guid(guid)
    if params.get("job_id") or params.getlist("job_id__in"):
        return [d for i in dict.fromkeys(ids[:job_listing.MAX_IDS]) for d in job_store.details_of_job(i)]
    push = pushes.by_pushlog_id(push_id) if push_id is not None else None
    return [] if push is None else job_store.details_of_push(push.branch, push.pushlog_id)


def _detail_matches(row: dict[str, Any], params: Params, branch_of_repository: str | None) -> bool:
    """JobDetailFilter's other filters, all of them at once: ``title``, ``value`` and ``repository``
    (Treeherder's repository name, the job's branch here), beside the guid, id and push filters."""
    for name in ("title", "value"):
        if params.get(name) is not None and row.get(name) != params.get(name):
            return False
    repository = params.get("repository")
    if repository is not None and row["repository"] not in (repository, branch_of_repository):
        return False
    guid = params.get("job_guid") or params.get("job__guid")
    if guid and row.get("job_guid") != guid:
        return False
    ids = int_list(params.getlist("job_id") + params.getlist("job_id__in"), "job_id")
    if ids and row.get("job_id") not in ids:
        return False
    return True


def details_matching(params: Params) -> list[dict[str, Any]]:
    """Every detail the request's filters select, in the store's order (the route pages them)."""
    repository = params.get("repository")
    resolved = branches.resolve_repository(repository) if repository else None
    return [d for d in _details(params) if _detail_matches(d, params, resolved.name if resolved else None)]
