"""Why a queued KernelCI import could not be done, kept by message id for whoever reads the DLQ."""

from __future__ import annotations

from typing import Any

from chalicelib.store import kernelci as documents
from chalicelib.store.clients import client


def record_import_error(message_id: str, reason: str, body: str, at_ms: int) -> None:
    """Why a queued import cannot be done (the message itself ends in the dead-letter queue)."""
    client("dynamodb").put_item(TableName=documents.table(), Item={
        "pk": {"S": f"import-error#{message_id}"}, "reason": {"S": reason[:1000]},
        "body": {"S": body[:300_000]}, "at": {"N": str(at_ms)}})


def import_error(message_id: str) -> dict[str, Any] | None:
    found = client("dynamodb").get_item(TableName=documents.table(), Key={"pk": {"S": f"import-error#{message_id}"}})
    if "Item" not in found:
        return None
    item = found["Item"]
    return {"reason": item["reason"]["S"], "body": item["body"]["S"], "at": int(item["at"]["N"])}
