"""What every KernelCI route shares: the envelope, versions, tokens, verbs, bodies, status codes.

A resource declares its paths, the token rule it uses and one function per
verb it implements; :func:`resource` registers one view per path that does,
in order:

1. the API version: v1, the default; ``Accept: application/vN`` for another
   N only → 406;
2. the verb: GET, POST, PUT, DELETE (one the resource does not implement →
   501), OPTIONS (200); any other → 405;
3. the token (``Authorization: <token>``): found, not expired, allowed by its
   properties for this resource and verb, from an allowed address → else 403;
4. the handler, whose :class:`Answer` becomes the envelope
   ``{"code", "result", "count", "limit", "skip", "reason", "errors",
   "messages"}`` (optional keys only when set), gzip-compressed when the
   client accepts it.

Errors raised below a handler become answers here too: :class:`KernelciError`
as given, a bad query parameter 400, an unreadable stored document 506, a
storage failure 503 when it may pass (throttling, timeouts, the service
failing) and 500 when it will not (the store refused the request).
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib import config, safe_json
from chalicelib.auth import kernelci_token
from chalicelib.kernelci import keys
from chalicelib.kernelci import tokens as token_rules
from chalicelib.kernelci.query import BadQuery
from chalicelib.store import kernelci as store
from chalicelib.store.errors import TRANSIENT, may_pass_on_retry, refused_values
from chalicelib.store.kernelci_storage import StorageRefused

log = logging.getLogger(__name__)

API_VERSION = "1"
CONTENT_TYPE = "application/json; charset=UTF-8"
VERBS = ("GET", "POST", "PUT", "DELETE")
# Registered so that the family answers them itself (Chalice would answer 405 in its own shape).
ALL_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
ANY_CONTENT = ["*/*"]

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

VERSION_TYPE = re.compile(r"application/v(\d+)")


class KernelciError(Exception):
    """An answer other than success, raised from anywhere below a handler."""

    def __init__(self, status: int, reason: str | None = None, errors: list[str] | None = None) -> None:
        super().__init__(reason or STATUS_MESSAGES.get(status, ""))
        self.status, self.reason, self.errors = status, reason, errors or []


@dataclass
class Answer:
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


def reason_for(status: int) -> str:
    return STATUS_MESSAGES.get(status) or HTTPStatus(status).phrase


def failure(status: int, reason: str | None = None, errors: list[str] | None = None) -> Answer:
    """An error answer: ``{"code", "reason"}`` (and ``errors`` when there are some)."""
    return Answer(status, reason=reason or reason_for(status), errors=errors or [])


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
    text = json.dumps(answer.envelope(), ensure_ascii=False, separators=(",", ":"))
    headers = {"Content-Type": CONTENT_TYPE, "Vary": "Accept-Encoding", **answer.headers}
    if request is not None and request.method != "HEAD" and _accepts_gzip(request) \
            and not config.gateway_compresses():
        return GzipResponse(gzip.compress(text.encode("utf-8")), {**headers, "Content-Encoding": "gzip"},
                            answer.code)
    return Response(text, headers, answer.code)


def wanted_version(accept: str | None) -> str | None:
    """The API version ``Accept`` asks for: "1" by default; another number only if v1 is not acceptable."""
    versions = VERSION_TYPE.findall(accept or "")
    if not versions or API_VERSION in versions:
        return API_VERSION
    return versions[0]


def storage_status(err: Exception) -> int:
    """503 when the store may recover (retry), 400 when it refused the request's values, else 500."""
    if refused_values(err):
        return 400
    return 503 if may_pass_on_retry(err) else 500


# --- a call ---------------------------------------------------------------------------------------


@dataclass
class Call:
    """What a handler gets: the request, its query parameters as lists, the path id, the token."""

    request: Request
    method: str
    params: dict[str, list[str]]
    doc_id: str | None
    token: dict[str, Any] | None

    def json_body(self, accepted: keys.BodyKeys) -> keys.Checked:
        """A JSON object body, checked: 415 wrong content type, 422 not JSON, 400 not valid."""
        content_type = (self.request.headers.get("content-type") or "").strip().lower()
        if not content_type.startswith("application/json"):
            raise KernelciError(415, f"{reason_for(415)}: use application/json as the content type")
        try:
            body = safe_json.loads(self.request.raw_body or b"")
        except safe_json.UnsafeJson as err:
            raise KernelciError(422, f"No JSON data found in the {self.method} request",
                                [] if err.not_json else [str(err)]) from None
        checked = keys.check_body(body, accepted)
        if not checked.ok:
            raise KernelciError(400, "Provided JSON is not valid", checked.errors)
        return checked

    def valid_id(self) -> str | None:
        """The path id, which must look like one (400 otherwise)."""
        from chalicelib.kernelci.documents import is_object_id

        if self.doc_id is not None and not is_object_id(self.doc_id):
            raise KernelciError(400, "Wrong ID value provided")
        return self.doc_id


