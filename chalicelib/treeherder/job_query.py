"""``GET /api/project/<p>/jobs/``: its parameters, and the jobs they select. Pure.

Which index answers is chosen from the parameters (see ``job_listing``);
the remaining equality filters apply to the jobs that index yields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from chalicelib.treeherder.jobs import StoredJob
from chalicelib.treeherder.params import BadParameter, Params, int_list, int_value, timestamp

MAX_COUNT = 2000
DEFAULT_COUNT = 10
SIMILAR_COUNT = 50  # similar_jobs' default page
# Treeherder's JobFilter (treeherder/webapp/api/jobs.py, 2019): exact text filters...
STRING_FILTERS = ("job_guid", "state", "result", "platform", "job_type_name", "job_type_symbol", "job_group_name",
                  "job_group_symbol", "option_collection_hash", "build_system_type", "build_platform",
                  "machine_name", "who", "reason", "signature", "ref_data_name", "build_architecture", "build_os",
                  "machine_platform_architecture", "machine_platform_os")
# ...exact number filters...
INT_FILTERS = ("failure_classification_id", "job_type_id", "job_group_id", "build_platform_id")
# ...and the fields with lt/lte/exact/gt/gte lookups (``result_set_id`` is ``push_id``, as Treeherder renames it).
RANGES = ("tier", "id", "push_id")
TIME_RANGES = {"submit_time": "submit_timestamp", "start_time": "start_timestamp", "end_time": "end_timestamp"}
LOOKUPS = {"lt": lambda a, b: a < b, "lte": lambda a, b: a <= b, "gt": lambda a, b: a > b,
           "gte": lambda a, b: a >= b, "exact": lambda a, b: a == b}
IN_FILTERS = ("id__in", "tier__in", "push_id__in", "job_guid__in")


@dataclass(frozen=True)
class Condition:
    """One filter: a job value (by name) compared with a given value."""

    name: str  # "id", "push_id", "last_modified" (ms), or a field of the job
    lookup: str  # a key of LOOKUPS, or "in"
    value: Any

    def holds(self, job: StoredJob) -> bool:
        if self.name == "id":
            actual: Any = job.id
        elif self.name == "push_id":
            actual = job.push_id
        elif self.name == "last_modified":
            actual = job.last_modified
        elif self.name == "job_guid":
            actual = job.job_guid
        else:
            actual = job.fields.get(self.name)
        if self.lookup == "in":
            return actual in self.value
        if actual is None:
            return False
        try:
            return bool(LOOKUPS[self.lookup](actual, self.value))
        except TypeError:  # a stored value of another type never matches
            return False


@dataclass
class JobQuery:
    offset: int = 0
    count: int = DEFAULT_COUNT
    return_type: str = "dict"
    push_id: int | None = None
    ids: list[int] | None = None
    modified_after_ms: int | None = None
    equals: dict[str, Any] = field(default_factory=dict)
    conditions: list[Condition] = field(default_factory=list)
    job_type_id: int | None = None  # similar jobs: the job's type
    exclude_id: int | None = None  # similar jobs: not the job itself

    def matches(self, job: StoredJob) -> bool:
        if self.push_id is not None and job.push_id != self.push_id:
            return False
        if self.ids is not None and job.id not in self.ids:
            return False
        if self.modified_after_ms is not None and job.last_modified <= self.modified_after_ms:
            return False
        if self.exclude_id is not None and job.id == self.exclude_id:
            return False
        if self.job_type_id is not None and job.fields.get("job_type_id") != self.job_type_id:
            return False
        if not all(c.holds(job) for c in self.conditions):
            return False
        return all(job.fields.get(name) == value for name, value in self.equals.items())

    @property
    def filtered(self) -> bool:
        """Whether jobs are filtered beyond the index that lists them (reads then go on past the page)."""
        return bool(self.equals or self.conditions or self.job_type_id is not None)


def _moment_ms(raw: str, name: str) -> int:
    try:
        moment = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadParameter(f"Invalid date value for `{name}`: {raw[:40]}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


def _last_modified(raw: str) -> int:
    return _moment_ms(raw, "last_modified")


def _split(name: str) -> tuple[str, str]:
    base, _, lookup = name.rpartition("__")
    return (base, lookup) if base and lookup in LOOKUPS else (name, "exact")


def _conditions(params: Params) -> list[Condition]:
    """The range, time and list filters of Treeherder's JobFilter; names it does not know are ignored."""
    out: list[Condition] = []
    for raw_name in params.names():
        value = params.get(raw_name)
        if not value:
            continue
        name = raw_name.replace("result_set_id", "push_id", 1) if raw_name.startswith("result_set_id") else raw_name
        if name in IN_FILTERS:
            base = name.removesuffix("__in")
            values = [v.strip() for v in value.split(",") if v.strip()]
            wanted = set(values) if base == "job_guid" else set(int_list(values, name))
            out.append(Condition(base, "in", wanted))
            continue
        if name in ("submit_timestamp", "start_timestamp", "end_timestamp"):  # legacy: exact, in seconds
            out.append(Condition(name, "exact", timestamp(value, name)))
            continue
        base, lookup = _split(name)
        if base in RANGES and not (base in ("id", "push_id") and lookup == "exact"):
            out.append(Condition(base, lookup, int_value(value, name)))
        elif base in TIME_RANGES:
            out.append(Condition(TIME_RANGES[base], lookup, _moment_ms(value, name) / 1000))
        elif base == "last_modified" and lookup != "gt":
            out.append(Condition("last_modified", lookup, _moment_ms(value, name)))
    return out


def parse(params: Params) -> JobQuery:
    query = JobQuery()
    query.offset = int_value(params.get("offset"), "offset") or 0
    count = int_value(params.get("count"), "count")
    query.count = DEFAULT_COUNT if count is None else count
    if query.offset < 0 or query.count < 0:
        raise BadParameter("offset and count must be at least 0")
    if query.count > MAX_COUNT:
        raise BadParameter(f"Specified count exceeds API MAX_JOBS_COUNT value: {MAX_COUNT}")
    query.return_type = (params.get("return_type") or "dict").lower()
    if query.return_type not in ("dict", "list"):
        raise BadParameter("return_type must be dict or list")
    query.push_id = int_value(params.get("push_id") or params.get("result_set_id"), "push_id")
    if params.getlist("id__in"):
        query.ids = int_list(params.getlist("id__in"), "id__in")
    elif params.get("id"):
        query.ids = [int_value(params.get("id"), "id")]  # type: ignore[list-item]
    if params.get("last_modified__gt"):
        query.modified_after_ms = _last_modified(params.get("last_modified__gt") or "")
    for name in STRING_FILTERS:
        value = params.get(name)
        if value:
            query.equals[name] = value
    for name in INT_FILTERS:
        value = int_value(params.get(name), name)
        if value is not None:
            query.equals[name] = value
    tier = int_value(params.get("tier"), "tier")
    if tier is not None:
        query.equals["tier"] = tier
    query.conditions = [c for c in _conditions(params) if c.name != "tier" or c.lookup != "exact"]
    return query
