"""Every API family's OpenAPI document, in one place.

A family adds one line here: its name (the ``<family>`` of
``/openapi/<family>.json``) and the function building its document. The route
test (``tests/api/test_openapi_documents.py``) compares the routes the app
registers with the union of these documents, and the fuzz test runs
schemathesis on each of them, so a family without a line here fails both.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from chalicelib.api.balrog import openapi as balrog
from chalicelib.api.datazilla import openapi as datazilla
from chalicelib.api.kernelci import openapi as kernelci
from chalicelib.api.selfserve import openapi as selfserve
from chalicelib.api.treeherder import openapi as treeherder

BUILDERS: dict[str, Callable[[], dict[str, Any]]] = {
    datazilla.FAMILY: datazilla.build,
    balrog.FAMILY: balrog.build,
    selfserve.FAMILY: selfserve.build,
    treeherder.FAMILY: treeherder.build,
    kernelci.FAMILY: kernelci.build,
}


@functools.cache
def document(family: str) -> dict[str, Any] | None:
    """The family's document (built once per process), None for an unknown family.

    Callers must not change it: it is shared.
    """
    builder = BUILDERS.get(family)
    return None if builder is None else builder()


def families() -> list[str]:
    return sorted(BUILDERS)
