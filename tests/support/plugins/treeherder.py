"""Treeherder / Perfherder fixtures shared across folders: the client's URL and its Hawk credential."""

from __future__ import annotations

import pytest


@pytest.fixture
def treeherder_url(live_server) -> str:
    """Where TreeherderClient's ``server_url`` points: the app's ``/treeherder`` mount."""
    return f"{live_server}/treeherder"


@pytest.fixture
def hawk_credential(aws):
    """The development Hawk client (``treeherder-dev`` / ``treeherder-dev-secret``)."""
    from chalicelib.store import hawk_credentials
    from tests.support.treeherder_data import HAWK_ID, HAWK_SECRET

    return hawk_credentials.create(HAWK_ID, HAWK_SECRET)
