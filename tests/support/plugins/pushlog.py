"""Pushlog fixtures shared across folders: a branch, and a json-pushes host to sync it from."""

from __future__ import annotations

import pytest


@pytest.fixture
def inbound(aws):
    """Branch Mozilla-Inbound (alternative name Mozilla-Inbound-Non-PGO), no pushes yet."""
    from chalicelib.store import branches

    return branches.put("Mozilla-Inbound", "integration/mozilla-inbound", ["Mozilla-Inbound-Non-PGO"])


@pytest.fixture
def hg_server():
    """A local json-pushes host (tests/support/jsonpushes_server.py) on 127.0.0.1."""
    from tests.support.jsonpushes_server import JsonPushesServer

    server = JsonPushesServer().start()
    yield server
    server.stop()
