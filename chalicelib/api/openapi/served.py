"""``GET /openapi/<family>.json``: a family's OpenAPI document, naming the server the request reached;
``GET /openapi/<family>.html``: the same document as a browsable page.

The document's ``servers`` is where the client found it (scheme, host and any
API Gateway stage prefix), so a tool pointed at the document's URL, such as
schemathesis, tests the same deployment it read it from.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.kit import html_page
from chalicelib.api.openapi import registry
from chalicelib.api.request_url import base_url

bp = Blueprint(__name__)

SUFFIX = ".json"


PAGE_SUFFIX = ".html"


def served_document(family: str, request) -> dict | None:  # noqa: ANN001 - a Chalice request
    """The family's document naming the server the request reached (None: no such family)."""
    found = registry.document(family)
    return None if found is None else {**found, "servers": [{"url": base_url(request)}]}


def page(family: str, request) -> Response | None:  # noqa: ANN001 - a Chalice request
    """The family's document as an HTML page (None: no such family)."""
    served = served_document(family, request)
    if served is None:
        return None
    return Response(body=html_page.render(served, f"{base_url(request)}/openapi/{family}{SUFFIX}"),
                    status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})


@bp.route("/openapi/{name}", methods=["GET"], content_types=["*/*"])  # a GET reads no body: any Content-Type
def openapi_document(name: str) -> Response:
    if name.endswith(PAGE_SUFFIX):
        shown = page(name.removesuffix(PAGE_SUFFIX), bp.current_request)
        if shown is not None:
            return shown
    found = registry.document(name.removesuffix(SUFFIX)) if name.endswith(SUFFIX) else None
    if found is None:
        return Response(body={"message": f"No API document '{name}'.",
                              "documents": [f"/openapi/{f}{SUFFIX}" for f in registry.families()]},
                        status_code=404, headers={"Content-Type": "application/json"})
    served = {**found, "servers": [{"url": base_url(bp.current_request)}]}
    return Response(body=served, status_code=200, headers={"Content-Type": "application/json"})
