"""The paths of ``chalicelib/api/perf`` (alerts, the graph page), for the Datazilla document.

They are served under Datazilla's project paths (``/{project}/alerts``,
``/{project}/graphs``) in Datazilla's envelope, so they belong to its
document ("perf" is not an API family of its own): ``datazilla/openapi.py``
merges :data:`SCHEMAS` and :func:`paths` in. The error bodies and the shared
answers (``DatazillaError``, ``BadRequest``, ``ProjectNotFound``,
``ServiceUnavailable``) are the Datazilla document's components; the
schemes (``oauth1``, ``bearer``) are declared there too.
"""

from __future__ import annotations

from typing import Any

from chalicelib.api.kit.openapi_parts import (
    answer,
    body,
    operation,
    path_param,
    query_param,
    response_ref,
    schema_ref,
    segment,
)
from chalicelib.api.perf import graphs
from chalicelib.api.perf.alerts import MAX_LIMIT
from chalicelib.perf.alerts import STATUSES, SUMMARY_STATUSES

TAG = ["perf"]
NO_AUTH: list[dict[str, list[str]]] = []
TRIAGERS: list[dict[str, list[str]]] = [{"oauth1": []}, {"bearer": []}]

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
STRING_OR_NULL = {"type": ["string", "null"]}
NOT_BLANK = {"type": "string", "pattern": r"\S"}
MAX_NOTE = 1000

# What the local stack's Datazilla seed makes (tests/support/api_fuzzing.py waits for them): the series group of its
# runs, and the alert of the step it puts in one of the group's pages.
EXAMPLE_SERIES = "talos#Mozilla-Inbound#Firefox#linux#Fedora 12#x86_64#opt#Talos tp5n"
EXAMPLE_PAGE = "amazon.com"
EXAMPLE_ALERT = "a2049358adc0ac23977d"


def _object(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties) if required is None else required,
            **extra}


PLATFORM = _object({"os": STRING, "osversion": STRING, "processor": STRING, "build_type": STRING})

SCHEMAS: dict[str, Any] = {
    "Alert": _object({
        "id": STRING, "alert_id": STRING, "project": STRING, "series": STRING, "page": STRING, "branch": STRING,
        "product": STRING, "test": STRING, "platform": PLATFORM, "push_id": INTEGER, "prev_push_id": INTEGER,
        "pushlog_id": INTEGER, "push_date": INTEGER, "revision": STRING, "prev_value": NUMBER, "new_value": NUMBER,
        "magnitude": NUMBER, "direction": {"enum": ["regression", "improvement"]}, "confidence": NUMBER,
        "detectors": {"type": "array", "items": STRING}, "status": {"enum": list(STATUSES)}, "note": STRING_OR_NULL,
        "created": INTEGER, "updated": INTEGER, "triaged_by": STRING_OR_NULL,
        "triaged_at": {"type": ["integer", "null"]},
        "amount_abs": {"type": ["number", "null"]}, "t_value": {"type": ["number", "null"]},
        "is_regression": {"type": "boolean"}, "summary": STRING_OR_NULL,
    }, description="A performance alert: a step in one page's series, placed on the push that caused it. "
                   "`magnitude` is Perfherder's amount_pct, `amount_abs` new − prev, `t_value` the detector's "
                   "statistic, `direction`/`is_regression` from the series' lower_is_better."),
    "AlertSummary": _object({
        "id": STRING, "project": STRING, "branch": STRING, "push_id": INTEGER, "prev_push_id": INTEGER,
        "push_date": INTEGER, "revision": STRING, "status": {"enum": list(SUMMARY_STATUSES)}, "note": STRING_OR_NULL,
        "created": INTEGER, "updated": INTEGER, "triaged_by": STRING_OR_NULL,
        "triaged_at": {"type": ["integer", "null"]},
        "alerts": {"type": "array", "items": schema_ref("Alert")},
    }, required=["id", "project", "branch", "push_id", "prev_push_id", "push_date", "revision", "status", "note",
                 "created", "updated", "triaged_by", "triaged_at"],
        description="Perfherder's alert summary: the alerts of one push on one branch, triaged together "
                    "(`alerts` only in the one-summary view)."),
    "SummaryTriage": _object({"status": {"enum": list(SUMMARY_STATUSES)},
                              "note": {"type": ["string", "null"], "maxLength": MAX_NOTE}},
                             required=["status"], additionalProperties=False),
    "Triage": _object({"status": {"enum": list(STATUSES)},
                       "note": {"type": ["string", "null"], "maxLength": MAX_NOTE}},
                      required=["status"], additionalProperties=False),
    "SeriesGroup": _object({"series": STRING, "branch": STRING, "product": STRING, "test": STRING,
                            "platform": PLATFORM, "pages": {"type": "array", "items": STRING}}),
    "GraphPoint": _object({
        "test_run_id": INTEGER, "push_id": INTEGER, "pushlog_id": INTEGER, "push_date": INTEGER, "revision": STRING,
        "mean": NUMBER, "stddev": {"type": ["number", "null"]}, "n_replicates": {"type": ["integer", "null"]},
        "trend_mean": {"type": ["number", "null"]}, "test_evaluation": {"type": ["boolean", "null"]},
        "author": STRING, "desc": STRING, "pusher": STRING, "summary_url": STRING,
    }),
    "GraphSeries": _object({
        "series": STRING, "branch": STRING, "product": STRING, "test": STRING, "platform": PLATFORM, "page": STRING,
        "points": {"type": "array", "items": schema_ref("GraphPoint")},
        "alerts": {"type": "array", "items": schema_ref("Alert")},
    }),
}


