"""Every API family's OpenAPI document, in one place.

A family on the route kit (:mod:`chalicelib.api.kit`) adds its ``routes``
module to ``KIT_FAMILIES``: its document is assembled from the operations its
routes were registered with. A family not yet on the kit adds one line to
``BUILDERS``: its name (the ``<family>`` of ``/openapi/<family>.json``) and
the function building its document. The route
test (``tests/test_openapi_documents.py``) compares the routes the app
registers with the union of these documents, and the fuzz test runs
schemathesis on each of them, so a family without a line here fails both.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from chalicelib.api.balrog import routes as balrog
from chalicelib.api.datazilla import routes as datazilla
from chalicelib.api.kernelci import routes as kernelci
from chalicelib.api.kit import documents as kit_documents
from chalicelib.api.selfserve import routes as selfserve
from chalicelib.api.treeherder import openapi as treeherder

BUILDERS: dict[str, Callable[[], dict[str, Any]]] = {
    treeherder.FAMILY: treeherder.build,
}
KIT_FAMILIES = [selfserve.FAMILY, balrog.FAMILY, datazilla.FAMILY, kernelci.FAMILY]
for _family in KIT_FAMILIES:
    BUILDERS[_family.name] = functools.partial(kit_documents.document, _family.name)


@functools.cache
def document(family: str) -> dict[str, Any] | None:
    """The family's document (built once per process), None for an unknown family.

    Callers must not change it: it is shared.
    """
    builder = BUILDERS.get(family)
    return None if builder is None else builder()


def families() -> list[str]:
    return sorted(BUILDERS)
