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
from chalice.local import CustomLocalChalice, LocalDevServer, create_local_server


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
    # create_local_server re-parents the app's class; a second call in one process would loop it.
    if isinstance(app, CustomLocalChalice):
        server = LocalDevServer(app, config, host, port)
    else:
        server = create_local_server(app, config, host, port)
    scheme = "http"
    if authority is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert(host).configure_cert(context)
        server.server.socket = context.wrap_socket(server.server.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=server.server.serve_forever, name=f"{scheme}-server", daemon=True)
    thread.start()
    return RunningServer(f"{scheme}://{host}:{server.server.server_address[1]}", server, thread)