def _error(description: str) -> dict[str, Any]:
    return answer(description, schema_ref("DatazillaError"))


PROJECT = path_param("project", "A Datazilla project.", example="talos")
ALERT = path_param("alert_id", "An alert's id (from the listing).", example=EXAMPLE_ALERT)
ERRORS = {404: response_ref("ProjectNotFound"), 503: response_ref("ServiceUnavailable")}
NOT_FOUND = _error("No such project, or no such alert in it.")


def _get(operation_id: str, summary: str, responses: dict[Any, Any], parameters: list[Any]) -> dict[str, Any]:
    return {"get": operation(operation_id, summary, responses, parameters=parameters, security=NO_AUTH, tags=TAG)}


def _alerts() -> dict[str, Any]:
    listing = _get("list_alerts", "A project's alerts, newest push first, a page at a time", {
        200: answer("A page; `next` is the cursor of the following one (null on the last).", _object({
            "alerts": {"type": "array", "items": schema_ref("Alert")}, "next": STRING_OR_NULL})),
        400: response_ref("BadRequest"), **ERRORS}, [
        PROJECT,
        query_param("branch", "Only this branch's alerts."),
        query_param("test", "Only this test's alerts."),
        query_param("status", "Only alerts in this status.", {"enum": ["", *STATUSES]}),
        query_param("since", "Only alerts on pushes at or after this time (unix seconds).",
                    {"type": "integer", "minimum": 0}),
        query_param("limit", "Alerts per page (default 100).", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
        query_param("cursor", "The previous page's `next`; another value is 400."),
    ])
    triage = operation(
        "triage_alert", "Set an alert's status, with an optional note", {
            200: answer("The alert, triaged.", schema_ref("Alert")),
            400: _error("`Malformed JSON`, or `Bad request`: not an object, an unknown status or field, a note that "
                        "is not a string of at most 1000 characters."),
            401: _error("`No credentials provided.` or `Unknown bearer token.`"),
            403: _error("`Oauth verification error.` (a bad signature), or `Permission denied` (a user without the "
                        "`admin` permission)."),
            404: NOT_FOUND, 503: response_ref("ServiceUnavailable")},
        parameters=[PROJECT, ALERT],
        request_body=body({"application/json": schema_ref("Triage")}, "The new status.", required=True,
                          examples={"application/json": {"status": "acknowledged", "note": "bug 1234567"}}),
        security=TRIAGERS, tags=TAG,
        description="Signed with the project's OAuth credentials (two-legged, in the `Authorization` header), or a "
                    "bearer token of a user holding the `admin` permission.")
    summary_param = path_param("summary_id", "An alert summary's id (from the listing or an alert's `summary`).",
                               example="001300000000-0123456789ab")
    summary_listing = _get("list_alert_summaries", "A project's alert summaries, newest push first, a page at a time", {
        200: answer("A page; `next` is the cursor of the following one (null on the last).", _object({
            "summaries": {"type": "array", "items": schema_ref("AlertSummary")}, "next": STRING_OR_NULL})),
        400: response_ref("BadRequest"), **ERRORS}, [
        PROJECT,
        query_param("branch", "Only this branch's summaries."),
        query_param("status", "Only summaries in this status.", {"enum": ["", *SUMMARY_STATUSES]}),
        query_param("limit", "Summaries per page (default 100).",
                    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
        query_param("cursor", "The previous page's `next`; another value is 400."),
    ])
    summary_not_found = _error("No such project, or no such alert summary in it.")
    summary_triage = operation(
        "triage_alert_summary", "Set an alert summary's status, with an optional note", {
            200: answer("The summary, triaged, with its alerts.", schema_ref("AlertSummary")),
            400: _error("`Malformed JSON`, or `Bad request`: not an object, an unknown status or field, a note that "
                        "is not a string of at most 1000 characters."),
            401: _error("`No credentials provided.` or `Unknown bearer token.`"),
            403: _error("`Oauth verification error.` (a bad signature), or `Permission denied` (a user without the "
                        "`admin` permission)."),
            404: summary_not_found, 503: response_ref("ServiceUnavailable")},
        parameters=[PROJECT, summary_param],
        request_body=body({"application/json": schema_ref("SummaryTriage")}, "The new status.", required=True,
                          examples={"application/json": {"status": "backedout", "note": "bug 1234567"}}),
        security=TRIAGERS, tags=TAG,
        description="The same credentials as an alert's triage.")
    return {
        "/{project}/alertsummaries": summary_listing,
        "/{project}/alertsummaries/{summary_id}": {
            **_get("get_alert_summary", "One alert summary, with its alerts", {
                200: answer("The summary.", schema_ref("AlertSummary")), 404: summary_not_found,
                503: response_ref("ServiceUnavailable")}, [PROJECT, summary_param]),
            "put": summary_triage,
        },
        "/{project}/alerts": listing,
        "/{project}/alerts/{alert_id}": {
            **_get("get_alert", "One alert", {200: answer("The alert.", schema_ref("Alert")), 404: NOT_FOUND,
                                             503: response_ref("ServiceUnavailable")}, [PROJECT, ALERT]),
            "put": triage,
        },
    }


def _graphs() -> dict[str, Any]:
    assets = {"description": "The asset.", "headers": {"Cache-Control": {"schema": STRING}},
              "content": {media.split(";")[0]: {"schema": STRING} for media in graphs.CONTENT_TYPES.values()}}
    return {
        "/{project}/graphs": _get("graph_page", "The graph page (HTML)", {
            200: answer("The page.", STRING, media="text/html"), **ERRORS}, [PROJECT]),
        "/static/graphs/{name}": _get("graph_asset", "The graph page's script and stylesheet", {
            200: assets, 404: _error("No such asset."), 503: response_ref("ServiceUnavailable")},
            [path_param("name", "The asset; another is 404.", segment(enum=sorted(graphs.CONTENT_TYPES)),
                        example="graphs.js")]),
        "/{project}/graphs/options": _get("graph_options", "The project's series groups and their pages", {
            200: answer("The groups.", _object({"series": {"type": "array", "items": schema_ref("SeriesGroup")}})),
            **ERRORS}, [PROJECT]),
        "/{project}/graphs/series": _get("graph_series", "A page's last runs, with their pushes and alerts", {
            200: answer("The points, oldest first, and the page's alerts.", schema_ref("GraphSeries")),
            400: response_ref("BadRequest"),
            404: _error("No such project, or no such series group in it."),
            503: response_ref("ServiceUnavailable")}, [
            PROJECT,
            query_param("series", "A series group key (`series` of `/graphs/options`).", NOT_BLANK, required=True,
                        example=EXAMPLE_SERIES),
            query_param("page", "A page of the group.", NOT_BLANK, required=True, example=EXAMPLE_PAGE),
            query_param("runs", f"Runs to show (default {graphs.DEFAULT_RUNS}).",
                        {"type": "integer", "minimum": 1, "maximum": graphs.MAX_RUNS}),
        ]),
    }


def paths() -> dict[str, Any]:
    return {**_alerts(), **_graphs()}
