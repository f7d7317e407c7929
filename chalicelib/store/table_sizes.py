"""Table sizes as DynamoDB reports them (refreshed by AWS about every six hours)."""

from __future__ import annotations

from chalicelib import config
from chalicelib.store.clients import client


def bytes_by_table(logical_names: tuple[str, ...] = ("objectstore", "test-runs")) -> dict[str, int]:
    """One DescribeTable per table: constant cost, whatever the table holds."""
    ddb = client("dynamodb")
    return {
        name: int(ddb.describe_table(TableName=config.table_name(name))["Table"].get("TableSizeBytes", 0))
        for name in logical_names
    }
