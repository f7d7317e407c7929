"""Datazilla's db_size answer: each of a project's two databases and its size in MB.

Datazilla asked MySQL for ``round(sum(data_length + index_length)/1024/1024, 2)``
of every schema named like the project, a DECIMAL its views turned into a
string: ``"0.08"``, ``"1.00"``. Shipyard's databases are the project's stored
blobs (objectstore) and its loaded runs (perftest), counted in bytes as they
are written; the same rounding and form apply.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MB = 1024 * 1024


def size_mb(num_bytes: int) -> str:
    """MB to two decimals, halves away from zero (MySQL's ROUND of an exact value), as a string."""
    return str((Decimal(num_bytes) / MB).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def project_databases(project: str, objectstore_bytes: int, perftest_bytes: int) -> list[dict[str, str]]:
    """Both databases of a project, as either db_size endpoint answered (the query matched ``%project%``)."""
    return [
        {"db_name": f"{project}_objectstore_1", "size_mb": size_mb(objectstore_bytes)},
        {"db_name": f"{project}_perftest_1", "size_mb": size_mb(perftest_bytes)},
    ]
