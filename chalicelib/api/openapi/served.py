"""``GET /openapi/<family>.json``: a family's OpenAPI document, naming the server the request reached.

The document's ``servers`` is where the client found it (scheme, host and any
API Gateway stage prefix), so a tool pointed at the document's URL, such as
schemathesis, tests the same deployment it read it from.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.openapi import registry
from chalicelib.api.request_url import base_url

bp = Blueprint(__name__)

SUFFIX = ".json"


@bp.route("/openapi/{name}", methods=["GET"])
def openapi_document(name: str) -> Response:
    found = registry.document(name.removesuffix(SUFFIX)) if name.endswith(SUFFIX) else None
    if found is None:
        return Response(body={"message": f"No API document '{name}'.",
                              "documents": [f"/openapi/{f}{SUFFIX}" for f in registry.families()]},
                        status_code=404, headers={"Content-Type": "application/json"})
    served = {**found, "servers": [{"url": base_url(bp.current_request)}]}
    return Response(body=served, status_code=200, headers={"Content-Type": "application/json"})
