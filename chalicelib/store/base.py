"""Common settings of every Shipyard table model."""

from __future__ import annotations

from chalicelib import config


def table_meta(logical: str) -> type:
    """A PynamoDB ``Meta`` naming the table the template creates for ``logical``."""

    class Meta:
        table_name = config.table_name(logical)
        region = config.region()
        host = config.endpoint_url()
        connect_timeout_seconds = 5
        read_timeout_seconds = 30
        max_retry_attempts = 4

    return Meta
