"""An update URL's full answer (status, content type, body), before any storage concern.

Shared by the HTTP route (over the store) and the differential test (over a
fixed corpus), so both exercise the same decisions: Balrog's strict query
string (400 for a parameter the URL version does not take), its BadDataError
400s, and the update.xml otherwise.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from chalicelib.balrog.blobs import RenderContext
from chalicelib.balrog.evaluation import Sources, answer_json_query, answer_update_query
from chalicelib.balrog.query_errors import BadUpdateQuery
from chalicelib.balrog.update_query import (
    JSON_QUERY_PARAMETERS,
    QUERY_PARAMETERS,
    parse_json_query,
    parse_update_query,
)
from chalicelib.balrog.update_xml import empty_update_xml

XML_TYPE = "text/xml; charset=utf-8"
PROBLEM_TYPE = "application/problem+json"
JSON_TYPE = "application/json"
HTML_TYPE = "text/html; charset=utf-8"  # Balrog's bare 404 (a Flask Response without a body)
TEXT_TYPE = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class UpdateResponse:
    status: int
    content_type: str
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


_EMPTY_PIN = ("'' should be non-empty\n\nFailed validating 'minLength' in schema:\n    {'name': 'pin',\n"
              "     'in': 'query',\n     'description': 'pin',\n     'type': 'string',\n     'minLength': 1}\n\n"
              "On instance:\n    ''")


def _problem(detail: str, title: str | None = None) -> UpdateResponse:
    """Balrog's OpenAPI layer's 400 (application/problem+json)."""
    body = {"detail": detail, "status": 400, "title": title, "type": "about:blank"}
    return UpdateResponse(400, PROBLEM_TYPE, json.dumps(body, indent=2) + "\n")


def respond(version: int, segments: Mapping[str, str], query_params: Mapping[str, str], user_agent: str | None,
            sources: Sources, ctx: RenderContext) -> UpdateResponse:
    """The answer to ``/update/{version}/{segments…}/update.xml?{query_params}`` (segments percent-decoded)."""
    extra = sorted(set(query_params) - QUERY_PARAMETERS[version])
    if extra:
        return _problem(f"Extra query parameter(s) {', '.join(extra)} not in spec")
    if query_params.get("pin") == "":
        return _problem(_EMPTY_PIN, "Bad Request")
    if any("/" in value for value in segments.values()):
        # An encoded slash (%2F) splits the path in Balrog's router: no route, its 404 handler's empty answer.
        return UpdateResponse(200, XML_TYPE, empty_update_xml())
    segments = dict(segments)
    if version == 3 and segments["version"].endswith("esrpre"):
        segments["version"] = segments["version"].removesuffix("esrpre")  # bug 1133250: old ESR nightlies
    query = parse_update_query(version, segments, query_params, user_agent)
    try:
        answer = answer_update_query(query, sources, ctx)
    except BadUpdateQuery as bad:
        return UpdateResponse(400, TEXT_TYPE, html.escape(str(bad), quote=False))
    return UpdateResponse(200, XML_TYPE, answer.body,
                          {"Rule-ID": str(answer.rule_id), "Rule-Data-Version": str(answer.rule_data_version)},
                          answer.notes)


def respond_json(version: int, segments: Mapping[str, str], query_params: Mapping[str, str], sources: Sources,
                 ctx: RenderContext) -> UpdateResponse:
    """The answer to ``/json/{version}/{segments…}/update.json``: Guardian's update object, or an empty 404."""
    extra = sorted(set(query_params) - JSON_QUERY_PARAMETERS)
    if extra:
        return _problem(f"Extra query parameter(s) {', '.join(extra)} not in spec")
    query = parse_json_query(version, segments, query_params)
    answer = answer_json_query(query, sources, ctx)
    headers = {"Rule-ID": str(answer.rule_id), "Rule-Data-Version": str(answer.rule_data_version)}
    if answer.body is None:
        return UpdateResponse(404, HTML_TYPE, "", headers)
    return UpdateResponse(200, JSON_TYPE, json.dumps(answer.body), headers)
