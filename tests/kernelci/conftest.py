"""KernelCI's fixtures: the build import run on what is queued."""

from __future__ import annotations

import pytest


@pytest.fixture
def kernelci_import(pump):
    """Runs the KernelCI build import on what is queued."""
    from chalicelib import config

    def _drain():
        return pump.drain(config.queue_name(config.KERNELCI_IMPORT_QUEUE), max_batches=50)

    return _drain
