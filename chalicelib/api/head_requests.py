"""HEAD answers carry headers only, whatever the route put in the body.

HTTP forbids a body on a HEAD response; API Gateway drops one, but the local
server writes it, and a keep-alive client (balrogclient's ``requests``
session does HEAD before every write) then reads those bytes as the next
response's status line. Emptying the body here keeps every family's HEAD
correct without each route remembering to.
"""

from __future__ import annotations

from typing import Any, Callable

from chalice.app import Response


def strip_body(event: Any, get_response: Callable[[Any], Response]) -> Response:
    response = get_response(event)
    if getattr(event, "method", None) == "HEAD" and response.body:
        response.body = ""
    return response
