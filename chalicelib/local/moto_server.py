"""moto as the embedded AWS of the local stack, served on the loopback interface only.

``start()`` runs moto's ``ThreadedMotoServer`` in this process, bound to
127.0.0.1 (never the wildcard address: the fake AWS accepts any credentials), on
``MOTO_PORT`` (default 4566; 0 picks a free port), and returns its endpoint URL.
"""

from __future__ import annotations

import logging
import os
import threading

from moto.server import ThreadedMotoServer

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
DEFAULT_PORT = 4566
START_TIMEOUT_SECONDS = 15


class LoopbackMotoServer(ThreadedMotoServer):
    """``ThreadedMotoServer`` that reports a failed bind instead of hanging in ``start()``."""

    def __init__(self, port: int) -> None:
        super().__init__(ip_address=HOST, port=port, verbose=False)
        self._error: BaseException | None = None

    def _server_entry(self) -> None:
        try:
            super()._server_entry()
        except BaseException as err:  # noqa: BLE001 - handed to start() in the calling thread
            self._error = err
            self._server_ready_event.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server_entry, name="moto-server", daemon=True)
        self._thread.start()
        if not self._server_ready_event.wait(START_TIMEOUT_SECONDS):
            raise RuntimeError("moto did not start in time")
        if self._error is not None:
            # werkzeug exits (SystemExit) when it cannot bind, having printed why.
            reason = "address in use or not available" if isinstance(self._error, SystemExit) else self._error
            raise RuntimeError(f"moto could not listen on {HOST}:{self._port}: {reason} (set MOTO_PORT)") from None

    @property
    def endpoint_url(self) -> str:
        host, port = self.get_host_and_port()
        return f"http://{host}:{port}"


def port_from_env() -> int:
    raw = os.environ.get("MOTO_PORT", "")
    if not raw.strip():
        return DEFAULT_PORT
    port = int(raw)
    if not 0 <= port <= 65535:
        raise ValueError(f"MOTO_PORT must be 0-65535, got {port}")
    return port


def start(port: int | None = None) -> tuple[LoopbackMotoServer, str]:
    """Start moto on 127.0.0.1; returns the server (``stop()`` it) and its endpoint URL."""
    server = LoopbackMotoServer(port_from_env() if port is None else port)
    server.start()
    # werkzeug logs every request at INFO; the local stack has its own logs.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    url = server.endpoint_url
    log.info("moto listening on %s", url)
    return server, url
