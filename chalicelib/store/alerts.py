"""Performance alerts: one item per (series, push) change, with its triage status.

Key: (``project``, ``alert_id``), so triage is one GetItem/UpdateItem. Every
listing is a Query on an index made for it, newest push first
(``date_key`` = push date then id):

- ``by_group`` (series group key, ``push_key``): the worker's view of a group;
  the graph's view of one page (the page is filtered, a group has few alerts);
- ``by_test`` (``<project>#<branch>#<test>``), ``by_branch``
  (``<project>#<branch>``), ``by_status`` (``<project>#<status>``) and
  ``by_date`` (``project``): the listing filters; the rest of a request's
  filters narrow the chosen index's partition.

The worker creates with a condition (never over an existing alert), refreshes
only the detector's numbers (never the status), and withdraws only an alert
that is still untriaged: a person's triage always wins a race with it.

Alert summaries (Perfherder's: the alerts of one push on one branch, triaged
together) live in the same table, keyed ``summary#<summary id>`` in the
project's partition: the id starts with the push date, so the project's
summaries, newest first, are one Query on the table itself, and a summary's
alerts one Query on ``by_branch`` (its push date is the range key's prefix).
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.perf.alerts import UNTRIAGED, Detection, alert_id, summary_id
from chalicelib.perf.series import SeriesGroup
from chalicelib.store.base import table_meta
from chalicelib.store.errors import write_unless_refused
from chalicelib.store.series_fields import SeriesGroupFields, group_fields, platform


def _index(name: str, hash_name: str, range_name: str) -> type[GlobalSecondaryIndex]:
    meta = type("Meta", (), {"index_name": name, "projection": AllProjection()})
    return type(f"Index_{name}", (GlobalSecondaryIndex,), {
        "Meta": meta, hash_name: UnicodeAttribute(hash_key=True), range_name: UnicodeAttribute(range_key=True)})


class AlertRecord(SeriesGroupFields, Model):
    Meta = table_meta("alerts")
    project = UnicodeAttribute(hash_key=True)
    alert_id = UnicodeAttribute(range_key=True)
    group_key = UnicodeAttribute()
    page = UnicodeAttribute()
    push_id = NumberAttribute()
    prev_push_id = NumberAttribute()
    pushlog_id = NumberAttribute()
    push_date = NumberAttribute()
    revision = UnicodeAttribute()
    prev_value = NumberAttribute()
    new_value = NumberAttribute()
    magnitude = NumberAttribute()
    direction = UnicodeAttribute()
    confidence = NumberAttribute()
    detectors = ListAttribute(of=UnicodeAttribute, default=list)
    amount_abs = NumberAttribute(null=True)
    t_value = NumberAttribute(null=True)
    status = UnicodeAttribute(default=UNTRIAGED)
    note = UnicodeAttribute(null=True)
    created = NumberAttribute()
    updated = NumberAttribute()
    triaged_by = UnicodeAttribute(null=True)
    triaged_at = NumberAttribute(null=True)
    summary_id = UnicodeAttribute(null=True)
    # index keys
    push_key = UnicodeAttribute()
    date_key = UnicodeAttribute()
    test_key = UnicodeAttribute()
    branch_key = UnicodeAttribute()
    status_key = UnicodeAttribute()

    by_group = _index("by_group", "group_key", "push_key")()
    by_test = _index("by_test", "test_key", "date_key")()
    by_branch = _index("by_branch", "branch_key", "date_key")()
    by_status = _index("by_status", "status_key", "date_key")()
    by_date = _index("by_date", "project", "date_key")()


def _push_key(push_id: int, ident: str) -> str:
    return f"{push_id:012d}#{ident}"


def _date_key(push_date: int, ident: str) -> str:
    return f"{push_date:012d}#{ident}"


def _numbers(detection: Detection) -> dict[str, Any]:
    return {"prev_value": detection.prev_value, "new_value": detection.new_value,
            "magnitude": detection.magnitude, "direction": detection.direction,
            "confidence": detection.confidence, "detectors": list(detection.detectors),
            "amount_abs": detection.amount_abs, "t_value": detection.t_value}


def as_dict(rec: AlertRecord) -> dict[str, Any]:
    """An alert as plain values (what the API shows and the reconciliation reads)."""
    return {
        "id": rec.alert_id, "alert_id": rec.alert_id, "project": rec.project, "series": rec.group_key,
        "page": rec.page, "branch": rec.branch, "product": rec.product, "test": rec.test_name,
        "platform": platform(rec),
        "push_id": int(rec.push_id), "prev_push_id": int(rec.prev_push_id), "pushlog_id": int(rec.pushlog_id),
        "push_date": int(rec.push_date), "revision": rec.revision,
        "prev_value": float(rec.prev_value), "new_value": float(rec.new_value),
        "magnitude": float(rec.magnitude), "direction": rec.direction, "confidence": float(rec.confidence),
        "detectors": list(rec.detectors or []),
        "amount_abs": None if rec.amount_abs is None else float(rec.amount_abs),
        "t_value": None if rec.t_value is None else float(rec.t_value),
        "is_regression": rec.direction == "regression", "summary": rec.summary_id,
        "status": rec.status, "note": rec.note,
        "created": int(rec.created), "updated": int(rec.updated),
        "triaged_by": rec.triaged_by, "triaged_at": None if rec.triaged_at is None else int(rec.triaged_at),
    }


def create(group: SeriesGroup, detection: Detection, now: int | None = None) -> bool:
    """Store a new untriaged alert; False if it exists already (then nothing changes)."""
    now = int(time.time()) if now is None else now
    ident = alert_id(group.key, detection.page, detection.push_id)
    rec = AlertRecord(
        group.project, ident, group_key=group.key, page=detection.page, **group_fields(group),
        push_id=detection.push_id,
        prev_push_id=detection.prev_push_id, pushlog_id=detection.pushlog_id, push_date=detection.push_date,
        revision=detection.revision, status=UNTRIAGED, created=now, updated=now,
        summary_id=summary_id(group.project, group.branch, detection.push_id, detection.push_date),
        push_key=_push_key(detection.push_id, ident), date_key=_date_key(detection.push_date, ident),
        test_key=f"{group.project}#{group.branch}#{group.test_name}", branch_key=f"{group.project}#{group.branch}",
        status_key=f"{group.project}#{UNTRIAGED}", **_numbers(detection))
    return write_unless_refused(rec.save, condition=AlertRecord.alert_id.does_not_exist())


def refresh(project: str, ident: str, detection: Detection, now: int | None = None) -> bool:
    """Update the detector's numbers of an existing alert (its status is untouched)."""
    rec = AlertRecord(project, ident)
    numbers = _numbers(detection)
    actions = [getattr(AlertRecord, name).set(value) for name, value in numbers.items()]
    actions.append(AlertRecord.updated.set(int(time.time()) if now is None else now))
    return write_unless_refused(rec.update, actions=actions, condition=AlertRecord.alert_id.exists())


