"""boto3 clients, created once per process (Lambda reuses them across calls).

They come from one boto3 session, so botocore reads each service's model once
per process however often the clients are remade (tests remake them for every
embedded AWS world; a fresh session each time cost a few hundred ms a world).
A session is not safe to share between threads while it makes clients, so
making one holds a lock; the clients themselves are thread-safe.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

from chalicelib import config

_RETRIES = Config(retries={"max_attempts": 4, "mode": "standard"}, connect_timeout=5, read_timeout=30)
_MAKING = threading.Lock()


@functools.cache
def _session() -> boto3.session.Session:
    return boto3.session.Session()


@functools.cache
def client(service: str) -> Any:
    with _MAKING:
        return _session().client(
            service, region_name=config.region(), endpoint_url=config.endpoint_url(), config=_RETRIES
        )


_FORGETTERS: list[Callable[[], None]] = []


def on_reset(forget: Callable[[], None]) -> None:
    """Have ``reset`` also call ``forget``: a store module's cache of what it read from the old world."""
    _FORGETTERS.append(forget)


def reset() -> None:
    """Forget cached clients and what stores cached through them (tests switch between embedded AWS worlds).

    The session's models stay.
    """
    client.cache_clear()
    for forget in _FORGETTERS:
        forget()
