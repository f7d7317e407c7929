"""The public update endpoints: Balrog's ``/update/{1..6}/…/update.xml`` and Guardian's ``/json/{1,2}/…``.

Every URL version Balrog serves has its own route (so API Gateway routes it,
not only the local server). Any other path under the update prefix
(``/update/6/`` with nine segments, ``/update/7/…``) reaches the app's
catch-all (:mod:`chalicelib.api.unknown_paths`), which answers as Balrog's
404 handler answers update clients: 200 and an empty ``<updates>``. Balrog's
400s are kept: an unknown query parameter (its OpenAPI layer is strict), an
invalid version or pin, a platform or locale the chosen release does not
have, a Guardian blob asked for as update.xml.

Per repeat request: one GetItem for the rules' generation, one for the
release record, one per partial's "from" release; rules and blobs come from
the process cache otherwise (see :mod:`chalicelib.store.balrog_update_cache`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from chalice import Response

from chalicelib import config
from chalicelib.api.balrog.family import blueprint, public
from chalicelib.api.balrog.openapi import NO_AUTH, UPDATE_QUERY_TEXT, update_parameter
from chalicelib.api.kit import openapi_parts as oa
from chalicelib.balrog.blobs import RenderContext
from chalicelib.balrog.domains import PRODUCTION_SPECIAL_FORCE_HOSTS
from chalicelib.balrog.evaluation import Sources
from chalicelib.balrog.update_query import JSON_SEGMENTS, QUERY_PARAMETERS, SEGMENTS
from chalicelib.balrog.update_response import UpdateResponse, respond, respond_json
from chalicelib.balrog.update_xml import empty_update_xml
from chalicelib.services.balrog.allowlist import domain_allowlist
from chalicelib.store import balrog_update_cache as cache
from chalicelib.store.errors import TRANSIENT, refused_values

log = logging.getLogger(__name__)

bp = blueprint(__name__, mount="/update")
json_bp = blueprint(f"{__name__}.json", mount="/json")  # Guardian's update.json

# What Balrog's public app sends with every answer.
COMMON_HEADERS = {
    "Cache-Control": "public, max-age=90",
    "Strict-Transport-Security": "max-age=31536000;",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
XML = {"Content-Type": "text/xml; charset=utf-8", **COMMON_HEADERS}


def json_route_for(version: int) -> str:
    """``/1/{product}/{version}/{buildTarget}/{channel}/update.json``: the route of one JSON URL version."""
    return f"/{version}/" + "/".join(f"{{{name}}}" for name in JSON_SEGMENTS[version]) + "/update.json"


def route_for(version: int) -> str:
    """``/6/{product}/…/{distVersion}/update.xml``: the route of one URL version."""
    return f"/{version}/" + "/".join(f"{{{name}}}" for name in SEGMENTS[version]) + "/update.xml"


def render_context() -> RenderContext:
    """The allowlist and special force hosts this deployment applies (production's unless configured)."""
    return RenderContext(
        allowlist=domain_allowlist(),
        special_force_hosts=tuple(config.balrog_special_force_hosts() or PRODUCTION_SPECIAL_FORCE_HOSTS),
        lookup_release=cache.release_blob,
    )


def _sources() -> Sources:
    view = cache.RequestView()  # emergency shutoffs and rules from one read of the rules' generation
    return Sources(rules_for=view.product_rules, release=cache.release_blob, release_product=cache.release_product,
                   updates_disabled=view.shut_off)


def no_update() -> Response:
    """Balrog's answer to an update path no URL version has (its 404 handler): 200, no update."""
    return _xml(empty_update_xml())


def _xml(body: str, rule_id: object = "unknown", rule_data_version: object = "unknown") -> Response:
    return Response(body=body, status_code=200,
                    headers={**XML, "Rule-ID": str(rule_id), "Rule-Data-Version": str(rule_data_version)})


def _answer(version: int, params: Mapping[str, str], *, json_endpoint: bool = False) -> Response:
    request = bp.current_request if not json_endpoint else json_bp.current_request
    segments = dict(params)  # decoded once by API Gateway (and the local server)
    query_params = dict(request.query_params or {})
    answer: UpdateResponse
    try:
        if json_endpoint:
            answer = respond_json(version, segments, query_params, _sources(), render_context())
        else:
            answer = respond(version, segments, query_params, request.headers.get("user-agent"), _sources(),
                             render_context())
    except TRANSIENT as err:
        if refused_values(err):  # an update query no rule can match: no update, as always 200
            log.warning("storage refused the values of an update query: %s", err)
            return _xml(empty_update_xml())
        log.error("update query failed on storage: %s", err.__class__.__name__)
        return Response(body=empty_update_xml(), status_code=503, headers=XML)
    for note in answer.notes:
        log.warning("update query for %s: %s", segments.get("product"), note)
    return Response(body=answer.body, status_code=answer.status,
                    headers={**COMMON_HEADERS, "Content-Type": answer.content_type, **answer.headers})


XML_TEXT = {"type": "string", "pattern": "^<\\?xml"}
JSON_ANSWER = {"type": "object", "properties": {
    "version": {"type": "string"}, "url": {"type": "string"}, "required": {"type": "boolean"},
    "hashFunction": {"type": "string"}, "hashValue": {"type": "string"}}}


def _xml_operation(version: int) -> dict:
    return oa.operation(
        f"update_xml_v{version}", f"The update a client of URL version {version} should apply, if any", {
            200: oa.answer("Balrog's update XML; an empty `<updates>` when there is no update.", XML_TEXT,
                           media="text/xml"),
            400: {**oa.answer("A query Balrog refuses: an unknown query parameter or an empty pin (a problem "
                              "body, as Balrog's OpenAPI layer answers), an invalid version or pin, a platform or "
                              "locale the release lacks (plain text).", {"type": "string"}, media="text/plain"),
                  "content": {"text/plain": {"schema": {"type": "string"}},
                              "application/problem+json": {"schema": {"type": "object"}}}},
            503: oa.answer("Storage is unavailable: an empty `<updates>`; retry later.", XML_TEXT, media="text/xml")},
        parameters=[*(update_parameter(name) for name in SEGMENTS[version]),
                    *(oa.query_param(name, text) for name, text in UPDATE_QUERY_TEXT.items()
                      if name in QUERY_PARAMETERS[version])],
        security=NO_AUTH, tags=["balrog update"],
    )


def _json_operation(version: int) -> dict:
    return oa.operation(
        f"update_json_v{version}", "The update a Guardian (Mozilla VPN) client should apply", {
            200: oa.answer("The update: version, installer URL and hash, whether it is required; `{}` when the "
                           "installer's host is not allowlisted for the product.", JSON_ANSWER),
            400: oa.answer("A query parameter other than `force` (a problem body).", {"type": "object"},
                           media="application/problem+json"),
            404: oa.answer("No update (an empty body).", {"type": "string"}, media="text/html")},
        parameters=[*(update_parameter(name) for name in JSON_SEGMENTS[version]),
                    oa.query_param("force", UPDATE_QUERY_TEXT["force"])],
        security=NO_AUTH, tags=["balrog update"],
    )


@public(bp, route_for(1), ["GET"], _xml_operation(1))
def update_v1(**params: str) -> Response:
    return _answer(1, params)


@public(bp, route_for(2), ["GET"], _xml_operation(2))
def update_v2(**params: str) -> Response:
    return _answer(2, params)


@public(bp, route_for(3), ["GET"], _xml_operation(3))
def update_v3(**params: str) -> Response:
    return _answer(3, params)


@public(bp, route_for(4), ["GET"], _xml_operation(4))
def update_v4(**params: str) -> Response:
    return _answer(4, params)


@public(bp, route_for(5), ["GET"], _xml_operation(5))
def update_v5(**params: str) -> Response:
    return _answer(5, params)


@public(bp, route_for(6), ["GET"], _xml_operation(6))
def update_v6(**params: str) -> Response:
    return _answer(6, params)


@public(json_bp, json_route_for(1), ["GET"], _json_operation(1))
def update_json_v1(**params: str) -> Response:
    return _answer(1, params, json_endpoint=True)


@public(json_bp, json_route_for(2), ["GET"], _json_operation(2))
def update_json_v2(**params: str) -> Response:
    return _answer(2, params, json_endpoint=True)
