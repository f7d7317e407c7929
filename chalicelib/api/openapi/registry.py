"""Every API family's OpenAPI document, in one place.

Every family is on the route kit (:mod:`chalicelib.api.kit`): its ``routes``
module's ``FAMILY`` is listed in ``FAMILIES``, and its document is assembled
from the operations its routes were registered with. The route test
(``tests/api/test_openapi_documents.py``) compares the routes the app registers
with the union of these documents, and the fuzz test runs schemathesis on each
of them, so a family missing here fails both.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from chalicelib.api.balrog import routes as balrog
from chalicelib.api.datazilla import routes as datazilla
from chalicelib.api.kernelci import routes as kernelci
from chalicelib.api.kit import documents as kit_documents
from chalicelib.api.perf import routes as perf
from chalicelib.api.selfserve import routes as selfserve
from chalicelib.api.treeherder import routes as treeherder

# The perf pages are routes of the Datazilla family (``perf.FAMILY``): importing them registers their operations.
FAMILIES = [selfserve.FAMILY, balrog.FAMILY, datazilla.FAMILY, perf.FAMILY, treeherder.FAMILY, kernelci.FAMILY]
BUILDERS: dict[str, Callable[[], dict[str, Any]]] = {
    family.name: functools.partial(kit_documents.document, family.name) for family in FAMILIES}


@functools.cache
def document(family: str) -> dict[str, Any] | None:
    """The family's document (built once per process), None for an unknown family.

    Callers must not change it: it is shared.
    """
    builder = BUILDERS.get(family)
    return None if builder is None else builder()


def families() -> list[str]:
    return sorted(BUILDERS)
