"""Per-run metrics of a series group, in push order.

Key: ``group_key`` (project, branch, product, platform, build type, test: the
runs whose pages are compared with each other) and ``order_key`` (push id,
run date, test run id: the position in the branch's push order, with ties
broken the same way whatever the arrival order). Each item carries the run's
per-page results *and* each page's series state after the run (threshold and
trend), so a recomputation from any run forward needs only a Query.

Both are packed (``store.packed_json``: one compressed binary attribute
each), with each page's mean packed once more on its own: the series reads
(alert detection over a window of 128 runs, Perfherder's points) project
that small attribute instead of decoding every page's results. Items written
before the packing hold the same values as DynamoDB maps (``pages``,
``state``); they are read as they are, and rewritten packed when a replay
recomputes them.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta
from chalicelib.store.packed_json import PackedJSONAttribute


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
    results = PackedJSONAttribute(null=True)  # page -> results and replicate summary
    after = PackedJSONAttribute(null=True)  # page -> threshold and trend after this run
    means = PackedJSONAttribute(null=True)  # page -> mean (null when the page has none): what series read
    # Items written before the packed attributes: the same values as DynamoDB maps.
    pages = MapAttribute(null=True)
    state = MapAttribute(null=True)


_POSITION = ["group_key", "order_key", "project", "test_run_id", "revision", "push_id", "pushlog_id", "push_date"]
# What each read projects: a packed attribute and, for items from before the packing, its map.
_STATE = ["group_key", "order_key", "after", "state"]
_RESULTS = [*_POSITION, "results", "pages"]
_MEANS = [*_POSITION, "means", "pages"]


def record(group: str, order: str, *, project: str, test_run_id: int, revision: str, push_id: int,
           pushlog_id: int, push_date: int, results: dict[str, dict[str, Any]],
           after: dict[str, dict[str, Any]]) -> MetricsRecord:
    """A run's metrics item: its page results and the series state after it, packed."""
    return MetricsRecord(group, order, project=project, test_run_id=test_run_id, revision=revision,
                         push_id=push_id, pushlog_id=pushlog_id, push_date=push_date, results=results,
                         after=after, means={page: result.get("mean") for page, result in results.items()})


def results_of(rec: MetricsRecord) -> dict[str, dict[str, Any]]:
    """The run's page results (page -> fields)."""
    return rec.results if rec.results is not None else plain(rec.pages) or {}


def state_of(rec: MetricsRecord) -> dict[str, dict[str, Any]]:
    """Each page's series state after the run."""
    return rec.after if rec.after is not None else plain(rec.state) or {}


def means_of(rec: MetricsRecord) -> dict[str, float | None]:
    """Each page's mean (None when the page has none), every page of the run named."""
    if rec.means is not None:
        return rec.means
    return {page: result.get("mean") for page, result in results_of(rec).items()}


def same(a: MetricsRecord, b: MetricsRecord) -> bool:
    """Whether two items of one run hold the same metrics (a rewrite would change nothing)."""
    return (a.results is not None and b.results is not None and a.results == b.results and a.after == b.after
            and all(getattr(a, name) == getattr(b, name) for name in _POSITION))


def order_key(push_id: int, date_run: int, test_run_id: int) -> str:
    return f"{push_id:012d}#{date_run:012d}#{test_run_id:012d}"


def state_before(group: str, order: str) -> dict[str, dict[str, Any]]:
    """The series state the group's runs before ``order`` left (one Query, one item, its state alone)."""
    for rec in MetricsRecord.query(group, MetricsRecord.order_key < order, scan_index_forward=False, limit=1,
                                   attributes_to_get=_STATE):
        return state_of(rec)
    return {}


def from_onwards(group: str, order: str) -> list[MetricsRecord]:
    """The run at ``order`` (when stored) and every run after it in the group, oldest first (one paged Query)."""
    return list(MetricsRecord.query(group, MetricsRecord.order_key >= order))


def between(group: str, low: str, high: str) -> Iterator[MetricsRecord]:
    """The group's runs with ``low <= order_key <= high``, oldest first, with their means (one paged Query)."""
    return MetricsRecord.query(group, MetricsRecord.order_key.between(low, high), attributes_to_get=_MEANS)


def save_all(records: Iterable[MetricsRecord]) -> None:
    """BatchWriteItem, 25 items a call."""
    with MetricsRecord.batch_write() as batch:
        for rec in records:
            batch.save(rec)


def get_many(keys: list[tuple[str, str]]) -> Iterator[MetricsRecord]:
    """The runs' page results, BatchGetItem, 100 keys a call."""
    for start in range(0, len(keys), 100):
        yield from MetricsRecord.batch_get(keys[start:start + 100], attributes_to_get=_RESULTS)


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
    """The group's last ``count`` runs with their page results, oldest first (one Query, read back to front)."""
    found = list(MetricsRecord.query(group, scan_index_forward=False, limit=count, page_size=count,
                                     attributes_to_get=_RESULTS))
    return list(reversed(found))


def latest_means(group: str, count: int) -> list[MetricsRecord]:
    """As ``latest``, with each page's mean only (what alert detection reads)."""
    found = list(MetricsRecord.query(group, scan_index_forward=False, limit=count, page_size=count,
                                     attributes_to_get=_MEANS))
    return list(reversed(found))
