"""What self-serve handlers share: the answer, the call, who may change what, and job request submission.

How a request reaches a handler, and how answers and errors look, is the
family's declaration (:mod:`chalicelib.api.selfserve.family`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalice.app import Request

from chalicelib import config
from chalicelib.api.kit.refusal import Refusal
from chalicelib.selfserve import actions
from chalicelib.store import build_requests, queues
from chalicelib.store.balrog_permissions import permissions
from chalicelib.store.branches import Branch
from chalicelib.store.errors import TRANSIENT

log = logging.getLogger(__name__)
access_log = logging.getLogger("chalicelib.selfserve.access")

ADMIN_PERMISSION = "admin"


@dataclass
class Answer:
    data: Any
    status: int = 200
    title: str = "self-serve"


@dataclass
class Call:
    request: Request
    fmt: str
    method: str
    query: dict[str, str]
    form: dict[str, Any]
    params: dict[str, str]
    identify: Callable[[Request], str] = field(repr=False)
    branch: Branch | None = None
    _user: str | None = field(default=None, repr=False)

    @property
    def user(self) -> str:
        """Who asks, as the family's auth finds it (403 without valid credentials); found once, by the
        dispatcher for every write before anything else of the request is judged, never for a read."""
        if self._user is None:
            self._user = self.identify(self.request)
        return self._user

    def require_owner_or_admin(self, owner: str, what: str) -> str:
        """The user, if it made ``what`` or is an admin (holds Balrog's ``admin`` permission unrestricted)."""
        user = self.user
        if user != owner and not is_admin(user):
            raise Refusal(403, f"Access denied: only {owner or 'its requester'} or an admin may change {what}")
        return user


Handler = Callable[[Call], Answer]


def is_admin(user: str) -> bool:
    """A self-serve admin holds Balrog's ``admin`` permission with no product restriction (one Query)."""
    row = permissions.of_user(user).get(ADMIN_PERMISSION)
    return row is not None and not (row.get("options") or {}).get("products")


# --- job requests -------------------------------------------------------------------------------


def submit(call: Call, action: str, what: dict[str, Any], targets: list[dict[str, Any]] | None = None) -> Answer:
    """Record a job request and queue it for the CI → 202 ``{"status": "OK", "request_id": N}``.

    Never half done: a request that cannot be recorded is 503 with nothing
    stored; one recorded but not queued is closed as failed (or, if even that
    write fails, by the sweeper, which closes requests left unsent) and is 503.
    """
    who, branch = call.user, call.branch
    assert branch is not None
    stored_what = {**what, **({"target_ids": [t["job_id"] for t in targets]} if targets is not None else {})}
    try:
        job_request = build_requests.record(action, who, branch.name, stored_what)
    except TRANSIENT as err:
        log.error("%s by %s: not recorded: %s", action, who, type(err).__name__)
        raise Refusal(503, "The job request could not be recorded; retry later") from None
    message = actions.message(action, job_request.request_id, who, job_request.when, branch.name,
                              branch.repository or branch.name.lower(),
                              {**what, **({"targets": targets} if targets is not None else {})})
    try:
        queues.send(config.SELFSERVE_BUILD_REQUESTS_QUEUE, message)
    except TRANSIENT as err:
        log.error("job request %s (%s): not queued: %s", job_request.request_id, action, type(err).__name__)
        try:
            build_requests.mark_failed(job_request.request_id, "The job request could not be queued")
        except TRANSIENT:
            log.error("job request %s: not closed either; the sweeper will", job_request.request_id)
        raise Refusal(503, "The job request could not be queued; retry later") from None
    try:
        build_requests.mark_queued(job_request.request_id)
    except TRANSIENT:
        log.warning("job request %s queued but not marked so; a late result still completes it",
                    job_request.request_id)
    access_log.info("%s %s %s: job request %s", who, action, branch.name, job_request.request_id)
    return Answer({"status": "OK", "msg": f"Job request {job_request.request_id} queued",
                   "request_id": job_request.request_id}, 202, "self-serve: job request accepted")


def now() -> int:
    return int(time.time())
