"""Landing a job message on its push, or keeping it until the push is synced.

One path for the job queue and the Hawk-signed ``POST .../jobs/``:

1. validate the message (``job_schema``); the repository must exist;
2. find the push whose tip is the message's revision (a 12-character revision
   matches by prefix). A revision that names a stored changeset other than a
   push's tip is refused, as Treeherder refuses it;
3. no such push yet: the message is parked under (branch, revision), then the
   push is looked up once more — the pushlog sync stores the push and *then*
   reads the parked messages, so whichever of the two runs second sees the
   other and the job lands exactly when its push exists;
4. upsert the job by guid (``store.jobs.upsert``: created, updated, or stale
   when the stored job is already further on).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from chalicelib.store import branches, pushes, refdata
from chalicelib.store import jobs as job_store
from chalicelib.store.branches import Branch
from chalicelib.store.pushes import Push
from chalicelib.treeherder import jobs, pulse_job
from chalicelib.treeherder.job_schema import InvalidJobMessage, validate

log = logging.getLogger(__name__)

REFDATA_PROJECT = "treeherder"  # reference names (job types, groups, platforms) are global


@dataclass(frozen=True)
class Outcome:
    job_guid: str
    status: str  # created | updated | stale | waiting | skipped
    job_id: int | None = None
    push_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"job_guid": self.job_guid, "status": self.status, "id": self.job_id, "push_id": self.push_id}


def repository_of(message: dict[str, Any]) -> Branch:
    found = branches.resolve_repository(message["project"])
    if found is None:
        raise InvalidJobMessage(f"$.project: no repository named {message['project']!r}")
    return found


def push_of(branch: str, revision: str) -> Push | None:
    """The synced push whose tip is ``revision``; None while it is not synced."""
    changeset = pushes.find_revision(branch, revision)
    if changeset is None:
        return None
    push = pushes.get(branch, int(changeset.push_id))
    if push is None:
        return None  # the changeset is written just before its push
    if not push.tip.startswith(revision.lower()):
        raise InvalidJobMessage(f"$.revision: names a changeset of push {push.pushlog_id} that is not its tip")
    return push


def land(push: Push, message: dict[str, Any]) -> Outcome:
    fields = jobs.job_fields(message)
    names = jobs.reference_names(fields)
    ids = refdata.ids_for(REFDATA_PROJECT, {jobs.REF_KINDS[k]: v for k, v in names.items()})
    fields.update({k: ids[jobs.REF_KINDS[k]] for k in names})
    status, stored = job_store.upsert(push.branch, push.pushlog_id, jobs.state_rank(fields["state"]), fields,
                                      jobs.details(message), jobs.log_references(message))
    return Outcome(fields["job_guid"], status, None if stored is None else stored.id,
                   None if stored is None else stored.push_id)


def ingest(message: Any) -> Outcome:
    """Validate and store one job message (Shipyard's or a Pulse job); :class:`InvalidJobMessage` when it
    cannot be. An unscheduled Pulse job is skipped, as Treeherder skips it."""
    if pulse_job.is_pulse_job(message):
        converted = pulse_job.to_job_message(message)
        if converted is None:
            return Outcome(message["taskId"], "skipped")
        message = converted
    message = validate(message)
    branch = repository_of(message)
    revision = message["revision"].lower()
    push = push_of(branch.name, revision)
    if push is not None:
        return land(push, message)
    guid = message["job"]["job_guid"]
    job_store.park(branch.name, revision, guid, jobs.state_rank(message["job"]["state"]), message)
    push = push_of(branch.name, revision)
    if push is None:
        log.info("job %s waits for the push of %s on %s", guid, revision[:12], branch.name)
        return Outcome(guid, "waiting")
    mine = [o for o in land_waiting(push) if o.job_guid == guid]
    return mine[-1] if mine else land(push, message)  # the sync landed it meanwhile: same state again


def land_waiting(push: Push) -> list[Outcome]:
    """Land every message that waited for this push (called by the pushlog sync for each push)."""
    waiting = job_store.waiting_for(push.branch, push.tip) if push.tip else []
    outcomes = [land(push, w.message) for w in waiting]
    if waiting:
        job_store.unpark(waiting)
        log.info("landed %d waiting job message(s) on push %s of %s", len(waiting), push.pushlog_id, push.branch)
    return outcomes
