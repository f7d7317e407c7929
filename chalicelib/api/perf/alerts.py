"""``GET /<project>/alerts/`` and ``PUT /<project>/alerts/<id>``: performance alerts and their triage;
``GET /<project>/alertsummaries`` and ``GET|PUT /<project>/alertsummaries/<id>``: a push's alerts together.

Shipyard's own endpoints, in Datazilla's envelope (``{"status", "message"}``
errors, the project's routes: routes of the Datazilla family). Listing
filters: ``branch``, ``test``, ``status``, ``since`` (push date, unix
seconds), ``limit`` (1–1000, default 100) and ``cursor`` (from the previous
page's ``next``). Triage needs the project's OAuth credentials (two-legged,
signed in the ``Authorization`` header, as an upload is) or a bearer token
of a user holding the ``admin`` permission (the tokens Balrog uses): 401
without credentials or with an unknown token, 403 for a bad signature or a
user without the permission. The credentials are checked in the handler,
after the project is found, because OAuth's are the project's own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from chalice import Blueprint

from chalicelib import config, safe_json
from chalicelib.api.datazilla.family import DATAZILLA
from chalicelib.api.datazilla.params import int_param
from chalicelib.api.kit.documents import documented
from chalicelib.api.kit.openapi_parts import answer, body, operation, query_param, response_ref, schema_ref
from chalicelib.api.kit.refusal import Refusal
from chalicelib.api.perf.openapi import (
    ALERT,
    ERRORS,
    NOT_FOUND,
    PROJECT,
    SUMMARY,
    SUMMARY_NOT_FOUND,
    TAG,
    TRIAGE_ERRORS,
    page_of,
    read,
)
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
TRIAGERS: list[dict[str, list[str]]] = [{"oauth1": []}, {"bearer": []}]
LIMIT = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}


def _bad_request(err: ValueError) -> Refusal:
    return Refusal(400, "Bad request", detail=str(err))


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


@documented(read("list_alerts", "A project's alerts, newest push first, a page at a time", {
    200: page_of("alerts", "Alert"), 400: response_ref("BadRequest"), **ERRORS}, [
    PROJECT,
    query_param("branch", "Only this branch's alerts."),
    query_param("test", "Only this test's alerts."),
    query_param("status", "Only alerts in this status.", {"enum": ["", *STATUSES]}),
    query_param("since", "Only alerts on pushes at or after this time (unix seconds).",
                {"type": "integer", "minimum": 0}),
    query_param("limit", "Alerts per page (default 100).", LIMIT),
    query_param("cursor", "The previous page's `next`; another value is 400."),
]))
def list_alerts(project: Project) -> dict[str, Any]:
    """Alerts newest push first; ``next`` is the cursor of the following page (null on the last)."""
    try:
        found, cursor = alerts.listing(_query(project))
    except ValueError as err:
        raise _bad_request(err) from None
    return {"alerts": found, "next": cursor}


def _who(project: Project) -> str:
    """The user a triage request is made by; a 401 or 403 refusal otherwise."""
    request = bp.current_request
    headers = dict(request.headers)
    if bearer.bearer_token(headers) is not None:
        username = bearer.authenticate(headers)
        if username is None:
            raise Refusal(401, "Unknown bearer token.")
        if not allowed(permissions.of_user(username), "admin", "modify"):
            raise Refusal(403, "Permission denied", detail=f"user '{username}' may not triage alerts")
        return username
    if not oauth1.has_credentials({}, headers):
        raise Refusal(401, "No credentials provided.",
                      detail="Sign with the project's OAuth credentials or send Authorization: Bearer <token>.")
    verdict = oauth1.verify(
        project, full_url(request), request.method, request.raw_body or b"",
        {"Authorization": headers.get("authorization", ""), "Content-Type": headers.get("content-type", "")},
        config.oauth_timestamp_window(), nonces.remember)
    if not verdict.ok:
        log.info("alert triage for %s refused: %s", project.name, verdict.reason)
        raise Refusal(403, "Oauth verification error.")
    return f"oauth:{project.oauth_consumer_key}"


def _triage(project: Project, item_id: str, statuses: Sequence[str],
            store_triage: Callable[..., dict[str, Any] | None], what: str) -> dict[str, Any]:
    """One triage of an alert or a summary: who asks, the status asked for, then the store's write (404 if none)."""
    user = _who(project)
    try:
        request_body = safe_json.loads(bp.current_request.raw_body or b"")
        status = parse_status(request_body, statuses)
    except safe_json.UnsafeJson as err:
        raise Refusal(400, "Malformed JSON", detail=str(err)) from None
    except ValueError as err:
        raise _bad_request(err) from None
    updated = store_triage(project.name, item_id, status, user, request_body.get("note"))
    if updated is None:
        raise Refusal(404, f"Unknown {what} '{item_id}'")
    return updated


