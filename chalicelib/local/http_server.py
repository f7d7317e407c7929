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
from chalice.local import ChaliceRequestHandler, CustomLocalChalice, LocalChalice, LocalDevServer

from chalicelib.local import greedy_routes


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
    server = LocalDevServer(app, config, host, port, handler_cls=RequestHandler)
    scheme = "http"
    if authority is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert(host).configure_cert(context)
        server.server.socket = context.wrap_socket(server.server.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=server.server.serve_forever, name=f"{scheme}-server", daemon=True)
    thread.start()
    return RunningServer(f"{scheme}://{host}:{server.server.server_address[1]}", server, thread)