def withdraw(project: str, ident: str) -> bool:
    """Delete an alert the detector no longer finds, unless someone triaged it meanwhile."""
    rec = AlertRecord(project, ident)
    return write_unless_refused(rec.delete, condition=AlertRecord.status == UNTRIAGED)


def of_group(group_key: str, first_push_id: int = 0) -> list[dict[str, Any]]:
    """The group's alerts on pushes from ``first_push_id`` on (one paged Query)."""
    found = AlertRecord.by_group.query(group_key, AlertRecord.push_key >= f"{first_push_id:012d}")
    return [as_dict(r) for r in found]


def get(project: str, ident: str) -> dict[str, Any] | None:
    try:
        return as_dict(AlertRecord.get(project, ident, consistent_read=True))
    except AlertRecord.DoesNotExist:
        return None


def triage(project: str, ident: str, status: str, user: str, note: str | None,
           now: int | None = None) -> dict[str, Any] | None:
    """Set an alert's status (one conditional UpdateItem); None if there is no such alert."""
    now = int(time.time()) if now is None else now
    rec = AlertRecord(project, ident)
    actions = [AlertRecord.status.set(status), AlertRecord.status_key.set(f"{project}#{status}"),
               AlertRecord.triaged_by.set(user), AlertRecord.triaged_at.set(now), AlertRecord.updated.set(now)]
    if note is not None:
        actions.append(AlertRecord.note.set(note))
    if not write_unless_refused(rec.update, actions=actions, condition=AlertRecord.alert_id.exists()):
        return None
    return as_dict(rec)


