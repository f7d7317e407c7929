"""``GET /<project>/alerts/`` and ``PUT /<project>/alerts/<id>``: performance alerts and their triage;
``GET /<project>/alertsummaries`` and ``GET|PUT /<project>/alertsummaries/<id>``: a push's alerts together.

Shipyard's own endpoints, in Datazilla's envelope (``{"status", "message"}``
errors, the project's routes). Listing filters: ``branch``, ``test``,
``status``, ``since`` (push date, unix seconds), ``limit`` (1–1000, default
100) and ``cursor`` (from the previous page's ``next``). Triage needs the
project's OAuth credentials (two-legged, signed in the ``Authorization``
header, as an upload is) or a bearer token of a user holding the ``admin``
permission (the tokens Balrog uses): 401 without credentials or with an
unknown token, 403 for a bad signature or a user without the permission.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from chalice import Blueprint, Response

from chalicelib import config, safe_json
from chalicelib.api.datazilla.common import answer, int_param, problem, project_route
from chalicelib.api.request_url import full_url
from chalicelib.auth import bearer, oauth1
from chalicelib.balrog.permissions import allowed
from chalicelib.perf.alerts import STATUSES, SUMMARY_STATUSES, parse_status
from chalicelib.store import alerts, nonces
from chalicelib.store.balrog_permissions import permissions
from chalicelib.store.projects import Project

log = logging.getLogger(__name__)

bp = Blueprint(__name__)

MAX_LIMIT = 1000


def _query(project: Project) -> alerts.AlertQuery:
    params = bp.current_request.query_params or {}
    status = (params.get("status") or "").strip() or None
    if status is not None and status not in STATUSES:
        raise ValueError(f"'status' must be one of {', '.join(STATUSES)}; got {status!r}")
    return alerts.AlertQuery(
        project=project.name,
        branch=(params.get("branch") or "").strip() or None,
        test=(params.get("test") or "").strip() or None,
        status=status,
        since=int_param(params, "since"),
        limit=int_param(params, "limit", 100, 1, MAX_LIMIT) or 100,
        cursor=(params.get("cursor") or "").strip() or None,
    )


@bp.route("/{project}/alerts", methods=["GET"])
@project_route
def list_alerts(project: Project) -> Response:
    """Alerts newest push first; ``next`` is the cursor of the following page (null on the last)."""
    try:
        query = _query(project)
        found, cursor = alerts.listing(query)
    except ValueError as err:
        return problem(400, "Bad request", str(err))
    return answer({"alerts": found, "next": cursor})


def _who(project: Project) -> tuple[str | None, Response | None]:
    """The user a triage request is made by, or the 401/403 that refuses it."""
    request = bp.current_request
    headers = dict(request.headers)
    if bearer.bearer_token(headers) is not None:
        username = bearer.authenticate(headers)
        if username is None:
            return None, problem(401, "Unknown bearer token.")
        if not allowed(permissions.of_user(username), "admin", "modify"):
            return None, problem(403, "Permission denied", f"user '{username}' may not triage alerts")
        return username, None
    if not oauth1.has_credentials({}, headers):
        return None, problem(401, "No credentials provided.",
                             "Sign with the project's OAuth credentials or send Authorization: Bearer <token>.")
    verdict = oauth1.verify(
        project, full_url(request), request.method, request.raw_body or b"",
        {"Authorization": headers.get("authorization", ""), "Content-Type": headers.get("content-type", "")},
        config.oauth_timestamp_window(), nonces.remember)
    if not verdict.ok:
        log.info("alert triage for %s refused: %s", project.name, verdict.reason)
        return None, problem(403, "Oauth verification error.")
    return f"oauth:{project.oauth_consumer_key}", None


def _triage(project: Project, item_id: str, statuses: Sequence[str],
            store_triage: Callable[..., dict[str, Any] | None], what: str) -> Response:
    """One triage of an alert or a summary: who asks, the status asked for, then the store's write (404 if none)."""
    user, refusal = _who(project)
    if refusal is not None:
        return refusal
    try:
        body = safe_json.loads(bp.current_request.raw_body or b"")
        status = parse_status(body, statuses)
    except safe_json.UnsafeJson as err:
        return problem(400, "Malformed JSON", str(err))
    except ValueError as err:
        return problem(400, "Bad request", str(err))
    updated = store_triage(project.name, item_id, status, str(user), body.get("note"))
    if updated is None:
        return problem(404, f"Unknown {what} '{item_id}'")
    return answer(updated)


@bp.route("/{project}/alerts/{alert_id}", methods=["PUT"], content_types=["application/json"])
@project_route
def triage_alert(project: Project, alert_id: str) -> Response:
    """Set an alert's status (Perfherder's: untriaged / downstream / reassigned / invalid / acknowledged)."""
    return _triage(project, alert_id, STATUSES, alerts.triage, "alert")


@bp.route("/{project}/alerts/{alert_id}", methods=["GET"])
@project_route
def get_alert(project: Project, alert_id: str) -> Response:
    found = alerts.get(project.name, alert_id)
    if found is None:
        return problem(404, f"Unknown alert '{alert_id}'")
    return answer(found)


# --- alert summaries: a push's alerts, triaged together (Perfherder's /performance/alertsummary/) -----------

def _summary_query(project: Project) -> alerts.SummaryQuery:
    params = bp.current_request.query_params or {}
    status = (params.get("status") or "").strip() or None
    if status is not None and status not in SUMMARY_STATUSES:
        raise ValueError(f"'status' must be one of {', '.join(SUMMARY_STATUSES)}; got {status!r}")
    return alerts.SummaryQuery(
        project=project.name, branch=(params.get("branch") or "").strip() or None, status=status,
        limit=int_param(params, "limit", 100, 1, MAX_LIMIT) or 100,
        cursor=(params.get("cursor") or "").strip() or None)


@bp.route("/{project}/alertsummaries", methods=["GET"])
@project_route
def list_alert_summaries(project: Project) -> Response:
    """Alert summaries newest push first; ``next`` is the cursor of the following page (null on the last)."""
    try:
        found, cursor = alerts.summaries(_summary_query(project))
    except ValueError as err:
        return problem(400, "Bad request", str(err))
    return answer({"summaries": found, "next": cursor})


@bp.route("/{project}/alertsummaries/{summary_id}", methods=["GET"])
@project_route
def get_alert_summary(project: Project, summary_id: str) -> Response:
    found = alerts.summary(project.name, summary_id)
    if found is None:
        return problem(404, f"Unknown alert summary '{summary_id}'")
    return answer(found)


@bp.route("/{project}/alertsummaries/{summary_id}", methods=["PUT"], content_types=["application/json"])
@project_route
def triage_alert_summary(project: Project, summary_id: str) -> Response:
    """Set a summary's status (Perfherder's: untriaged … backedout), with an optional note; same credentials."""
    return _triage(project, summary_id, SUMMARY_STATUSES, alerts.triage_summary, "alert summary")
