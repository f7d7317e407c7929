"""schemathesis hooks for the long fuzz run: Treeherder's writes signed with the development Hawk client.

Loaded by schemathesis (``SCHEMATHESIS_HOOKS``) when ``make fuzz`` runs the
Treeherder document, so its generated job posts reach validation and storage
instead of stopping at 403: the signature covers the body as sent (mohawk's
payload hash), which no static credential in schemathesis' config can.
"""

from __future__ import annotations

from typing import Any

import mohawk
import requests
import schemathesis

HAWK_ID, HAWK_SECRET = "treeherder-dev", "treeherder-dev-secret"  # the local stack's development client
UNSIGNED = ("GET", "HEAD", "OPTIONS")


class HawkAuth(requests.auth.AuthBase):
    """Sign a prepared request (its final URL, method, body and Content-Type), as treeherder-client does."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if request.method in UNSIGNED:
            return request
        body = request.body or b""
        sender = mohawk.Sender({"id": HAWK_ID, "key": HAWK_SECRET, "algorithm": "sha256"}, request.url,
                               request.method, content=body.encode() if isinstance(body, str) else body,
                               content_type=request.headers.get("Content-Type", ""))
        request.headers["Authorization"] = sender.request_header
        return request


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    kwargs["auth"] = HawkAuth()
