"""Reading queue messages, and answering Lambda with the ones that failed.

Every queue handler reports partial batch failures: its event source mapping
has ``FunctionResponseTypes: [ReportBatchItemFailures]`` and the handler
returns ``{"batchItemFailures": [{"itemIdentifier": <messageId>}, ...]}``.
Lambda deletes the other messages of the batch; only the listed ones come
back after the visibility timeout, so one poison message reaches the
dead-letter queue alone instead of taking its batch-mates with it. A handler
that raises still fails its whole batch (Lambda's rule), which is right for
a failure that is not any one message's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from chalicelib import safe_json

log = logging.getLogger(__name__)

BatchResponse = dict[str, list[dict[str, str]]]


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


def message_id(record: Any) -> str:
    """The SQS message id of a Chalice ``SQSRecord``: what Lambda's partial batch response names."""
    return str(record.to_dict()["messageId"])


def batch_failures(message_ids: Iterable[str]) -> BatchResponse:
    """Lambda's partial batch response naming the messages to redeliver (an empty list: all done)."""
    return {"batchItemFailures": [{"itemIdentifier": m} for m in message_ids]}


def each_record(event: Any, handle: Callable[[str], None], refused: tuple[type[Exception], ...],
                on_refused: Callable[[str, str, str | None], None], what: str) -> BatchResponse:
    """Run ``handle`` on each record's body; returns the records that failed.

    A record ``handle`` refuses (one of ``refused``) goes to ``on_refused(body,
    reason, message id)`` — a dead-letter queue, a log — and counts as done:
    no retry can fix it. Any other failure (``on_refused``'s too) names the record in the partial
    batch response, so SQS redelivers that record alone (handlers must be
    idempotent).
    """
    failed = []
    for record in event:
        mid = message_id(record)
        try:
            try:
                handle(record.body)
            except refused as err:
                log.warning("%s %s refused: %s", what, mid, err)
                on_refused(record.body, str(err), mid)
        except Exception as err:  # noqa: BLE001 - reported as a batch item failure, retried by SQS
            log.error("%s %s failed: %s: %s", what, mid, type(err).__name__, err)
            failed.append(mid)
    return batch_failures(failed)
