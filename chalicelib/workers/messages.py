"""Reading queue messages: JSON objects with the keys a worker needs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from chalicelib import safe_json

log = logging.getLogger(__name__)


class PoisonMessage(ValueError):
    """A message no retry can fix; it ends in the dead-letter queue."""


def parse(body: str, *required: str) -> dict[str, Any]:
    try:
        message = safe_json.loads(body)
    except safe_json.UnsafeJson as err:
        raise PoisonMessage(f"message is not JSON: {err}" if err.not_json else
                            f"message holds a value that cannot be kept: {err}") from None
    if not isinstance(message, dict):
        raise PoisonMessage("message is not a JSON object")
    missing = [k for k in required if k not in message]
    if missing:
        raise PoisonMessage(f"message lacks {', '.join(missing)}")
    return message


def each_record(event: Any, handle: Callable[[str], None], refused: tuple[type[Exception], ...],
                on_refused: Callable[[str, str, str | None], None], what: str) -> None:
    """Run ``handle`` on each record's body, as SQS batches want it.

    A record ``handle`` refuses (one of ``refused``) goes to ``on_refused(body,
    reason, message id)`` — a dead-letter queue, a log — and the batch goes on:
    no retry can fix it. Any other failure is raised once the batch is done,
    so SQS redelivers it (handlers must be idempotent).
    """
    failures = []
    for record in event:
        message_id = record.to_dict().get("messageId")
        try:
            handle(record.body)
        except refused as err:
            log.warning("%s %s refused: %s", what, message_id, err)
            on_refused(record.body, str(err), message_id)
        except Exception as err:  # noqa: BLE001 - raised below, retried by SQS
            log.error("%s %s failed: %s: %s", what, message_id, type(err).__name__, err)
            failures.append(err)
    if failures:
        raise failures[0]
