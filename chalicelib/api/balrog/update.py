"""The public update endpoint: which release, if any, a Firefox should update to.

Always 200 with update XML (an empty ``<updates>`` when there is none), as
Balrog answers: update clients treat anything else as a failure to retry.
Per request: one GetItem for the rules' generation, one for the release
record; rules and blobs come from the process cache otherwise.
"""

from __future__ import annotations

import logging
import random
from urllib.parse import unquote

from chalice import Blueprint, Response

from chalicelib.balrog.matching import UpdateQuery, choose_rule, fallback_channel, resolve_mapping
from chalicelib.balrog.update_xml import empty_update_xml, render_update_xml
from chalicelib.store import balrog_update_cache as cache
from chalicelib.store.errors import TRANSIENT, refused_values

log = logging.getLogger(__name__)

bp = Blueprint(__name__)

XML = {"Content-Type": "text/xml; charset=utf-8"}
ROUTE = ("/{v}/{product}/{version}/{buildID}/{buildTarget}/{locale}/{channel}/{osVersion}/{distribution}"
         "/{distVersion}/update.xml")


def _force(raw: str | None) -> int | None:
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def _query(params: dict[str, str]) -> UpdateQuery:
    args = {k: unquote(v) for k, v in params.items()}
    return UpdateQuery(
        product=args["product"], version=args["version"], buildID=args["buildID"],
        buildTarget=args["buildTarget"], locale=args["locale"], channel=args["channel"],
        osVersion=args["osVersion"], distribution=args["distribution"], distVersion=args["distVersion"],
        force=_force((bp.current_request.query_params or {}).get("force")),
    )


@bp.route(ROUTE, methods=["GET"])
def update(**params: str) -> Response:
    query = _query(params)
    try:
        product_rules = cache.product_rules(query.product)
        if cache.shut_off(query.product, query.channel) or cache.shut_off(query.product,
                                                                          fallback_channel(query.channel)):
            return Response(body=empty_update_xml(), status_code=200, headers=XML)  # Balrog: updates disabled
        rule = choose_rule(product_rules, query)
        mapping = resolve_mapping(rule, query, random.randint(0, 99)) if rule is not None else None  # noqa: S311
        blob = cache.release_blob(mapping) if mapping else None
        if blob is None:
            return Response(body=empty_update_xml(), status_code=200, headers=XML)
        body = render_update_xml(blob, query, rule.get("update_type") or "minor",
                                 lookup_release=cache.release_blob)
    except TRANSIENT as err:
        if refused_values(err):  # an update query no rule can match: no update, as always 200
            log.warning("storage refused the values of an update query: %s", err)
            return Response(body=empty_update_xml(), status_code=200, headers=XML)
        log.error("update query failed on storage: %s", err.__class__.__name__)
        return Response(body=empty_update_xml(), status_code=503, headers=XML)
    return Response(body=body, status_code=200, headers=XML)