@dataclass(frozen=True)
class AlertQuery:
    project: str
    branch: str | None = None
    test: str | None = None
    status: str | None = None
    since: int | None = None  # push date, unix seconds
    limit: int = 100
    cursor: str | None = None


def _encode_cursor(key: dict[str, Any] | None) -> str | None:
    return None if not key else base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode()


def decode_cursor(cursor: str) -> dict[str, Any]:
    """A listing cursor back into DynamoDB's start key; ValueError when it is not one of ours."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError):
        raise ValueError("'cursor' is not a cursor this service returned") from None
    if not isinstance(key, dict) or not all(isinstance(v, dict) and set(v) == {"S"} for v in key.values()):
        raise ValueError("'cursor' is not a cursor this service returned")
    return key


def listing(q: AlertQuery) -> tuple[list[dict[str, Any]], str | None]:
    """Alerts matching the filters, newest push first, at most ``limit``, and the cursor of the next page.

    The index is the one whose partition holds the most of the filters; the
    remaining ones are a filter expression on that partition.
    """
    residual: list[Condition] = []
    if q.branch and q.test:
        index, partition = AlertRecord.by_test, f"{q.project}#{q.branch}#{q.test}"
        if q.status:
            residual.append(AlertRecord.status == q.status)
    elif q.status:
        index, partition = AlertRecord.by_status, f"{q.project}#{q.status}"
        if q.branch:
            residual.append(AlertRecord.branch == q.branch)
        if q.test:
            residual.append(AlertRecord.test_name == q.test)
    elif q.branch:
        index, partition = AlertRecord.by_branch, f"{q.project}#{q.branch}"
    else:
        index, partition = AlertRecord.by_date, q.project
        if q.test:
            residual.append(AlertRecord.test_name == q.test)
    range_condition = AlertRecord.date_key >= f"{q.since:012d}" if q.since is not None else None
    filter_condition = None
    for condition in residual:
        filter_condition = condition if filter_condition is None else filter_condition & condition
    start = decode_cursor(q.cursor) if q.cursor else None
    results = index.query(partition, range_condition, filter_condition=filter_condition, scan_index_forward=False,
                          limit=q.limit, page_size=q.limit, last_evaluated_key=start)
    found = [as_dict(r) for r in results]
    return found, _encode_cursor(results.last_evaluated_key) if len(found) >= q.limit else None


SUMMARY_PREFIX = "summary#"


class SummaryRecord(Model):
    """One push's alert summary; its alerts are found through ``by_branch``, never copied into it."""

    Meta = table_meta("alerts")
    project = UnicodeAttribute(hash_key=True)
    alert_id = UnicodeAttribute(range_key=True)  # SUMMARY_PREFIX + summary id
    branch = UnicodeAttribute()
    push_id = NumberAttribute()
    prev_push_id = NumberAttribute()
    push_date = NumberAttribute()
    revision = UnicodeAttribute()
    status = UnicodeAttribute(default=UNTRIAGED)
    note = UnicodeAttribute(null=True)
    created = NumberAttribute()
    updated = NumberAttribute()
    triaged_by = UnicodeAttribute(null=True)
    triaged_at = NumberAttribute(null=True)


