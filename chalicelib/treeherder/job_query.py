"""``GET /api/project/<p>/jobs/``: its parameters, and the jobs they select. Pure.

Which index answers is chosen from the parameters (see ``job_listing``);
the remaining equality filters apply to the jobs that index yields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from chalicelib.store.jobs import StoredJob
from chalicelib.treeherder.params import BadParameter, Params, int_list, int_value

MAX_COUNT = 2000
DEFAULT_COUNT = 10
STRING_FILTERS = ("job_guid", "state", "result", "platform", "job_type_name", "job_type_symbol", "job_group_name",
                  "job_group_symbol", "option_collection_hash", "build_system_type", "build_platform",
                  "machine_name", "who", "reason", "signature", "ref_data_name")
INT_FILTERS = ("tier", "failure_classification_id", "job_type_id", "job_group_id", "build_platform_id")


@dataclass
class JobQuery:
    offset: int = 0
    count: int = DEFAULT_COUNT
    return_type: str = "dict"
    push_id: int | None = None
    ids: list[int] | None = None
    modified_after_ms: int | None = None
    equals: dict[str, Any] = field(default_factory=dict)

    def matches(self, job: StoredJob) -> bool:
        if self.push_id is not None and job.push_id != self.push_id:
            return False
        if self.ids is not None and job.id not in self.ids:
            return False
        if self.modified_after_ms is not None and job.last_modified <= self.modified_after_ms:
            return False
        return all(job.fields.get(name) == value for name, value in self.equals.items())


def _last_modified(raw: str) -> int:
    try:
        moment = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadParameter(f"Invalid value for `last_modified`: {raw[:40]}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


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
    return query
