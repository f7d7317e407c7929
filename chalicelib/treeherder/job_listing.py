"""Finding the jobs a :class:`~chalicelib.treeherder.job_query.JobQuery` asks for.

- ``job_guid``: one GetItem; ``id``/``id__in``: one Query per id;
- ``push_id``: the push's jobs (a Query on ``by_push``), oldest id first;
- ``last_modified__gt``: the repository's change-time index, oldest change first;
- otherwise the repository's jobs, newest first.

Remaining filters apply to what the index yields, read lazily until the page
is full: with ``push_id`` the reads are bounded by the push's jobs, and
without any filter a page costs one Query.
"""

from __future__ import annotations

from itertools import islice
from typing import Iterable, Iterator

from chalicelib.store import jobs as job_store
from chalicelib.store.jobs import StoredJob
from chalicelib.treeherder.job_query import JobQuery

MAX_IDS = 2000


def _candidates(branch: str, query: JobQuery) -> Iterable[StoredJob]:
    page_size = max(1, min(query.offset + query.count, 1000))
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
    if query.count == 0:
        return []
    selected: Iterator[StoredJob] = (j for j in _candidates(branch, query)
                                     if j.repository == branch and query.matches(j))
    return list(islice(selected, query.offset, query.offset + query.count))
