"""moto's SQS reading the clock and its queues' attributes at a cost independent of the backlog.

moto 5.2 asks the time of every message it looks at, through a conversion of
``datetime.now`` to a naive UTC datetime and back to seconds since the epoch
(``unix_time``): a receive judges every message of the queue visible or not,
and every FIFO send and every message received computes all of the queue's
attributes (``Queue.attributes``: the approximate counts walk the whole
backlog, the clock read once a message, each attribute's name converted to
snake case letter by letter), to read one of them. With a backlog of a few
dozen blobs that was most of the local stack's SQS CPU (issue 17: ~180
attribute computations and ~500 clock reads a blob).

Here, for moto's SQS models only:

- the clock is read as moto computes it, from the same system clock with the
  same microsecond resolution and the same arithmetic
  (``days * 86400 + (seconds + microseconds / 1e6)``), without the two
  datetimes in between; a call with a datetime is moto's own;
- an attribute's snake-case name is remembered (a pure function of the name);
- a received message's retention is checked against the queue's retention
  period itself, the value moto's attribute read returns, instead of
  computing every attribute of the queue to read that one.

Each gives moto's own answer; the visibility timeouts, redelivery, dead-letter
moves and FIFO ordering stay moto's code.
"""

from __future__ import annotations

import functools
import time
from typing import Any

_US_A_DAY = 86_400 * 1_000_000
_originals: list[tuple[Any, str, Any]] = []


def unix_time(dt: Any = None, _moto: Any = None) -> float:
    """moto's ``unix_time()``: seconds since the epoch, to the microsecond, by the same arithmetic."""
    if dt is not None:
        return _moto(dt)
    days, rest = divmod(time.time_ns() // 1000, _US_A_DAY)
    seconds, microseconds = divmod(rest, 1_000_000)
    return (days * 86400) + (seconds + (microseconds / 1e6))


def unix_time_millis(dt: Any = None, _moto: Any = None) -> float:
    """moto's ``unix_time_millis()``."""
    if dt is not None:
        return _moto(dt)
    return unix_time() * 1000.0


def _retention_from_queue(self: Any, queue_name: str, message: Any) -> bool:
    """``SQSBackend.is_message_valid_based_on_retention_period`` reading the one attribute it needs."""
    from moto.sqs import models

    retention_period = self.get_queue(queue_name).message_retention_period
    retain_until = retention_period + message.sent_timestamp / 1000
    return not retain_until <= models.unix_time()


def install() -> None:
    """Apply the guards to moto's SQS models (idempotent)."""
    if _originals:
        return
    from moto.sqs import models

    _originals.extend([(models, "unix_time", models.unix_time), (models, "unix_time_millis", models.unix_time_millis),
                       (models, "camelcase_to_underscores", models.camelcase_to_underscores),
                       (models.SQSBackend, "is_message_valid_based_on_retention_period",
                        models.SQSBackend.__dict__["is_message_valid_based_on_retention_period"])])
    models.unix_time = functools.partial(unix_time, _moto=models.unix_time)  # type: ignore[assignment]
    models.unix_time_millis = functools.partial(  # type: ignore[assignment]
        unix_time_millis, _moto=models.unix_time_millis)
    models.camelcase_to_underscores = functools.lru_cache(maxsize=256)(  # type: ignore[assignment]
        models.camelcase_to_underscores)
    models.SQSBackend.is_message_valid_based_on_retention_period = _retention_from_queue  # type: ignore[method-assign]


def uninstall() -> None:
    """Give moto's SQS models back their own functions."""
    while _originals:
        owner, name, original = _originals.pop()
        setattr(owner, name, original)
