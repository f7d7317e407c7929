"""Security headers on every HTML answer, whichever family rendered it.

Shipyard's pages (self-serve's tables, the graph page, API documentation)
show values that clients sent. Escaping keeps them text; these headers are the
second wall a browser enforces: scripts only from Shipyard itself (no inline
script, nothing from elsewhere), no framing (clickjacking), no MIME sniffing
of a JSON or text answer into HTML, no referrer leaking a URL's query. Inline
``<style>`` stays allowed: self-serve's pages carry their stylesheet inline
and a style cannot run code.
"""

from __future__ import annotations

from typing import Any, Callable

from chalice.app import Response

POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
          "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def on_html(event: Any, get_response: Callable[[Any], Response]) -> Response:
    response = get_response(event)
    headers = response.headers or {}
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if isinstance(content_type, str) and content_type.lower().startswith("text/html"):
        response.headers = {**headers, **HEADERS}
    return response
