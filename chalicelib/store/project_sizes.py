"""Bytes a project stores, kept as counters as they are written: no listing, no table-wide figure.

DynamoDB's own table sizes are per table (all projects together), refreshed
every six hours, and zero under moto; a project's db_size needs its own.

One counter item per project counts both databases: its ``value`` is the
perftest's bytes (loaded runs' items and packed replicates), its ``total``
the objectstore's (the blobs), both added when a row finishes: loaded (one
UpdateItem for both), failed, abandoned, or stored malformed. Not when the
upload is answered: that would be a write on the request path (ids come in
blocks, ``store.blobs``). A blob counts once its row is finished, seconds
later, as MySQL's data_length followed its table statistics rather than
each insert; a crash between finishing a row and counting it leaves it
uncounted: a size is an estimate, as MySQL's was. Blobs counted the older
ways (with their ids, or by queue ingest) are added in.
"""

from __future__ import annotations

from chalicelib.store import counters
from chalicelib.store.blobs import ids_counter, legacy_bytes_counter


def _perftest_counter(project: str) -> str:
    return f"perftest_bytes#{project}"


def count_loaded(project: str, perftest_bytes: int, blob_bytes: int) -> None:
    """Add a loaded run: its item and replicates to the perftest, its blob to the objectstore (one UpdateItem)."""
    counters.add_both(_perftest_counter(project), perftest_bytes, blob_bytes)


def count_blob(project: str, blob_bytes: int) -> None:
    """Add a blob whose row finished without loading (failed, abandoned, malformed) to the objectstore."""
    counters.add_both(_perftest_counter(project), 0, blob_bytes)


def stored(project: str) -> tuple[int, int]:
    """(objectstore bytes, perftest bytes) of a project, in one BatchGetItem."""
    found = counters.current_values([ids_counter(project), legacy_bytes_counter(project), _perftest_counter(project)])

    def value(name: str, attribute: str) -> int:
        counter = found.get(name)
        return int(getattr(counter, attribute) or 0) if counter is not None else 0

    objectstore = (value(_perftest_counter(project), "total") + value(ids_counter(project), "total")
                   + value(legacy_bytes_counter(project), "value"))
    return objectstore, value(_perftest_counter(project), "value")
