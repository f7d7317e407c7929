"""The app over HTTP (or HTTPS) on a thread: what ``make run`` serves and the live-server tests use.

Chalice's local server is the one ``chalice local`` runs. HTTPS is there for
clients that will not speak plain HTTP to a token endpoint (balrogclient asks
``https://<domain>/oauth/token``): the certificate comes from a local CA
(``trustme``) whose bundle the caller hands to the client.
"""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass
from typing import Any

from chalice import Chalice
from chalice.config import Config
from chalice.local import ChaliceRequestHandler, CustomLocalChalice, LocalChalice, LocalDevServer, ThreadedHTTPServer

from chalicelib.local import embedded_aws, greedy_routes
from chalicelib.store import base

# API Gateway (REST) refuses a request payload over 10 MB with 413 and this body.
MAX_BODY_BYTES = 10 * 1024 * 1024
TOO_LARGE_BODY = b'{"message": "Request Too Long"}'
LISTEN_BACKLOG = 128


class RequestHandler(ChaliceRequestHandler):
    """Chalice's handler, answering every method through the app.

    ``BaseHTTPRequestHandler`` answers a method it has no ``do_<METHOD>`` for
    with 501 and an HTML page, and Chalice defines only the common ones, so
    TRACE, CONNECT or any extension method (QUERY, PROPFIND, ...) was a server
    error. Through the app they get what any method a route does not list
    gets: 405 with ``Allow``.
    """

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):
            return self._generic_handle
        raise AttributeError(name)

    def _generic_handle(self) -> None:
        """API Gateway's payload limit: a body over 10 MB is refused with 413 before it is read."""
        try:
            declared = int(self.headers.get("content-length", "0"))
        except ValueError:
            declared = 0
        if declared > MAX_BODY_BYTES:
            self.close_connection = True  # the unread body must not be taken for the next request
            self._send_http_response(413, {"Content-Type": "application/json", "Connection": "close"},
                                     TOO_LARGE_BODY)
            return
        with embedded_aws.one_answer():
            super()._generic_handle()

    def _send_http_response(self, code: int, headers: Any, body: Any) -> None:
        embedded_aws.flush()  # what this request changed is on disk before its answer is
        super()._send_http_response(code, headers, body)

    # Chalice binds its own _generic_handle to these names; they must take the one above.
    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle


class Server(ThreadedHTTPServer):
    """Chalice's threaded server with a listen backlog for bursts (``socketserver`` defaults to 5)."""

    request_queue_size = LISTEN_BACKLOG


@dataclass
class RunningServer:
    url: str
    server: LocalDevServer
    thread: threading.Thread

    def stop(self) -> None:
        self.server.shutdown()  # returns once serve_forever has
        self.server.server.server_close()
        self.thread.join(timeout=5)


def start(app: Chalice, host: str, port: int, stage: str, authority: Any = None) -> RunningServer:
    """Serve ``app`` on ``host:port`` (0: a free port) in a daemon thread; TLS given a ``trustme.CA``."""
    config = Config.create(chalice_stage=stage, app_name=app.app_name)
    greedy_routes.install()  # API Gateway's {proxy+} matching, which Chalice's local router lacks
    if not isinstance(app, CustomLocalChalice):
        # What chalice.local.create_local_server does before it builds its server (once per app: a
        # second re-parenting would loop the class), so the server can take our handler class.
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
    base.make_table_clients()  # before a burst can make one per thread
    server = LocalDevServer(app, config, host, port, handler_cls=RequestHandler, server_cls=Server)
    scheme = "http"
    if authority is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert(host).configure_cert(context)
        server.server.socket = context.wrap_socket(server.server.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=server.server.serve_forever, name=f"{scheme}-server", daemon=True)
    thread.start()
    return RunningServer(f"{scheme}://{host}:{server.server.server_address[1]}", server, thread)
