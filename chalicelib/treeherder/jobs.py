"""A validated job message as Shipyard's job record. Pure.

The record is general on purpose: BuildAPI's builds and build requests are
jobs too (``job_type_name`` is the buildername), so it keeps name, state,
result, the three timestamps, who and reason whatever system sent it.
States only move forward (pending -> running -> completed): the rank says how
far a message has got, and the store refuses a message ranked below the
stored job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.treeherder.reference import NOT_CLASSIFIED, option_collection_hash, reference_signature

STATE_RANK = {"pending": 0, "running": 1, "completed": 2}
DEFAULT_GROUP_NAME = "unknown"
DEFAULT_GROUP_SYMBOL = "?"
DEFAULT_BUILD_SYSTEM = "buildbot"

# Names each reference id is registered under (chalicelib/store/refdata.py kinds).
REF_KINDS = {"job_type_id": "job_types", "job_group_id": "job_groups", "build_platform_id": "build_platforms"}


@dataclass(frozen=True)
class StoredJob:
    """A job as the store keeps it: the record's fields plus the ids the store gave it."""

    id: int
    job_guid: str
    repository: str  # the branch
    push_id: int
    last_modified: int  # milliseconds
    fields: dict[str, Any]

    @property
    def state(self) -> str:
        return self.fields["state"]


def state_rank(state: str) -> int:
    return STATE_RANK[state]


def job_fields(message: dict[str, Any]) -> dict[str, Any]:
    """The job record of a (validated) message, in Treeherder's field names."""
    job = message["job"]
    machine = job["machine_platform"]
    build = job.get("build_platform") or machine
    options = sorted(job.get("option_collection") or {"opt": True})
    collection = option_collection_hash(options)
    build_system = job.get("build_system_type", DEFAULT_BUILD_SYSTEM)
    group_name = job.get("group_name") or DEFAULT_GROUP_NAME
    group_symbol = job.get("group_symbol") or DEFAULT_GROUP_SYMBOL
    state = job["state"]
    return {
        "job_guid": job["job_guid"],
        "revision": message["revision"].lower(),
        "build_architecture": build["architecture"],
        "build_os": build["os_name"],
        "build_platform": build["platform"],
        "build_system_type": build_system,
        "machine_name": job.get("machine") or "unknown",
        "machine_platform_architecture": machine["architecture"],
        "machine_platform_os": machine["os_name"],
        "platform": machine["platform"],
        "job_type_name": job["name"],
        "job_type_symbol": job["job_symbol"],
        "job_type_description": job.get("desc", ""),
        "job_group_name": group_name,
        "job_group_symbol": group_symbol,
        "job_group_description": "",
        "option_collection_hash": collection,
        "platform_option": " ".join(options),
        "state": state,
        "result": job.get("result", "unknown"),
        "submit_timestamp": job["submit_timestamp"],
        "start_timestamp": job.get("start_timestamp", 0),
        "end_timestamp": job.get("end_timestamp", 0),
        "reason": job.get("reason", ""),
        "who": job.get("who", ""),
        "tier": job.get("tier", 1),
        "product_name": job.get("product_name", ""),
        "failure_classification_id": NOT_CLASSIFIED,
        "ref_data_name": job["name"],
        "signature": reference_signature(build_system, build["os_name"], build["platform"], build["architecture"],
                                         machine["os_name"], machine["platform"], machine["architecture"],
                                         collection, job["name"], job["job_symbol"], group_name, group_symbol),
    }


def reference_names(fields: dict[str, Any]) -> dict[str, str]:
    """The names a job's reference ids stand for, by id field."""
    return {
        "job_type_id": f"{fields['job_type_name']}#{fields['job_type_symbol']}",
        "job_group_id": f"{fields['job_group_name']}#{fields['job_group_symbol']}",
        "build_platform_id": f"{fields['build_os']}#{fields['build_platform']}#{fields['build_architecture']}",
    }


def details(message: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The message's job details; None when it carries none (the stored ones stay)."""
    found = message["job"].get("job_details")
    if found is None:
        return None
    return [{"title": d["title"], "value": d.get("value", ""), "url": d.get("url")} for d in found]


def log_references(message: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The message's log references; None when it carries none (the stored ones stay)."""
    found = message["job"].get("log_references")
    if found is None:
        return None
    return [{"name": r["name"], "url": r["url"], "parse_status": r.get("parse_status", "pending")} for r in found]
