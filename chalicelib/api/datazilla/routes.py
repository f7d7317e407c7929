"""Every Datazilla blueprint, in the order the app registers them (at the root: ``DATAZILLA.prefix`` is empty).

The perf pages (``chalicelib/api/perf``: alerts, graphs) are routes of this
family too, served under its project paths in its envelope; their blueprints
are listed in ``chalicelib/api/perf/routes.py``.
"""

from __future__ import annotations

from chalicelib.api.datazilla import ingest, metrics, objectstore, perftest, pushlog, testdata
from chalicelib.api.datazilla.family import DATAZILLA

FAMILY = DATAZILLA
BLUEPRINTS = [ingest.bp, objectstore.bp, testdata.bp, pushlog.bp, perftest.bp, metrics.bp]
