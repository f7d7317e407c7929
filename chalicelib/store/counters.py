"""Atomic counters: increasing integer ids without a read-modify-write race."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta


class Counter(Model):
    Meta = table_meta("counters")
    name = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(default=0)


def next_value(name: str, step: int = 1) -> int:
    """Add ``step`` to the counter and return its new value (one UpdateItem)."""
    counter = Counter(name)
    counter.update(actions=[Counter.value.add(step)])
    return int(counter.value)


def current_value(name: str) -> int:
    try:
        return int(Counter.get(name).value)
    except Counter.DoesNotExist:
        return 0
