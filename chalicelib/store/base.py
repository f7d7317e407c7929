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


def make_table_clients() -> int:
    """Make now the botocore client of every PynamoDB model imported so far; how many tables.

    PynamoDB makes a table's client on its first use, in whichever thread gets
    there first, each thread with a botocore session of its own. Lambda runs
    one request at a time in a container, so that is once per table; a threaded
    server meeting a burst of requests before any table was used had every
    thread make its own client (64 at once took 17 s, each loading the
    DynamoDB model anew). The local server calls this before it listens.
    """
    from pynamodb.models import Model

    made, pending = 0, list(Model.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if getattr(getattr(model, "Meta", None), "table_name", None):
            model._get_connection().connection.client  # noqa: B018 - made on first access
            made += 1
    return made

