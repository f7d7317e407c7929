"""Self-serve job request actions and the message the CI receives for one. Pure.

The message on the build-requests queue carries everything the CI needs to
perform the action without asking Shipyard back::

    {"action": "rebuild_build", "request_id": 12, "who": "admin", "when": 1700000000,
     "branch": "mozilla-central", "repository": "mozilla-central",
     "what": {"build_id": 7, "priority": 0, "count": 1, "targets": [<job>, ...]}}

``targets`` are the stored jobs an action is about (the build to rebuild or
cancel, a revision's unfinished jobs), in Treeherder's job fields.
"""

from __future__ import annotations

from typing import Any

REPRIORITIZE = "reprioritize"
CANCEL_REQUEST = "cancel_request"
CANCEL_BUILD = "cancel_build"
REBUILD_BUILD = "rebuild_build"
REBUILD_REQUEST = "rebuild_request"
CANCEL_REVISION = "cancel_revision"
NEW_BUILD_AT_REVISION = "new_build_at_revision"
NEW_PGOBUILD_AT_REVISION = "new_pgobuild_at_revision"
NEW_NIGHTLY_AT_REVISION = "new_nightly_at_revision"
NEW_BUILD_FOR_BUILDER = "new_build_for_builder"
ACTIONS = (REPRIORITIZE, CANCEL_REQUEST, CANCEL_BUILD, REBUILD_BUILD, REBUILD_REQUEST, CANCEL_REVISION,
           NEW_BUILD_AT_REVISION, NEW_PGOBUILD_AT_REVISION, NEW_NIGHTLY_AT_REVISION, NEW_BUILD_FOR_BUILDER)
# Actions that make new build requests: their result names the new jobs, annotated with priority/properties.
CREATING = frozenset({REBUILD_BUILD, REBUILD_REQUEST, NEW_BUILD_AT_REVISION, NEW_PGOBUILD_AT_REVISION,
                      NEW_NIGHTLY_AT_REVISION, NEW_BUILD_FOR_BUILDER})
MAX_TARGETS = 200  # jobs one message may name (a message stays far below SQS's 256 KiB)

# The stored job fields a target carries: what the CI needs to report the job again.
TARGET_FIELDS = ("job_guid", "revision", "job_type_name", "job_type_symbol", "job_group_name", "job_group_symbol",
                 "build_os", "build_platform", "build_architecture", "machine_platform_os", "platform",
                 "machine_platform_architecture", "platform_option", "build_system_type", "state",
                 "submit_timestamp", "start_timestamp", "machine_name", "reason", "who", "tier")


def target(job_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    return {"job_id": job_id, **{k: fields[k] for k in TARGET_FIELDS if k in fields}}


def message(action: str, request_id: int, who: str, when: int, branch: str, repository: str,
            what: dict[str, Any]) -> dict[str, Any]:
    return {"action": action, "request_id": request_id, "who": who, "when": when, "branch": branch,
            "repository": repository, "what": what}
