"""A family, declared once: how its answers look, which errors become which answers, who may call, and its routes.

Every route of a family is registered by :meth:`Family.route` (or the
decorator :meth:`Family.handles`), which makes one Chalice view for the
methods it is given that, in order:

1. builds the request's context (what the envelope needs, such as the answer's
   format); a refusal here is answered without a context;
2. applies the family's policies (checks every route makes, such as
   Treeherder's User-Agent rule);
3. on a route registered ``signed_in=True``, finds the user with the
   family's ``auth`` (its refusal, such as a 401, is the answer);
4. on a method that carries a body (POST, PUT, PATCH, DELETE), refuses a ``Content-Type`` the route
   does not accept with 415 (``application/json`` unless the route names others; no header counts as
   JSON, as Chalice has it). Chalice's own check is off for every route (``*/*``): it answered in
   its own body, not the family's, and on a GET too, where the originals read no body;
5. calls the handler through the family's ``dispatch`` (by default the
   handler of the request's method, with the path parameters, and ``user=``
   on a signed-in route);
6. answers the handler's value with ``envelope.success``, or an exception with
   ``envelope.error``: a :class:`Refusal` as raised, an exception of the
   family's error table as the table says, a storage fault as
   :mod:`chalicelib.api.kit.storage` says. Anything else propagates (a 5xx is a bug).

Handlers stay plain functions returning the family's value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.api.kit import documents
from chalicelib.api.kit import openapi_parts as parts
from chalicelib.api.kit.auth import Auth
from chalicelib.api.kit.refusal import Refusal
from chalicelib.api.kit.storage import TRANSIENT, StorageWords, storage_refusal

Handler = Callable[..., Any]
ANY_CONTENT = ["*/*"]
DEFAULT_CONTENT_TYPES = ("application/json",)  # what Chalice assumes of a route that names none
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Exception type → the refusal it stands for (given the exception and the request); the first matching row wins.
ErrorTable = tuple[tuple[type[BaseException], Callable[[Any, Request], Refusal]], ...]


@dataclass(frozen=True)
class Envelope:
    """How a family's answers look: ``success(value, context)`` and ``error(refusal, context)``, where
    ``context`` is what the family's ``context`` made of the request (None when that refused it)."""

    success: Callable[[Any, Any], Response]
    error: Callable[[Refusal, Any], Response]


@dataclass(frozen=True)
class Route:
    """One registered path of a family: its handlers by method (upper case); ``signed_in``: the kit finds
    the user before the handler runs; ``settings``: what the family's ``dispatch`` needs to know of this
    route beyond its handlers (KernelCI's token rule and the verbs it refuses outright)."""

    family: Family
    path: str
    handlers: Mapping[str, Handler]
    signed_in: bool = False
    settings: Any = None
    content_types: tuple[str, ...] = DEFAULT_CONTENT_TYPES


@dataclass(frozen=True)
class Incoming:
    """A request as a family's ``dispatch`` receives it."""

    request: Request
    params: dict[str, str]  # the path parameters, decoded once (by API Gateway or the local server)
    context: Any  # what the family's ``context`` made of the request
    user: str | None = None  # on a signed-in route, who sends it


def call_by_method(route: Route, incoming: Incoming) -> Any:
    """The default dispatch: the handler of the request's method, with the path parameters (and ``user``
    on a signed-in route)."""
    handler = route.handlers[incoming.request.method]
    if route.signed_in:
        return handler(**incoming.params, user=incoming.user)
    return handler(**incoming.params)


def unsupported_media_type(route: Route, request: Request) -> Refusal | None:
    """The 415 for a body whose ``Content-Type`` the route does not take (None: taken, or no body method)."""
    if request.method not in BODY_METHODS or "*/*" in route.content_types:
        return None
    sent = request.headers.get("content-type", "application/json")
    if sent.split(";", 1)[0].strip().lower() in route.content_types:
        return None
    return Refusal(415, f'Unsupported media type "{sent[:200]}" in request.')


def _no_context(request: Request) -> None:
    return None


def _no_implied(methods: frozenset[str]) -> frozenset[str]:
    return frozenset()


