"""boto3 clients, created once per process (Lambda reuses them across calls)."""

from __future__ import annotations

import functools
from typing import Any

import boto3
from botocore.config import Config

from chalicelib import config

_RETRIES = Config(retries={"max_attempts": 4, "mode": "standard"}, connect_timeout=5, read_timeout=30)


@functools.cache
def client(service: str) -> Any:
    return boto3.session.Session().client(
        service, region_name=config.region(), endpoint_url=config.endpoint_url(), config=_RETRIES
    )


def reset() -> None:
    """Forget cached clients (tests switch between embedded AWS worlds)."""
    client.cache_clear()
