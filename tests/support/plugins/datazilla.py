"""Datazilla fixtures shared across folders: project ``talos``, its fixture blob, signed uploads."""

from __future__ import annotations

import json

import pytest

from chalicelib.store import projects
from tests.support.datazilla_data import DEV_KEY, DEV_SECRET, signed_upload
from tests.support.paths import FIXTURES


@pytest.fixture
def talos(aws):
    """Project ``talos`` with the development OAuth credentials."""
    return projects.create("talos", DEV_KEY, DEV_SECRET)


@pytest.fixture
def talos_blob() -> dict:
    return json.loads((FIXTURES / "talos_tp5n.json").read_text())


@pytest.fixture
def upload(app_client, talos):
    def _upload(blob_text: str, **kwargs):
        return signed_upload(app_client, blob_text, **kwargs)

    return _upload
