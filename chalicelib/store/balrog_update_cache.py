"""What the update endpoint keeps between requests in one process.

The update endpoint is the hot path of an update server: every Firefox asks
it. Reading a product's rules costs a Query; instead they are kept and read
again only when the rules' generation counter has moved (any rule write
bumps it) or after ``RULES_TTL`` seconds, whichever comes first (the TTL
bounds staleness should a writer die between its write and its bump).
Release blobs are immutable per data_version, so they are kept by
(name, data_version), a few dozen at most.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from chalicelib.store.balrog_releases import releases
from chalicelib.store.balrog_rules import rules
from chalicelib.store.balrog_shutoffs import shutoffs

RULES_TTL = 60.0
MAX_BLOBS = 32

_lock = threading.Lock()
_rules: dict[str, tuple[int, float, list[dict[str, Any]], frozenset[str]]] = {}
_blobs: OrderedDict[tuple[str, int], dict[str, Any]] = OrderedDict()
_products: dict[str, str] = {}  # release name -> product; a release's product never changes meaning here


def _current(product: str) -> tuple[list[dict[str, Any]], frozenset[str]]:
    """A product's rules and shut-off channels: one GetItem when cached, plus two Queries when not.

    Shutoffs are read with the rules and kept with them: shutoff writes bump
    the same generation counter as rule writes.
    """
    generation = rules.generation()
    now = time.monotonic()
    with _lock:
        cached = _rules.get(product)
    if cached is not None and cached[0] == generation and now - cached[1] < RULES_TTL:
        return cached[2], cached[3]
    found = rules.all_rules(product)
    channels = frozenset(row["channel"] for row in shutoffs.of_product(product))
    with _lock:
        _rules[product] = (generation, now, found, channels)
    return found, channels


def product_rules(product: str) -> list[dict[str, Any]]:
    """The rules of ``product``: one GetItem when cached, plus the Queries when not."""
    return _current(product)[0]


class RequestView:
    """One update request's reads: a product's generation is read once, its rules and shutoffs both follow it.

    The endpoint asks whether updates are shut off (for the channel and its
    ``-cck-`` fallback) and then for the rules; all three answers come from
    one consistent read, at the cost of one GetItem per request.
    """

    def __init__(self) -> None:
        self._seen: dict[str, tuple[list[dict[str, Any]], frozenset[str]]] = {}

    def _of(self, product: str) -> tuple[list[dict[str, Any]], frozenset[str]]:
        if product not in self._seen:
            self._seen[product] = _current(product)
        return self._seen[product]

    def product_rules(self, product: str) -> list[dict[str, Any]]:
        return self._of(product)[0]

    def shut_off(self, product: str, channel: str) -> bool:
        """Whether updates of ``product`` on ``channel`` are shut off (Balrog's ``updates_are_disabled``)."""
        return channel in self._of(product)[1]


def release_blob(name: str) -> dict[str, Any] | None:
    """A release's current blob: one GetItem, plus one S3 read the first time a version is seen."""
    record = releases.get({"name": name})
    if record is None:
        return None
    key = (name, int(record["data_version"]))
    with _lock:
        if record.get("product"):
            _products[name] = record["product"]
        if key in _blobs:
            _blobs.move_to_end(key)
            return _blobs[key]
    blob = releases.blob(record)
    with _lock:
        _blobs[key] = blob
        while len(_blobs) > MAX_BLOBS:
            _blobs.popitem(last=False)
    return blob


def release_product(name: str) -> str | None:
    """The product of a release seen by :func:`release_blob` in this process (no extra read)."""
    with _lock:
        return _products.get(name)


def clear() -> None:
    with _lock:
        _products.clear()
        _rules.clear()
        _blobs.clear()
