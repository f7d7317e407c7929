"""A small reference CI for the local stack: it performs self-serve job requests and reports back.

On AWS, the build-requests queue is consumed by the real CI. Locally (flag
``SHIPYARD_REFERENCE_CI``, on unless "0"), this consumer stands in for it, in
the event pump, as its own Chalice app (``app``), so nothing in Shipyard's
app consumes the queue it only publishes to. For each job request it:

- makes the action's build requests (new builds at a revision, nightly, PGO,
  one builder, rebuilds; ``count`` of them) as Treeherder jobs: it reports
  each pending on the Treeherder job queue — the job ingest every CI uses —
  then, ``SHIPYARD_REFERENCE_CI_STEP`` seconds apart, running and completed
  (success). A step is a delayed message to itself, which first reads the
  job: a job cancelled meanwhile is left cancelled;
- cancels (cancel_build, cancel_request, cancel_revision): reports each
  target job completed with result ``usercancel``;
- reprioritizes: nothing to do here, there is no real queue of machines;
- then sends the result on the results queue, naming the jobs it made, which
  completes the job request.

Job guids derive from the job request id, so a redelivered request reports
the same jobs again, which the job ingest stores once.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from chalice import Chalice
from chalice.app import SQSEvent

from chalicelib import config
from chalicelib.selfserve import actions
from chalicelib.store import jobs as job_store
from chalicelib.store import queues
from chalicelib.workers.messages import BatchResponse, each_record

log = logging.getLogger(__name__)

app = Chalice(app_name="shipyard-reference-ci")

STEP = "reference_ci_step"
DEFAULT_PLATFORM = {"os_name": "linux", "platform": "linux64", "architecture": "x86_64"}
NEW_BUILD_NAMES = {
    actions.NEW_BUILD_AT_REVISION: ("build", "B"),
    actions.NEW_NIGHTLY_AT_REVISION: ("nightly", "N"),
    actions.NEW_PGOBUILD_AT_REVISION: ("pgo-build", "P"),
}
MACHINE = "ref-ci-linux64-001"


def _platform(target: dict[str, Any], prefix: str) -> dict[str, str]:
    if prefix == "build":
        keys = ("build_os", "build_platform", "build_architecture")
    else:
        keys = ("machine_platform_os", "platform", "machine_platform_architecture")
    if not all(target.get(k) for k in keys):
        return dict(DEFAULT_PLATFORM)
    return {"os_name": target[keys[0]], "platform": target[keys[1]], "architecture": target[keys[2]]}


def _job(request: dict[str, Any], guid: str, revision: str, name: str, symbol: str,
         template: dict[str, Any] | None = None) -> dict[str, Any]:
    template = template or {}
    return {"project": request["repository"], "revision": revision,
            "job": {"job_guid": guid, "name": name, "job_symbol": symbol,
                    "group_name": template.get("job_group_name") or "self-serve",
                    "group_symbol": template.get("job_group_symbol") or "SS", "state": "pending",
                    "result": "unknown", "build_system_type": "buildbot",
                    "build_platform": _platform(template, "build"), "machine_platform": _platform(template, "machine"),
                    "submit_timestamp": int(time.time()), "who": request["who"][:255],
                    "reason": f"self-serve {request['action']} (job request {request['request_id']})"}}


def new_jobs(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The pending job messages of the build requests an action makes."""
    action, what, request_id = request["action"], request["what"], request["request_id"]
    count = int(what.get("count") or 1)
    if action in NEW_BUILD_NAMES:
        kind, symbol = NEW_BUILD_NAMES[action]
        made = [("Linux x86-64 " + request["branch"] + " " + kind, symbol, what["revision"], None)]
    elif action == actions.NEW_BUILD_FOR_BUILDER:
        made = [(what["builder"], "B", what["revision"], None)]
    elif action in (actions.REBUILD_BUILD, actions.REBUILD_REQUEST):
        made = [(t["job_type_name"], t["job_type_symbol"], t["revision"], t) for t in what.get("targets", [])]
    else:
        return []
    return [_job(request, f"ref-ci-{request_id}-{i}", revision, name, symbol, template)
            for i, (name, symbol, revision, template) in enumerate(made * count)]


def cancelled_jobs(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The job messages reporting an action's unfinished targets cancelled."""
    if request["action"] not in (actions.CANCEL_BUILD, actions.CANCEL_REQUEST, actions.CANCEL_REVISION):
        return []
    found = []
    for target in request["what"].get("targets", []):
        if target.get("state") == "completed":
            continue
        message = _job(request, target["job_guid"], target["revision"], target["job_type_name"],
                       target["job_type_symbol"], target)
        job = message["job"]
        job.update(state="completed", result="usercancel", submit_timestamp=int(target.get("submit_timestamp") or 0),
                   who=target.get("who") or job["who"], reason=target.get("reason") or job["reason"],
                   end_timestamp=int(time.time()))
        if target.get("start_timestamp"):
            job.update(start_timestamp=int(target["start_timestamp"]), machine=target.get("machine_name") or MACHINE)
        found.append(message)
    return found


def _report(message: dict[str, Any]) -> None:
    queues.send(config.TREEHERDER_JOBS_QUEUE, message)


def _schedule_step(message: dict[str, Any], state: str) -> None:
    queues.send(config.SELFSERVE_BUILD_REQUESTS_QUEUE, {STEP: {"state": state, "message": message}},
                delay_seconds=config.reference_ci_step_seconds())


def perform(request: dict[str, Any]) -> None:
    """Do one job request, then report its result."""
    made = new_jobs(request)
    for message in made:
        _report(message)
        _schedule_step(message, "running")
    cancelled = cancelled_jobs(request)
    for message in cancelled:
        _report(message)
    guids = [m["job"]["job_guid"] for m in made]
    if made:
        msg = f"{len(made)} build request(s) made"
    elif cancelled:
        msg = f"{len(cancelled)} job(s) cancelled"
    else:
        msg = f"{request['action']} done"
    queues.send(config.SELFSERVE_RESULTS_QUEUE, {"request_id": request["request_id"], "status": "OK", "msg": msg,
                                                 "job_guids": guids, "completed_at": int(time.time())})


def advance(step: dict[str, Any]) -> None:
    """Move a job made here one state on, unless it finished meanwhile (cancelled)."""
    message, state = step["message"], step["state"]
    stored = job_store.by_guid(message["job"]["job_guid"])
    if stored is not None and stored.state == "completed":
        return
    now = int(time.time())
    job = dict(message["job"], state=state, machine=MACHINE, start_timestamp=job_start(stored, now))
    if state == "completed":
        job.update(result="success", end_timestamp=now)
    advanced = {**message, "job": job}
    _report(advanced)
    if state == "running":
        _schedule_step(advanced, "completed")


def job_start(stored: job_store.StoredJob | None, now: int) -> int:
    started = int(stored.fields.get("start_timestamp") or 0) if stored is not None else 0
    return started or now


def _perform_one(body: str) -> None:
    message = json.loads(body)
    if STEP in message:
        advance(message[STEP])
        return
    perform(message)
    log.info("reference CI: job request %s (%s) performed", message.get("request_id"), message.get("action"))


def _drop(body: str, reason: str, message_id: str | None) -> None:
    """A message the reference CI cannot read is dropped (the real CI would keep it; this one is a stand-in)."""


@app.on_sqs_message(queue=config.queue_name(config.SELFSERVE_BUILD_REQUESTS_QUEUE), batch_size=10)
def perform_job_requests(event: SQSEvent) -> BatchResponse:
    return each_record(event, _perform_one, (ValueError, KeyError, TypeError), _drop, "reference CI: message")
