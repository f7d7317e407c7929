"""Bytes a project stores, kept as counters as they are written: no listing, no table-wide figure.

DynamoDB's own table sizes are per table (all projects together), refreshed
every six hours, and zero under moto; a project's db_size needs its own. The
objectstore's bytes are its blobs (counted with their ids, ``store.blobs``);
the perftest's are its loaded runs' items and packed replicates, counted by
the loader once a row is complete (a crash between the two leaves that run
uncounted: a size is an estimate, as MySQL's was).
"""

from __future__ import annotations

from chalicelib.store import counters
from chalicelib.store.blobs import ids_counter, legacy_bytes_counter


def _perftest_counter(project: str) -> str:
    return f"perftest_bytes#{project}"


def count_perftest(project: str, size: int) -> None:
    """Add a loaded run's bytes (its item and its replicates) to the project's perftest size."""
    counters.next_value(_perftest_counter(project), size)


def stored(project: str) -> tuple[int, int]:
    """(objectstore bytes, perftest bytes) of a project, in one BatchGetItem."""
    found = counters.current_values([ids_counter(project), legacy_bytes_counter(project), _perftest_counter(project)])

    def value(name: str, attribute: str) -> int:
        counter = found.get(name)
        return int(getattr(counter, attribute) or 0) if counter is not None else 0

    objectstore = value(ids_counter(project), "total") + value(legacy_bytes_counter(project), "value")
    return objectstore, value(_perftest_counter(project), "value")
