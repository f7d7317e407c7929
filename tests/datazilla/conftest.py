"""Datazilla's fixtures: the fixture blob uploaded and loaded."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def loaded(upload, pump, talos_blob):
    """The fixture blob uploaded and loaded by the processing worker."""
    from chalicelib import config

    response = upload(json.dumps(talos_blob))
    assert response.status_code == 200
    pump.drain(config.queue_name(config.PROCESSING_QUEUE))
    return talos_blob
