"""Per-run metrics of a series group, in push order.

Key: ``group_key`` (project, branch, product, platform, build type, test: the
runs whose pages are compared with each other) and ``order_key`` (push id,
run date, test run id: the position in the branch's push order, with ties
broken the same way whatever the arrival order). Each item carries the run's
per-page results *and* each page's series state after the run (threshold and
trend), so a recomputation from any run forward needs only a Query.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta


class MetricsRecord(Model):
    Meta = table_meta("metrics")
    group_key = UnicodeAttribute(hash_key=True)
    order_key = UnicodeAttribute(range_key=True)
    project = UnicodeAttribute()
    test_run_id = NumberAttribute()
    revision = UnicodeAttribute()
    push_id = NumberAttribute()
    pushlog_id = NumberAttribute()
    push_date = NumberAttribute()
    pages = MapAttribute(default=dict)  # page -> results and replicate summary
    state = MapAttribute(default=dict)  # page -> threshold and trend after this run


def order_key(push_id: int, date_run: int, test_run_id: int) -> str:
    return f"{push_id:012d}#{date_run:012d}#{test_run_id:012d}"


def previous(group: str, order: str) -> MetricsRecord | None:
    """The run just before ``order`` in the group (one Query)."""
    for rec in MetricsRecord.query(group, MetricsRecord.order_key < order, scan_index_forward=False, limit=1):
        return rec
    return None


def following(group: str, order: str) -> list[MetricsRecord]:
    """Every run after ``order`` in the group, oldest first (one paged Query)."""
    return list(MetricsRecord.query(group, MetricsRecord.order_key > order))


def between(group: str, low: str, high: str) -> Iterator[MetricsRecord]:
    """The group's runs with ``low <= order_key <= high``, oldest first (one paged Query)."""
    return MetricsRecord.query(group, MetricsRecord.order_key.between(low, high))


def save_all(records: Iterable[MetricsRecord]) -> None:
    """BatchWriteItem, 25 items a call."""
    with MetricsRecord.batch_write() as batch:
        for rec in records:
            batch.save(rec)


def get_many(keys: list[tuple[str, str]]) -> Iterator[MetricsRecord]:
    """BatchGetItem, 100 keys a call."""
    for start in range(0, len(keys), 100):
        yield from MetricsRecord.batch_get(keys[start:start + 100])


def plain(value: Any) -> Any:
    """A stored map value as plain Python (PynamoDB returns raw maps as MapAttribute)."""
    if isinstance(value, MapAttribute):
        return {k: plain(v) for k, v in value.as_dict().items()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def latest(group: str, count: int) -> list[MetricsRecord]:
    """The group's last ``count`` runs, oldest first (one Query, newest first, read back to front)."""
    found = list(MetricsRecord.query(group, scan_index_forward=False, limit=count, page_size=count))
    return list(reversed(found))