@documented(read("get_alert", "One alert", {
    200: answer("The alert.", schema_ref("Alert")), 404: NOT_FOUND, 503: response_ref("ServiceUnavailable")},
    [PROJECT, ALERT]))
def get_alert(project: Project, alert_id: str) -> dict[str, Any]:
    found = alerts.get(project.name, alert_id)
    if found is None:
        raise Refusal(404, f"Unknown alert '{alert_id}'")
    return found


@documented(operation(
    "triage_alert", "Set an alert's status, with an optional note", {
        200: answer("The alert, triaged.", schema_ref("Alert")), **TRIAGE_ERRORS,
        404: NOT_FOUND, 503: response_ref("ServiceUnavailable")},
    parameters=[PROJECT, ALERT],
    request_body=body({"application/json": schema_ref("Triage")}, "The new status.", required=True,
                      examples={"application/json": {"status": "acknowledged", "note": "bug 1234567"}}),
    security=TRIAGERS, tags=TAG,
    description="Signed with the project's OAuth credentials (two-legged, in the `Authorization` header), or a "
                "bearer token of a user holding the `admin` permission."))
def triage_alert(project: Project, alert_id: str) -> dict[str, Any]:
    """Set an alert's status (Perfherder's: untriaged / downstream / reassigned / invalid / acknowledged)."""
    return _triage(project, alert_id, STATUSES, alerts.triage, "alert")


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


@documented(read("list_alert_summaries", "A project's alert summaries, newest push first, a page at a time", {
    200: page_of("summaries", "AlertSummary"), 400: response_ref("BadRequest"), **ERRORS}, [
    PROJECT,
    query_param("branch", "Only this branch's summaries."),
    query_param("status", "Only summaries in this status.", {"enum": ["", *SUMMARY_STATUSES]}),
    query_param("limit", "Summaries per page (default 100).", LIMIT),
    query_param("cursor", "The previous page's `next`; another value is 400."),
]))
def list_alert_summaries(project: Project) -> dict[str, Any]:
    """Alert summaries newest push first; ``next`` is the cursor of the following page (null on the last)."""
    try:
        found, cursor = alerts.summaries(_summary_query(project))
    except ValueError as err:
        raise _bad_request(err) from None
    return {"summaries": found, "next": cursor}


@documented(read("get_alert_summary", "One alert summary, with its alerts", {
    200: answer("The summary.", schema_ref("AlertSummary")), 404: SUMMARY_NOT_FOUND,
    503: response_ref("ServiceUnavailable")}, [PROJECT, SUMMARY]))
def get_alert_summary(project: Project, summary_id: str) -> dict[str, Any]:
    found = alerts.summary(project.name, summary_id)
    if found is None:
        raise Refusal(404, f"Unknown alert summary '{summary_id}'")
    return found


@documented(operation(
    "triage_alert_summary", "Set an alert summary's status, with an optional note", {
        200: answer("The summary, triaged, with its alerts.", schema_ref("AlertSummary")), **TRIAGE_ERRORS,
        404: SUMMARY_NOT_FOUND, 503: response_ref("ServiceUnavailable")},
    parameters=[PROJECT, SUMMARY],
    request_body=body({"application/json": schema_ref("SummaryTriage")}, "The new status.", required=True,
                      examples={"application/json": {"status": "backedout", "note": "bug 1234567"}}),
    security=TRIAGERS, tags=TAG,
    description="The same credentials as an alert's triage."))
def triage_alert_summary(project: Project, summary_id: str) -> dict[str, Any]:
    """Set a summary's status (Perfherder's: untriaged … backedout), with an optional note; same credentials."""
    return _triage(project, summary_id, SUMMARY_STATUSES, alerts.triage_summary, "alert summary")


DATAZILLA.route(bp, "/{project}/alerts", {"GET": list_alerts})
DATAZILLA.route(bp, "/{project}/alerts/{alert_id}", {"GET": get_alert, "PUT": triage_alert})
DATAZILLA.route(bp, "/{project}/alertsummaries", {"GET": list_alert_summaries})
DATAZILLA.route(bp, "/{project}/alertsummaries/{summary_id}", {"GET": get_alert_summary, "PUT": triage_alert_summary})
