"""The OpenAPI pieces of the perf pages (``chalicelib/api/perf``: alerts, the graph page) in Datazilla's document.

They are served under Datazilla's project paths (``/{project}/alerts``,
``/{project}/graphs``) in Datazilla's envelope, so they are routes of the
Datazilla family ("perf" is not an API family of its own) and their
operations are declared beside their handlers. Their schemas are added to
Datazilla's document here (:func:`chalicelib.api.kit.documents.add_components`);
the error bodies and the shared answers (``DatazillaError``, ``BadRequest``,
``ProjectNotFound``, ``ServiceUnavailable``) and the schemes (``oauth1``,
``bearer``) are Datazilla's own components.
"""

from __future__ import annotations

from typing import Any

from chalicelib.api.datazilla.family import DATAZILLA
from chalicelib.api.datazilla.openapi import error
from chalicelib.api.kit import documents
from chalicelib.api.kit.auth import PUBLIC
from chalicelib.api.kit.openapi_parts import answer, operation, path_param, response_ref, schema_ref
from chalicelib.perf.alerts import STATUSES, SUMMARY_STATUSES

TAG = ["perf"]
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


def obj(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties) if required is None else required,
            **extra}


PLATFORM = obj({"os": STRING, "osversion": STRING, "processor": STRING, "build_type": STRING})

SCHEMAS: dict[str, Any] = {
    "Alert": obj({
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
    "AlertSummary": obj({
        "id": STRING, "project": STRING, "branch": STRING, "push_id": INTEGER, "prev_push_id": INTEGER,
        "push_date": INTEGER, "revision": STRING, "status": {"enum": list(SUMMARY_STATUSES)}, "note": STRING_OR_NULL,
        "created": INTEGER, "updated": INTEGER, "triaged_by": STRING_OR_NULL,
        "triaged_at": {"type": ["integer", "null"]},
        "alerts": {"type": "array", "items": schema_ref("Alert")},
    }, required=["id", "project", "branch", "push_id", "prev_push_id", "push_date", "revision", "status", "note",
                 "created", "updated", "triaged_by", "triaged_at"],
        description="Perfherder's alert summary: the alerts of one push on one branch, triaged together "
                    "(`alerts` only in the one-summary view)."),
    "SummaryTriage": obj({"status": {"enum": list(SUMMARY_STATUSES)},
                              "note": {"type": ["string", "null"], "maxLength": MAX_NOTE}},
                             required=["status"], additionalProperties=False),
    "Triage": obj({"status": {"enum": list(STATUSES)},
                       "note": {"type": ["string", "null"], "maxLength": MAX_NOTE}},
                      required=["status"], additionalProperties=False),
    "SeriesGroup": obj({"series": STRING, "branch": STRING, "product": STRING, "test": STRING,
                            "platform": PLATFORM, "pages": {"type": "array", "items": STRING}}),
    "GraphPoint": obj({
        "test_run_id": INTEGER, "push_id": INTEGER, "pushlog_id": INTEGER, "push_date": INTEGER, "revision": STRING,
        "mean": NUMBER, "stddev": {"type": ["number", "null"]}, "n_replicates": {"type": ["integer", "null"]},
        "trend_mean": {"type": ["number", "null"]}, "test_evaluation": {"type": ["boolean", "null"]},
        "author": STRING, "desc": STRING, "pusher": STRING, "summary_url": STRING,
    }),
    "GraphSeries": obj({
        "series": STRING, "branch": STRING, "product": STRING, "test": STRING, "platform": PLATFORM, "page": STRING,
        "points": {"type": "array", "items": schema_ref("GraphPoint")},
        "alerts": {"type": "array", "items": schema_ref("Alert")},
    }),
}

documents.add_components(DATAZILLA.name, {"schemas": SCHEMAS})


PROJECT = path_param("project", "A Datazilla project.", example="talos")
ALERT = path_param("alert_id", "An alert's id (from the listing).", example=EXAMPLE_ALERT)
SUMMARY = path_param("summary_id", "An alert summary's id (from the listing or an alert's `summary`).",
                     example="001300000000-0123456789ab")
ERRORS = {404: response_ref("ProjectNotFound"), 503: response_ref("ServiceUnavailable")}
NOT_FOUND = error("No such project, or no such alert in it.")
SUMMARY_NOT_FOUND = error("No such project, or no such alert summary in it.")
TRIAGE_ERRORS = {
    400: error("`Malformed JSON`, or `Bad request`: not an object, an unknown status or field, a note that "
               "is not a string of at most 1000 characters."),
    401: error("`No credentials provided.` or `Unknown bearer token.`"),
    403: error("`Oauth verification error.` (a bad signature, or a body without its `oauth_body_hash`), or "
               "`Permission denied` (a user without the "
               "`admin` permission).")}


def read(operation_id: str, summary: str, responses: dict[Any, Any], parameters: list[Any]) -> dict[str, Any]:
    """A GET open to anyone."""
    return operation(operation_id, summary, responses, parameters=parameters, security=PUBLIC, tags=TAG)


def page_of(items: str, schema: str) -> dict[str, Any]:
    """A listing's page: its items and the cursor of the next page."""
    return answer("A page; `next` is the cursor of the following one (null on the last).", obj({
        items: {"type": "array", "items": schema_ref(schema)}, "next": STRING_OR_NULL}))
