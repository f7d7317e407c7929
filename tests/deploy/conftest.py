"""Deployment fixtures: `make package`'s artifacts, built once per test run."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def lambda_package(tmp_path_factory):
    """`make package`'s artifacts, unzipped as Lambda unzips them: built once per test run."""
    from tests.support.lambda_artifact import built_once

    return built_once(tmp_path_factory)
