"""Reading queue messages: JSON objects with the keys a worker needs."""

from __future__ import annotations

import json
from typing import Any


class PoisonMessage(ValueError):
    """A message no retry can fix; it ends in the dead-letter queue."""


def parse(body: str, *required: str) -> dict[str, Any]:
    try:
        message = json.loads(body)
    except json.JSONDecodeError as err:
        raise PoisonMessage(f"message is not JSON: {err}") from None
    if not isinstance(message, dict):
        raise PoisonMessage("message is not a JSON object")
    missing = [k for k in required if k not in message]
    if missing:
        raise PoisonMessage(f"message lacks {', '.join(missing)}")
    return message
