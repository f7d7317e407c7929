"""Pushes per branch, in push order, and the changesets that point at them.

- ``pushes``: key (branch, hg push id). ``by_date`` serves date ranges per
  branch; ``by_pushlog_id`` finds a push by Shipyard's own id (the id every
  API family shows for a push); ``by_branch_pushlog_id`` orders a branch's
  pushes by that id (Treeherder's push lists and id ranges) and ``by_author``
  does the same for one pusher of a branch.
- ``changesets``: key (branch, 40-hex node) -> its push. A 12-character
  revision is a ``begins_with`` Query on the node.

Pushes are immutable once stored: a push stored twice is one (conditional put).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.store import counters
from chalicelib.store.base import table_meta
from chalicelib.store.errors import write_unless_refused


class Changeset(MapAttribute):
    node = UnicodeAttribute()
    author = UnicodeAttribute(default="")
    desc = UnicodeAttribute(default="")
    branch = UnicodeAttribute(null=True)
    tags = ListAttribute(of=UnicodeAttribute, default=list)


class ByDate(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_date"
        projection = AllProjection()

    branch = UnicodeAttribute(hash_key=True)
    date = NumberAttribute(range_key=True)


class ByPushlogId(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_pushlog_id"
        projection = AllProjection()

    pushlog_id = NumberAttribute(hash_key=True)


class ByBranchPushlogId(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_branch_pushlog_id"
        projection = AllProjection()

    branch = UnicodeAttribute(hash_key=True)
    pushlog_id = NumberAttribute(range_key=True)


class ByAuthor(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_author"
        projection = AllProjection()

    branch_user = UnicodeAttribute(hash_key=True)
    pushlog_id = NumberAttribute(range_key=True)


def branch_user_key(branch: str, user: str) -> str:
    return f"{branch}#{user}"


class PushRecord(Model):
    Meta = table_meta("pushes")
    branch = UnicodeAttribute(hash_key=True)
    push_id = NumberAttribute(range_key=True)
    pushlog_id = NumberAttribute()
    date = NumberAttribute()
    user = UnicodeAttribute(default="")
    changesets = ListAttribute(of=Changeset, default=list)
    branch_user = UnicodeAttribute(null=True)  # "<branch>#<user>", for ``by_author``

    by_date = ByDate()
    by_pushlog_id = ByPushlogId()
    by_branch_pushlog_id = ByBranchPushlogId()
    by_author = ByAuthor()


class ChangesetRecord(Model):
    Meta = table_meta("changesets")
    branch = UnicodeAttribute(hash_key=True)
    node = UnicodeAttribute(range_key=True)
    push_id = NumberAttribute()
    pushlog_id = NumberAttribute()
    date = NumberAttribute()


@dataclass(frozen=True)
class Push:
    branch: str
    push_id: int
    pushlog_id: int
    date: int
    user: str
    changesets: list[dict[str, Any]]

    @property
    def tip(self) -> str:
        """The push's last changeset: what Datazilla called its revision."""
        return self.changesets[-1]["node"] if self.changesets else ""


def _push(rec: PushRecord) -> Push:
    return Push(rec.branch, int(rec.push_id), int(rec.pushlog_id), int(rec.date), rec.user or "",
                [{"node": c.node, "author": c.author, "desc": c.desc, "branch": c.branch, "tags": list(c.tags or [])}
                 for c in rec.changesets or []])


def store(branch: str, push_id: int, date: int, user: str, changesets: list[dict[str, Any]]) -> tuple[Push, bool]:
    """Store a push unless it is already stored; returns it and whether it is new.

    The changeset items are written (idempotently) before the push item, so a
    crash between the two leaves nothing a reader can see half-done: the push
    is stored again on the next sync.
    """
    existing = get(branch, push_id)
    if existing is not None:
        return existing, False
    pushlog_id = counters.next_value("pushlog_id")
    with ChangesetRecord.batch_write() as batch:
        for cs in changesets:
            batch.save(ChangesetRecord(branch, cs["node"], push_id=push_id, pushlog_id=pushlog_id, date=date))
    rec = PushRecord(branch, push_id, pushlog_id=pushlog_id, date=date, user=user,
                     changesets=[Changeset(**cs) for cs in changesets], branch_user=branch_user_key(branch, user))
    if not write_unless_refused(rec.save, condition=PushRecord.push_id.does_not_exist()):
        return get(branch, push_id), False  # type: ignore[return-value]
    return _push(rec), True


def get(branch: str, push_id: int) -> Push | None:
    try:
        return _push(PushRecord.get(branch, push_id, consistent_read=True))
    except PushRecord.DoesNotExist:
        return None


def by_pushlog_id(pushlog_id: int) -> Push | None:
    for rec in PushRecord.by_pushlog_id.query(pushlog_id, limit=1):
        return _push(rec)
    return None


def between_dates(branch: str, start: int, end: int) -> Iterator[Push]:
    return (_push(r) for r in PushRecord.by_date.query(branch, PushRecord.date.between(start, end)))


