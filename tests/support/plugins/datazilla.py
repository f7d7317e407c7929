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


@pytest.fixture
def uncached_projects(monkeypatch):
    """Every request looks its project up: for call counts compared across minutes.

    A warm container keeps a project for ``CACHE_SECONDS`` (60 s); a test that
    counts a read's calls at two table sizes, minutes apart on a loaded machine,
    would otherwise see the lookup at one size and not the other.
    """
    monkeypatch.setattr(projects, "CACHE_SECONDS", 0.0)
