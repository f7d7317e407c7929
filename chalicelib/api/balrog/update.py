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

from chalice import Blueprint, Response

from chalicelib import config
from chalicelib.balrog.blobs import RenderContext
from chalicelib.balrog.domains import PRODUCTION_ALLOWLIST, PRODUCTION_SPECIAL_FORCE_HOSTS
from chalicelib.balrog.evaluation import Sources
from chalicelib.balrog.update_query import JSON_SEGMENTS, SEGMENTS
from chalicelib.balrog.update_response import UpdateResponse, respond, respond_json
from chalicelib.balrog.update_xml import empty_update_xml
from chalicelib.store import balrog_update_cache as cache
from chalicelib.store.errors import TRANSIENT, refused_values

log = logging.getLogger(__name__)

bp = Blueprint(__name__)
json_bp = Blueprint(f"{__name__}.json")  # mounted at /balrog/json: Guardian's update.json

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
        allowlist=config.balrog_domain_allowlist() or PRODUCTION_ALLOWLIST,
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


@bp.route(route_for(1), methods=["GET"])
def update_v1(**params: str) -> Response:
    return _answer(1, params)


@bp.route(route_for(2), methods=["GET"])
def update_v2(**params: str) -> Response:
    return _answer(2, params)


@bp.route(route_for(3), methods=["GET"])
def update_v3(**params: str) -> Response:
    return _answer(3, params)


@bp.route(route_for(4), methods=["GET"])
def update_v4(**params: str) -> Response:
    return _answer(4, params)


@bp.route(route_for(5), methods=["GET"])
def update_v5(**params: str) -> Response:
    return _answer(5, params)


@bp.route(route_for(6), methods=["GET"])
def update_v6(**params: str) -> Response:
    return _answer(6, params)


@json_bp.route(json_route_for(1), methods=["GET"])
def update_json_v1(**params: str) -> Response:
    return _answer(1, params, json_endpoint=True)


@json_bp.route(json_route_for(2), methods=["GET"])
def update_json_v2(**params: str) -> Response:
    return _answer(2, params, json_endpoint=True)