def _params(request: Request) -> dict[str, list[str]]:
    params = request.query_params
    return {k: params.getlist(k) for k in params} if params else {}


def remote_ip(request: Request) -> str | None:
    return ((request.context or {}).get("identity") or {}).get("sourceIp")


Handler = Callable[[Call], Answer]


def _answer(bp: Blueprint, handlers: dict[str, Handler], rule: Callable[..., bool] | None,
            doc_id: str | None, open_verbs: frozenset[str], unimplemented: frozenset[str]) -> Answer:
    request = bp.current_request
    method = request.method.upper()
    version = wanted_version(request.headers.get("accept"))
    if version != API_VERSION:
        return failure(406, f"Requested API version v{version} is not available: this server speaks v1")
    if method == "OPTIONS":
        return Answer(200, headers={"Allow": ", ".join(["OPTIONS", *handlers])})
    if method not in VERBS:
        return failure(405)
    if method in unimplemented:
        return failure(501)
    handler = handlers.get(method)
    try:
        token = None
        if rule is not None and method not in open_verbs:
            token = kernelci_token.authorize(request.headers, method, remote_ip(request), rule)
            if token is None:
                return failure(403)
        if handler is None:  # the backend checks the token first: without one, this is 403
            return failure(501)
        return handler(Call(request, method, _params(request), doc_id, token))
    except KernelciError as err:
        return failure(err.status, err.reason, err.errors)
    except BadQuery as err:
        return failure(400, str(err))
    except store.CorruptDocument as err:
        log.error("unreadable KernelCI document %s", err)
        return failure(506)
    except StorageRefused as err:
        log.error("file storage refused access in %s %s: %s", method, request.path, err)
        return failure(503, "File storage refused access (a permission of this deployment); retry once fixed")
    except TRANSIENT as err:
        status = storage_status(err)
        log.error("storage failed in %s %s: %s", method, request.path, err.__class__.__name__)
        return failure(status)


def resource(bp: Blueprint, paths: list[str], handlers: dict[str, Handler],
             rule: Callable[[token_rules.Token, str], bool] | None, *, open_verbs: tuple[str, ...] = (),
             unimplemented: tuple[str, ...] = ()) -> None:
    """Register ``handlers`` (by verb) at each path; a path may end in ``{doc_id}`` or ``{field}``.

    Every verb needs a token allowed by ``rule``, even one the resource does
    not implement (501 only past the token, as in the backend), except the
    ``open_verbs`` (no token) and the ``unimplemented`` verbs the backend
    refuses outright, before looking at the token (``/count`` and
    ``/version`` POST and DELETE, the distinct resources' writes).
    """
    opened, refused = frozenset(open_verbs), frozenset(unimplemented)
    for path in paths:
        def view(doc_id: str | None = None, field: str | None = None,
                 _handlers: dict[str, Handler] = handlers) -> Response:
            return render(_answer(bp, _handlers, rule, doc_id if field is None else field, opened, refused),
                          bp.current_request)

        view.__name__ = "kernelci_" + re.sub(r"\W+", "_", path).strip("_")
        bp.route(path, methods=ALL_METHODS, content_types=ANY_CONTENT)(view)


def paths(*names: str, with_id: bool = True) -> list[str]:
    """Each path, singular and plural (``/job``, ``/jobs``; ``/test/group``, ``/tests/groups``...)."""
    out: list[str] = []
    for name in names:
        parts = name.strip("/").split("/")
        variants = [""]
        for part in parts:
            variants = [f"{v}/{p}" for v in variants for p in (part, part + "s")]
        out.extend(variants)
        if with_id:
            out.extend(f"{v}/{{doc_id}}" for v in variants)
    return out
