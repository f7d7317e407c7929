"""Where the test data lives: recorded blobs and corpora in ``tests/support/fixtures/``."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
