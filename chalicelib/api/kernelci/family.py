"""KernelCI as a route-kit family: its envelope, API version, verbs, tokens, errors, and its resources.

A resource is registered with :func:`resource`: its paths (each name
singular and plural, with and without an id: :func:`paths`), one handler per
verb it implements, the token rule it uses, and the function giving each
path's operations (the verbs it implements; the others are documented here).
Every path answers every method, in this order:

1. the API version: v1, the default; ``Accept: application/vN`` for another
   N only → 406 (a policy of the family);
2. the verb: OPTIONS (200, the verbs in ``Allow``); not GET, POST, PUT or
   DELETE → 405; one the backend refuses outright here → 501;
3. the token (``Authorization: <token>``): found, not expired, allowed by its
   properties for this resource and verb, from an allowed address → else 403;
   then a verb the resource does not implement → 501 (the backend checks the
   token first);
4. the handler, given a :class:`~chalicelib.api.kernelci.call.Call`; its
   :class:`~chalicelib.api.kernelci.envelope.Answer` is the envelope.

Errors: a ``Refusal`` as raised (``errors=[...]`` for the envelope's
``errors``), a bad query parameter 400, an unreadable stored document 506,
S3 refusing access 503; a storage fault 503 when it may pass (throttling,
timeouts, the service failing), 400 when the store refused the values and
500 ``Internal database error`` otherwise, as the backend.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib.api.kernelci import openapi
from chalicelib.api.kernelci.call import Call, query_lists
from chalicelib.api.kernelci.envelope import STATUS_MESSAGES, Answer, reason_for, render, render_refusal
from chalicelib.api.kit.family import Envelope, Family, Incoming, Route
from chalicelib.api.kit.refusal import Refusal
from chalicelib.api.kit.storage import StorageWords
from chalicelib.auth import kernelci_token
from chalicelib.kernelci import tokens as token_rules
from chalicelib.kernelci.query import BadQuery
from chalicelib.store import kernelci as store
from chalicelib.store.kernelci_storage import StorageRefused

log = logging.getLogger(__name__)

API_VERSION = "1"
VERBS = ("GET", "POST", "PUT", "DELETE")
# Registered so that the family answers them itself (Chalice would answer 405 in its own shape).
ALL_METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"})
ANY_CONTENT = ["*/*"]
VERSION_TYPE = re.compile(r"application/v(\d+)")

Handler = Callable[[Call], Answer]
Rule = Callable[[token_rules.Token, str], bool]


def wanted_version(accept: str | None) -> str | None:
    """The API version ``Accept`` asks for: "1" by default; another number only if v1 is not acceptable."""
    versions = VERSION_TYPE.findall(accept or "")
    if not versions or API_VERSION in versions:
        return API_VERSION
    return versions[0]


def speaks_v1(request: Request) -> None:
    version = wanted_version(request.headers.get("accept"))
    if version != API_VERSION:
        raise Refusal(406, f"Requested API version v{version} is not available: this server speaks v1")


@dataclass(frozen=True)
class Guard:
    """A resource's token rule; the verbs open to anyone, and those the backend refuses before the token."""

    rule: Rule | None
    open_verbs: frozenset[str] = frozenset()
    unimplemented: frozenset[str] = frozenset()


def remote_ip(request: Request) -> str | None:
    return ((request.context or {}).get("identity") or {}).get("sourceIp")


def dispatch(route: Route, incoming: Incoming) -> Answer:
    """Steps 2 to 4 of the module docstring."""
    request, guard = incoming.request, route.settings
    method = request.method.upper()
    if method == "OPTIONS":
        return Answer(200, headers={"Allow": ", ".join(["OPTIONS", *route.handlers])})
    if method not in VERBS:
        raise Refusal(405, reason_for(405))
    if method in guard.unimplemented:
        raise Refusal(501, reason_for(501))
    token = None
    if guard.rule is not None and method not in guard.open_verbs:
        token = kernelci_token.authorize(request.headers, method, remote_ip(request), guard.rule)
        if token is None:
            raise Refusal(403, reason_for(403))
    handler = route.handlers.get(method)
    if handler is None:
        raise Refusal(501, reason_for(501))
    params = incoming.params
    return handler(Call(request, method, query_lists(request), params.get("field", params.get("doc_id")), token))


def _corrupt(err: store.CorruptDocument, request: Request) -> Refusal:
    log.error("unreadable KernelCI document %s", err)
    return Refusal(506, reason_for(506))


def _file_storage_refused(err: StorageRefused, request: Request) -> Refusal:
    log.error("file storage refused access in %s %s: %s", request.method, request.path, err)
    return Refusal(503, "File storage refused access (a permission of this deployment); retry once fixed")


KERNELCI = Family(
    name="kernelci",
    prefix="",
    title=openapi.TITLE,
    description=openapi.DESCRIPTION,
    envelope=Envelope(success=render, error=render_refusal),
    errors=((BadQuery, lambda err, request: Refusal(400, str(err))),
            (store.CorruptDocument, _corrupt),
            (StorageRefused, _file_storage_refused)),
    storage=StorageWords(refused=reason_for(400), unavailable=STATUS_MESSAGES[503], lasting=STATUS_MESSAGES[500]),
    context=lambda request: request,  # the envelope compresses for a client that accepts it
    policies=(speaks_v1,),
    dispatch=dispatch,
    implied_methods=lambda methods: ALL_METHODS - methods,
    components=openapi.COMPONENTS,
    content_types=ANY_CONTENT,
)


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


Operations = Callable[[openapi.Alias], dict[str, dict[str, Any]]]


def resource(bp: Blueprint, name: str, at: list[str], handlers: dict[str, Handler], rule: Rule | None,
             operations: Operations, unchecked: Callable[[openapi.Alias], list[Any]], *,
             open_verbs: tuple[str, ...] = (), unimplemented: tuple[str, ...] = ()) -> None:
    """Register ``handlers`` (by verb) of the resource ``name`` at each path of ``at``, documented by
    ``operations`` (the verbs it implements, by lower-case verb) and, for every other method, by the family's
    answers to them (``unchecked``: their path parameters).

    Every verb needs a token allowed by ``rule``, even one the resource does
    not implement (501 only past the token, as in the backend), except the
    ``open_verbs`` (no token) and the ``unimplemented`` verbs the backend
    refuses outright, before looking at the token (``/count`` and
    ``/version`` POST and DELETE, the distinct resources' writes).
    """
    guard = Guard(rule, frozenset(open_verbs), frozenset(unimplemented))
    outright = tuple(verb.lower() for verb in unimplemented)
    for path in at:
        alias = openapi.Alias(path.replace("+}", "}"), name, path.endswith("{doc_id}"))
        implemented = operations(alias)
        documented = {**implemented, **openapi.unsupported(alias, implemented, unchecked(alias), outright)}
        KERNELCI.route(bp, path, handlers, also={verb.upper(): op for verb, op in documented.items()},
                       settings=guard)
