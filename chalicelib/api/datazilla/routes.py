"""Every Datazilla blueprint, in the order the app registers them (at the root: ``DATAZILLA.prefix`` is empty).

The perf pages (``chalicelib/api/perf``: alerts, graphs) are served under
Datazilla's project paths in its envelope, so Datazilla's document carries
their operations. Until their routes move onto the kit, their operations
(``chalicelib/api/perf/openapi.py``) are added to the document here.
"""

from __future__ import annotations

from chalicelib.api.datazilla import ingest, metrics, objectstore, perftest, pushlog, testdata
from chalicelib.api.datazilla.family import DATAZILLA
from chalicelib.api.kit import documents
from chalicelib.api.kit.openapi_parts import METHODS
from chalicelib.api.perf import openapi as perf

FAMILY = DATAZILLA
BLUEPRINTS = [ingest.bp, objectstore.bp, testdata.bp, pushlog.bp, perftest.bp, metrics.bp]

for _path, _item in perf.paths().items():
    for _method in METHODS:
        if _method in _item:
            documents.add_operation(FAMILY.name, _path, _method.upper(), _item[_method])