@dataclass(frozen=True, eq=False)
class Family:
    """One API family. ``name`` is the ``<family>`` of ``/openapi/<family>.json``; ``prefix`` the
    ``url_prefix`` its blueprints are registered with (the document's paths include it)."""

    name: str
    prefix: str
    title: str
    description: str
    envelope: Envelope
    errors: ErrorTable = ()
    storage: StorageWords = StorageWords()
    auth: Auth | None = None
    context: Callable[[Request], Any] = _no_context
    policies: tuple[Callable[[Request], None], ...] = ()
    dispatch: Callable[[Route, Incoming], Any] = call_by_method
    # Methods a path answers beyond its handlers' (self-serve's POST standing for PUT or DELETE).
    implied_methods: Callable[[frozenset[str]], frozenset[str]] = _no_implied
    components: dict[str, Any] = field(default_factory=dict)
    content_types: list[str] | None = None
    # Blueprint → where under ``prefix`` it is served (see :meth:`blueprint`).
    _mounts: dict[Blueprint, str] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        documents.add_family(self)

    def blueprint(self, import_name: str, mount: str = "") -> Blueprint:
        """A blueprint of this family served under ``prefix + mount`` (Balrog's ``/api``, ``/update``...);
        the app registers it with ``url_prefix=family.url_prefix(bp)``."""
        bp = Blueprint(import_name)
        self._mounts[bp] = mount
        return bp

    def url_prefix(self, bp: Blueprint) -> str:
        return self.prefix + self._mounts.get(bp, "")

    def refusal_of(self, err: BaseException, request: Request) -> Refusal | None:
        """The answer to ``err`` (None: not one the family answers, so a bug)."""
        if isinstance(err, Refusal):
            return err
        for kind, to_refusal in self.errors:
            if isinstance(err, kind):
                return to_refusal(err, request)
        if isinstance(err, TRANSIENT):
            return storage_refusal(err, self.storage, f"{request.method} {request.context.get('path')}")
        return None

    def refuse(self, refusal: Refusal, context: Any = None) -> Response:
        """A refusal as this family answers it."""
        return self.envelope.error(refusal, context)

    def serve(self, route: Route, request: Request, params: dict[str, str]) -> Response:
        """The answer to ``request`` on ``route`` (the steps of the module docstring)."""
        try:
            context = self.context(request)
        except Refusal as err:
            return self.refuse(err)
        try:
            for policy in self.policies:
                policy(request)
            user = self._user(route, request)
            unsupported = unsupported_media_type(route, request)
            if unsupported is not None:
                raise unsupported
            value = self.dispatch(route, Incoming(request, params, context, user))
        except Exception as err:  # noqa: BLE001 - answered if the family knows it, re-raised if not
            refusal = self.refusal_of(err, request)
            if refusal is None:
                raise
            return self.refuse(refusal, context)
        return self.envelope.success(value, context)

    def _user(self, route: Route, request: Request) -> str | None:
        if not route.signed_in:
            return None
        if self.auth is None:
            raise TypeError(f"{self.name}: a signed-in route needs the family's auth")
        return self.auth.identify(request)

    def document_path(self, bp: Blueprint, path: str) -> str:
        """A route's path as the document has it: the prefix added, greedy parameters plain."""
        prefix = self.url_prefix(bp)
        return (prefix + ("" if path == "/" and prefix else path)).replace("+}", "}")

    def route(self, bp: Blueprint, path: str, handlers: Mapping[str, Handler], *,
              also: Mapping[str, dict[str, Any]] | None = None, content_types: list[str] | None = None,
              signed_in: bool = False, name: str | None = None,
              extra: Mapping[str, Handler] | None = None, settings: Any = None) -> Route:
        """Register ``handlers`` (by method) at ``path`` of ``bp``, each documented by its
        :func:`~chalicelib.api.kit.documents.documented` operation; ``also`` documents methods the path
        answers without a handler of their own (the family's ``implied_methods``), or a handler's method
        on this path when one handler serves several paths with an operation each (KernelCI's aliases);
        ``signed_in``: every method needs a user (found by the family's ``auth`` before the handler runs);
        ``settings``: the route's :attr:`Route.settings`.

        Raises :class:`~chalicelib.api.kit.documents.UndocumentedRoute` for a method without an operation.
        """
        handlers = {method.upper(): handler for method, handler in handlers.items()}
        documented = {method: documents.operation_of(handler) for method, handler in handlers.items()}
        # Methods ``handles`` gives the same handler: ``also`` documents them.
        handlers.update({method.upper(): handler for method, handler in (extra or {}).items()})
        methods = frozenset(handlers) | self.implied_methods(frozenset(handlers))
        documented.update({method.upper(): op for method, op in (also or {}).items()})
        if set(documented) - methods:
            raise UndocumentedRoute(f"{self.name}: {path} documents methods it does not answer: "
                                    f"{sorted(set(documented) - methods)}")
        accepted = tuple(t.lower() for t in (content_types or self.content_types or DEFAULT_CONTENT_TYPES))
        operations: dict[str, dict[str, Any]] = {}
        for method in sorted(methods):
            operation = documented.get(method)
            if operation is None:
                raise UndocumentedRoute(f"{self.name}: {method} {path} has no OpenAPI operation")
            if method in BODY_METHODS and "*/*" not in accepted:  # the kit's 415, in the family's own body
                operation = {**operation, "responses": {"415": parts.response_ref("UnsupportedMediaType"),
                                                        **operation["responses"]}}
            operations[method] = operation
        for method, operation in operations.items():
            documents.add_operation(self.name, self.document_path(bp, path), method, operation)
        if signed_in and self.auth is None:
            raise TypeError(f"{self.name}: {path} is signed in but the family declares no auth")
        if signed_in and any(not op.get("security") for op in operations.values()):
            raise UndocumentedRoute(f"{self.name}: {path} needs a user but an operation lists no security")
        route = Route(self, path, handlers, signed_in, settings, accepted)

        def view(**params: str) -> Response:
            # Path parameters arrive decoded once, by API Gateway or the local server: never again here.
            return self.serve(route, bp.current_request, dict(params))

        view.__name__ = name or f"{self.name}_" + (re.sub(r"\W+", "_", path).strip("_") or "index")
        bp.route(path, methods=sorted(methods), content_types=ANY_CONTENT)(view)
        return route

    def handles(self, bp: Blueprint, path: str, methods: list[str], operation: dict[str, Any], *,
                also: Mapping[str, dict[str, Any]] | None = None, content_types: list[str] | None = None,
                signed_in: bool = False) -> Callable[[Handler], Handler]:
        """A decorator registering one handler for ``methods`` of ``path``: the first method documented by
        ``operation``, the others (a HEAD beside a GET) by ``also``. Other handlers of the same path are
        registered by their own decorators."""

        def register(handler: Handler) -> Handler:
            documents.documented(operation)(handler)
            self.route(bp, path, dict.fromkeys(methods[:1], handler), content_types=content_types,
                       signed_in=signed_in, name=handler.__name__, also=also,
                       extra=dict.fromkeys((m.upper() for m in methods[1:]), handler))
            return handler

        return register


UndocumentedRoute = documents.UndocumentedRoute
