"""Finding the jobs a :class:`~chalicelib.treeherder.job_query.JobQuery` asks for.

- ``job_guid``: one GetItem; ``id``/``id__in``: one Query per id;
- ``push_id``: the push's jobs (a Query on ``by_push``), oldest id first;
- ``last_modified__gt``: the repository's change-time index, oldest change first;
- otherwise the repository's jobs, newest first.

Remaining filters (every other filter of Treeherder's JobFilter: text,
number, ``lt/lte/gt/gte`` ranges, ``__in`` lists, times) apply to what the
index yields, read lazily until the page is full: with ``push_id`` the
reads are bounded by the push's jobs, and without any filter a page costs
one Query. A filtered listing reads at most :data:`MAX_SCANNED` jobs of its
index (newest first) and answers with the matches among them: the bound a
Treeherder page implies (its UI always narrows by push or change time), so
no request's cost grows with a repository's whole history.
"""

from __future__ import annotations

import sys
from itertools import islice
from typing import Iterable, Iterator

from chalicelib.store import jobs as job_store
from chalicelib.store.jobs import StoredJob
from chalicelib.treeherder.job_query import JobQuery

MAX_IDS = 2000
MAX_SCANNED = 10_000  # jobs a filtered listing reads at most (10 Query pages)


def _candidates(branch: str, query: JobQuery) -> Iterable[StoredJob]:
    page_size = 1000 if query.filtered else max(1, min(query.offset + query.count, 1000))
    guid = query.equals.get("job_guid")
    if guid is not None:
        found = job_store.by_guid(guid)
        return [] if found is None else [found]
    if query.ids is not None:
        return sorted((j for j in (job_store.by_id(i) for i in dict.fromkeys(query.ids[:MAX_IDS])) if j is not None),
                      key=lambda j: j.id)
    if query.push_id is not None:
        return job_store.for_push(branch, query.push_id, page_size)
    if query.modified_after_ms is not None:
        return job_store.modified_after(branch, query.modified_after_ms, page_size)
    return job_store.in_repository(branch, page_size)


def find(branch: str, query: JobQuery) -> list[StoredJob]:
    if query.count == 0 or query.offset + query.count > sys.maxsize:  # past any list a table could hold
        return []
    candidates = _candidates(branch, query)
    if query.filtered:
        candidates = islice(candidates, MAX_SCANNED)
    selected: Iterator[StoredJob] = (j for j in candidates if j.repository == branch and query.matches(j))
    return list(islice(selected, query.offset, query.offset + query.count))


def similar(branch: str, job: StoredJob, query: JobQuery) -> list[StoredJob]:
    """Jobs of the same type in the repository, not ``job`` itself, latest started first (``similar_jobs``).

    Read newest first off the repository's index (ids grow with submission),
    the page then ordered by start time as Treeherder orders the whole set.
    """
    if job.fields.get("job_type_id") is not None:
        query.job_type_id = job.fields["job_type_id"]
    else:  # a job stored without a type id: its type by name
        query.equals["job_type_name"] = job.fields.get("job_type_name")
    query.exclude_id = job.id
    found = find(branch, query)
    return sorted(found, key=lambda j: (j.fields.get("start_timestamp") or 0, j.id), reverse=True)
