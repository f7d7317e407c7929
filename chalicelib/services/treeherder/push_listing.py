"""Finding the pushes a :class:`~chalicelib.treeherder.push_query.PushQuery` asks for.

Each request is a bounded number of Queries on keys made for it, whatever
the size of the table:

- ``id__in``: one Query per id on the branch's id index;
- ``revision`` / ``commit_revision``: the changeset (one Query), its push
  (one GetItem);
- ``author``: the branch's per-author id index, id range as key condition;
- a date range only: the branch's date index;
- otherwise: the branch's id index, id range as key condition (a date range
  given too filters within it).

``fromchange`` / ``tochange`` first become id bounds (one Query and GetItem each).
"""

from __future__ import annotations

from chalicelib.store import pushes
from chalicelib.store.pushes import Push
from chalicelib.treeherder.params import BadParameter
from chalicelib.treeherder.push_query import PushQuery


def push_of_revision(branch: str, revision: str, tip_only: bool) -> Push | None:
    changeset = pushes.find_revision(branch, revision)
    if changeset is None:
        return None
    push = pushes.get(branch, int(changeset.push_id))
    if push is None or (tip_only and not push.tip.startswith(revision)):
        return None
    return push


def _change_bound(branch: str, name: str, revision: str) -> Push:
    push = push_of_revision(branch, revision, tip_only=True)
    if push is None:
        raise BadParameter(f"No push with revision {revision} for {name}")
    return push


def find(branch: str, query: PushQuery) -> list[Push]:
    """The pushes of one page of the answer, newest first."""
    if query.fromchange is not None:
        push = _change_bound(branch, "fromchange", query.fromchange)
        query.narrow_ids(low=push.pushlog_id)
        query.filter_params["push_timestamp__gte"] = push.date
    if query.tochange is not None:
        push = _change_bound(branch, "tochange", query.tochange)
        query.narrow_ids(high=push.pushlog_id)
        query.filter_params["push_timestamp__lte"] = push.date
    if query.empty or query.count == 0:
        return []

    wanted = query.offset + query.count
    if query.ids is not None or query.revision is not None or query.commit_revision is not None:
        candidates: dict[int, Push] = {}
        if query.revision is not None or query.commit_revision is not None:
            for revision, tip_only in ((query.revision, True), (query.commit_revision, False)):
                if revision is not None:
                    found = push_of_revision(branch, revision, tip_only)
                    if found is None:
                        return []
                    candidates[found.pushlog_id] = found
            if len(candidates) > 1:
                return []  # the two revisions name different pushes
        else:
            for pushlog_id in sorted(set(query.ids or []), reverse=True):
                found = pushes.on_branch_by_pushlog_id(branch, pushlog_id)
                if found is not None:
                    candidates[pushlog_id] = found
        chosen = [p for p in candidates.values() if query.matches(p.pushlog_id, p.date, p.user)]
        chosen.sort(key=lambda p: p.pushlog_id, reverse=True)
        return chosen[query.offset:wanted]

    page = {"offset": query.offset, "count": query.count}
    if query.author is not None and not query.exclude_author:
        found = pushes.newest_by_id(branch, low=query.id_low, high=query.id_high, author=query.author,
                                    date_low=query.date_low, date_high=query.date_high, **page)
    elif query.id_low is None and query.id_high is None and (query.date_low is not None
                                                               or query.date_high is not None):
        found = pushes.newest_by_date(branch, query.date_low, query.date_high, **page)
    else:
        found = pushes.newest_by_id(branch, low=query.id_low, high=query.id_high, date_low=query.date_low,
                                    date_high=query.date_high,
                                    exclude_author=query.author if query.exclude_author else None, **page)
    return sorted(found, key=lambda p: p.pushlog_id, reverse=True)
