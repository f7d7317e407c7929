"""KernelCI's envelope: every answer is ``{"code", "result", "count", "limit", "skip", "reason", "errors",
"messages"}`` (the optional keys only when set) as ``application/json; charset=UTF-8``, gzip-compressed when
the client accepts it, as the backend's Tornado handlers answered.
"""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from chalice import Response
from chalice.app import Request

from chalicelib import config
from chalicelib.api.kit.refusal import Refusal

CONTENT_TYPE = "application/json; charset=UTF-8"

STATUS_MESSAGES = {
    403: "Operation not permitted: provided token is not authorized",
    404: "Resource not found",
    405: "Operation not allowed",
    406: "Requested API version not available: this server speaks v1 (Accept: application/v1)",
    415: "Wrong content type defined",
    500: "Internal database error",
    501: "Method not implemented",
    503: "Storage unavailable, retry later",
    506: "Wrong response type from database",
}


def reason_for(status: int) -> str:
    """The backend's reason for a status answered without one of its own."""
    return STATUS_MESSAGES.get(status) or HTTPStatus(status).phrase


@dataclass
class Answer:
    """A handler's value: the envelope's fields, and headers (``Location``, ``Allow``)."""

    code: int = 200
    result: list[Any] | None = None
    reason: str | None = None
    count: int | None = None
    limit: int | None = None
    skip: int | None = None
    errors: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code}
        for name in ("count", "limit", "skip", "result", "reason"):
            value = getattr(self, name)
            if value is not None:
                body[name] = value
        if self.errors:
            body["errors"] = self.errors
        if self.messages:
            body["messages"] = self.messages
        return body


class GzipResponse(Response):
    """A compressed body, handed to API Gateway base64-encoded as a Lambda proxy response must be."""

    def to_dict(self, binary_types: list[str] | None = None) -> dict[str, Any]:
        single, multi = self._sort_headers(self.headers)
        return {"headers": single, "multiValueHeaders": multi, "statusCode": self.status_code,
                "body": base64.b64encode(self.body).decode("ascii"), "isBase64Encoded": True}


def _accepts_gzip(request: Request) -> bool:
    for coding in (request.headers.get("accept-encoding") or "").split(","):
        name, _, params = coding.strip().partition(";")
        if name.strip().lower() in ("gzip", "*") and params.replace(" ", "").lower() not in ("q=0", "q=0.0"):
            return True
    return False


def render(answer: Answer, request: Request | None) -> Response:
    """The answer in the envelope (``request``: whether it may be compressed)."""
    text = json.dumps(answer.envelope(), ensure_ascii=False, separators=(",", ":"))
    headers = {"Content-Type": CONTENT_TYPE, "Vary": "Accept-Encoding", **answer.headers}
    if request is not None and request.method != "HEAD" and _accepts_gzip(request) \
            and not config.gateway_compresses():
        return GzipResponse(gzip.compress(text.encode("utf-8")), {**headers, "Content-Encoding": "gzip"},
                            answer.code)
    return Response(text, headers, answer.code)


def render_refusal(refusal: Refusal, request: Request | None) -> Response:
    """An error: ``{"code", "reason"}``, and ``errors`` when the refusal names some."""
    return render(Answer(refusal.status, reason=refusal.message or reason_for(refusal.status),
                         errors=list(refusal.extra.get("errors") or [])), request)
