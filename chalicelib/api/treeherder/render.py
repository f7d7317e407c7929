"""Shipyard's records in Treeherder's shapes: what the Treeherder routes answer. No I/O."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib import config
from chalicelib.pushlog import json_pushes
from chalicelib.store.branches import Branch
from chalicelib.store.jobs import StoredJob
from chalicelib.store.pushes import Push

MAX_REVISIONS = 20  # commits shown per push, newest first

# The job keys of Treeherder's job list, in its order (``return_type=list`` uses it).
JOB_PROPERTY_NAMES = (
    "build_architecture", "build_os", "build_platform", "build_platform_id", "build_system_type",
    "end_timestamp", "failure_classification_id", "id", "job_group_description", "job_group_id",
    "job_group_name", "job_group_symbol", "job_guid", "job_type_description", "job_type_id", "job_type_name",
    "job_type_symbol", "last_modified", "machine_name", "machine_platform_architecture", "machine_platform_os",
    "option_collection_hash", "platform", "push_id", "reason", "ref_data_name", "result", "result_set_id",
    "signature", "start_timestamp", "state", "submit_timestamp", "tier", "who", "platform_option",
)


def push(record: Push, repository_id: int) -> dict[str, Any]:
    commits = list(reversed(record.changesets))  # stored oldest first, shown newest first
    return {
        "id": record.pushlog_id,
        "revision": record.tip,
        "author": record.user,
        "revisions": [{"result_set_id": record.pushlog_id, "repository_id": repository_id,
                       "revision": c["node"], "author": c.get("author", ""), "comments": c.get("desc", "")}
                      for c in commits[:MAX_REVISIONS]],
        "revision_count": len(record.changesets),
        "push_timestamp": record.date,
        "repository_id": repository_id,
    }


def iso_ms(milliseconds: int) -> str:
    """Treeherder's ``last_modified``: ISO 8601, UTC, microseconds, no offset."""
    moment = dt.datetime.fromtimestamp(milliseconds / 1000, tz=dt.UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def job(record: StoredJob) -> dict[str, Any]:
    fields = record.fields
    values = {name: fields.get(name) for name in JOB_PROPERTY_NAMES}
    values.update(id=record.id, push_id=record.push_id, result_set_id=record.push_id,
                  last_modified=iso_ms(record.last_modified))
    return values


def job_row(record: StoredJob) -> list[Any]:
    rendered = job(record)
    return [rendered[name] for name in JOB_PROPERTY_NAMES]


def repository(branch: Branch) -> dict[str, Any]:

    return {
        "id": branch.repository_id,
        "repository_group": {"name": "shipyard", "description": "Pushlog branches synced by Shipyard"},
        "name": branch.repository,
        "dvcs_type": "hg",
        "url": json_pushes.branch_url(branch.uri, config.hg_host()),
        "branch": None,
        "codebase": "gecko",
        "description": f"{branch.name} (pushlog branch)",
        "active_status": "active",
        "performance_alerts_enabled": True,
        "expire_performance_data": False,
        "is_try_repo": branch.repository == "try",
    }