def summary_as_dict(rec: SummaryRecord) -> dict[str, Any]:
    return {
        "id": rec.alert_id[len(SUMMARY_PREFIX):], "project": rec.project, "branch": rec.branch,
        "push_id": int(rec.push_id), "prev_push_id": int(rec.prev_push_id), "push_date": int(rec.push_date),
        "revision": rec.revision, "status": rec.status, "note": rec.note, "created": int(rec.created),
        "updated": int(rec.updated), "triaged_by": rec.triaged_by,
        "triaged_at": None if rec.triaged_at is None else int(rec.triaged_at),
    }


def open_summary(group: SeriesGroup, detection: Detection, now: int | None = None) -> bool:
    """Make the summary of the detection's push if it has none (one conditional PutItem); True if made."""
    now = int(time.time()) if now is None else now
    ident = summary_id(group.project, group.branch, detection.push_id, detection.push_date)
    rec = SummaryRecord(group.project, SUMMARY_PREFIX + ident, branch=group.branch, push_id=detection.push_id,
                        prev_push_id=detection.prev_push_id, push_date=detection.push_date,
                        revision=detection.revision, status=UNTRIAGED, created=now, updated=now)
    return write_unless_refused(rec.save, condition=SummaryRecord.alert_id.does_not_exist())


def _split_summary_id(ident: str) -> int | None:
    head, _, digest = ident.partition("-")
    if len(head) != 12 or not head.isdigit() or len(digest) != 12 or not all(c in "0123456789abcdef" for c in digest):
        return None
    return int(head)


def summary(project: str, ident: str) -> dict[str, Any] | None:
    """A summary with its alerts (one GetItem, one Query); None when there is no such summary."""
    if _split_summary_id(ident) is None:
        return None
    try:
        rec = SummaryRecord.get(project, SUMMARY_PREFIX + ident, consistent_read=True)
    except SummaryRecord.DoesNotExist:
        return None
    found = AlertRecord.by_branch.query(f"{project}#{rec.branch}", AlertRecord.date_key.startswith(
        f"{int(rec.push_date):012d}#"), filter_condition=AlertRecord.push_id == int(rec.push_id))
    return {**summary_as_dict(rec), "alerts": [as_dict(a) for a in found]}


def triage_summary(project: str, ident: str, status: str, user: str, note: str | None,
                   now: int | None = None) -> dict[str, Any] | None:
    """Set a summary's status (one conditional UpdateItem, then its view); None if there is no such summary."""
    if _split_summary_id(ident) is None:
        return None
    now = int(time.time()) if now is None else now
    rec = SummaryRecord(project, SUMMARY_PREFIX + ident)
    actions = [SummaryRecord.status.set(status), SummaryRecord.triaged_by.set(user), SummaryRecord.triaged_at.set(now),
               SummaryRecord.updated.set(now)]
    if note is not None:
        actions.append(SummaryRecord.note.set(note))
    if not write_unless_refused(rec.update, actions=actions, condition=SummaryRecord.alert_id.exists()):
        return None
    return summary(project, ident)


@dataclass(frozen=True)
class SummaryQuery:
    project: str
    branch: str | None = None
    status: str | None = None
    limit: int = 100
    cursor: str | None = None


def summaries(q: SummaryQuery) -> tuple[list[dict[str, Any]], str | None]:
    """The project's summaries, newest push first (one Query on the table; filters narrow its partition)."""
    filter_condition: Condition | None = None
    for condition in ([SummaryRecord.branch == q.branch] if q.branch else []) + (
            [SummaryRecord.status == q.status] if q.status else []):
        filter_condition = condition if filter_condition is None else filter_condition & condition
    start = decode_cursor(q.cursor) if q.cursor else None
    results = SummaryRecord.query(q.project, SummaryRecord.alert_id.startswith(SUMMARY_PREFIX),
                                  filter_condition=filter_condition, scan_index_forward=False, limit=q.limit,
                                  page_size=q.limit, last_evaluated_key=start)
    found = [summary_as_dict(r) for r in results]
    return found, _encode_cursor(results.last_evaluated_key) if len(found) >= q.limit else None
