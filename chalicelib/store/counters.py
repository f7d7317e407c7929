"""Atomic counters: increasing integer ids without a read-modify-write race."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta


class Counter(Model):
    Meta = table_meta("counters")
    name = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(default=0)
    # A running total kept beside the value it travels with (see store.project_sizes)
    total = NumberAttribute(null=True)


def next_value(name: str, step: int = 1) -> int:
    """Add ``step`` to the counter and return its new value (one UpdateItem)."""
    counter = Counter(name)
    counter.update(actions=[Counter.value.add(step)])
    return int(counter.value)


def add_both(name: str, value: int, total: int) -> None:
    """Add to the counter's value and to its running total in one UpdateItem (two sizes that travel together)."""
    Counter(name).update(actions=[Counter.value.add(value), Counter.total.add(total)])


def current_values(names: list[str]) -> dict[str, Counter]:
    """Several counters in one BatchGetItem (absent ones are left out)."""
    return {c.name: c for c in Counter.batch_get(names)}


def current_value(name: str) -> int:
    try:
        return int(Counter.get(name).value)
    except Counter.DoesNotExist:
        return 0
