"""``/treeherder/docs/``: the Treeherder API's browsable documentation, where Treeherder served its own.

The page renders Shipyard's Treeherder OpenAPI document (the same as
``/openapi/treeherder.html``); every family's page is ``/openapi/<family>.html``.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.kit import documents, html_page
from chalicelib.api.kit.documents import documented
from chalicelib.api.kit.openapi_parts import document_path, operation
from chalicelib.api.request_url import base_url
from chalicelib.api.treeherder.family import TREEHERDER
from chalicelib.api.treeherder.openapi import POLICY, TAG

bp = Blueprint(__name__)


@documented(operation(
    "api_docs", "This API's browsable documentation (HTML, self-contained)",
    {200: {"description": "The page.", "content": {"text/html": {"schema": {"type": "string"}}}},
     403: POLICY[403], 406: POLICY[406]},
    security=[], tags=TAG))
def api_docs() -> Response:
    """The page, after the client policy every Treeherder route applies (Django's and DRF's, as on Treeherder's
    own ``/docs/``)."""
    base = base_url(bp.current_request)
    document = {**documents.document(TREEHERDER.name), "servers": [{"url": base}]}
    return Response(body=html_page.render(document, base + document_path(TREEHERDER.name)), status_code=200,
                    headers={"Content-Type": "text/html; charset=utf-8"})


TREEHERDER.route(bp, "/docs", {"GET": api_docs})