def before(branch: str, push_id: int, count: int) -> list[Push]:
    """The ``count`` pushes before ``push_id``, oldest first (one Query)."""
    if count <= 0:
        return []
    found = [_push(r) for r in PushRecord.query(branch, PushRecord.push_id < push_id,
                                                  scan_index_forward=False, limit=count)]
    return list(reversed(found))


def after(branch: str, push_id: int, count: int) -> list[Push]:
    """The ``count`` pushes after ``push_id``, oldest first (one Query)."""
    if count <= 0:
        return []
    return [_push(r) for r in PushRecord.query(branch, PushRecord.push_id > push_id, limit=count)]


def find_revision(branch: str, revision: str) -> ChangesetRecord | None:
    """The changeset whose node starts with ``revision`` on ``branch`` (one Query)."""
    if not revision:
        return None
    for rec in ChangesetRecord.query(branch, ChangesetRecord.node.startswith(revision.lower()), limit=1):
        return rec
    return None


def push_for_revision(branch: str, revision: str) -> Push | None:
    found = find_revision(branch, revision)
    return None if found is None else get(branch, int(found.push_id))


# --- the Treeherder face: a branch's pushes by Shipyard's id --------------------------------


def _id_condition(attribute: Any, low: int | None, high: int | None) -> Any:
    if low is not None and high is not None:
        return attribute.between(low, high)
    if low is not None:
        return attribute >= low
    if high is not None:
        return attribute <= high
    return None


# Enough of an item to resume a Query after it on any of the table's indexes.
_KEY_ATTRIBUTES = ["branch", "push_id", "pushlog_id", "date", "branch_user"]


def _newest_page(index: Any, key: str, range_condition: Any, filter_condition: Any, offset: int,
                 count: int) -> list[Push]:
    """One page of a descending Query: ``offset`` items skipped, then ``count`` items.

    The skipped items are read with only their keys (a second, smaller
    response), and the page resumes after the last of them.
    """
    if count <= 0:
        return []
    options = {"filter_condition": filter_condition, "scan_index_forward": False}
    start = None
    if offset > 0:
        skip = index.query(key, range_condition, attributes_to_get=_KEY_ATTRIBUTES, limit=offset,
                           page_size=min(offset, 1000), **options)
        if sum(1 for _ in skip) < offset:
            return []
        start = skip.last_evaluated_key
    found = index.query(key, range_condition, limit=count, page_size=min(count, 1000), last_evaluated_key=start,
                        **options)
    return [_push(r) for r in found]


def newest_by_id(branch: str, *, low: int | None = None, high: int | None = None, author: str | None = None,
                 date_low: int | None = None, date_high: int | None = None, exclude_author: str | None = None,
                 offset: int = 0, count: int) -> list[Push]:
    """A branch's pushes with ``low <= pushlog_id <= high``, newest first: ``count`` after ``offset``.

    A Query on ``by_branch_pushlog_id`` (or ``by_author`` for one pusher): the
    id range is the key condition; a date range or an excluded pusher, when
    given too, filters within it.
    """
    if author is None:
        index, key = PushRecord.by_branch_pushlog_id, branch
    else:
        index, key = PushRecord.by_author, branch_user_key(branch, author)
    condition = _id_condition(PushRecord.date, date_low, date_high)
    if exclude_author is not None:
        other = PushRecord.user != exclude_author
        condition = other if condition is None else condition & other
    return _newest_page(index, key, _id_condition(PushRecord.pushlog_id, low, high), condition, offset, count)


def newest_by_date(branch: str, date_low: int | None, date_high: int | None, *, offset: int = 0,
                   count: int) -> list[Push]:
    """A branch's pushes in a date range, newest first (a Query on ``by_date``)."""
    return _newest_page(PushRecord.by_date, branch, _id_condition(PushRecord.date, date_low, date_high), None,
                        offset, count)


def on_branch_by_pushlog_id(branch: str, pushlog_id: int) -> Push | None:
    """The push of a branch with this Shipyard id (one Query on ``by_branch_pushlog_id``)."""
    for rec in PushRecord.by_branch_pushlog_id.query(branch, PushRecord.pushlog_id == pushlog_id, limit=1):
        return _push(rec)
    return None


def first_on_or_after(branch: str, date: int) -> Push | None:
    """The branch's first push at or after ``date`` (one Query on ``by_date``)."""
    for rec in PushRecord.by_date.query(branch, PushRecord.date >= date, limit=1):
        return _push(rec)
    return None


def last_on_or_before(branch: str, date: int) -> Push | None:
    """The branch's last push at or before ``date`` (one Query on ``by_date``)."""
    for rec in PushRecord.by_date.query(branch, PushRecord.date <= date, scan_index_forward=False, limit=1):
        return _push(rec)
    return None


def get_many(branch: str, push_ids: list[int]) -> dict[int, Push]:
    """The pushes of a branch by push id (BatchGetItem, 100 keys a call)."""
    found: dict[int, Push] = {}
    keys = [(branch, push_id) for push_id in sorted(set(push_ids))]
    for start in range(0, len(keys), 100):
        for rec in PushRecord.batch_get(keys[start:start + 100]):
            found[int(rec.push_id)] = _push(rec)
    return found
