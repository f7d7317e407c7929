"""Components that routes declare beside themselves (``documents.add_components``): the perf pages' schemas in
Datazilla's document, added by the modules that serve them rather than by the family's declaration.

Pure: throwaway families, no AWS.
"""

from __future__ import annotations

import itertools

import pytest
from chalice import Response

from chalicelib.api.kit import documents
from chalicelib.api.kit.family import Envelope, Family

_names = itertools.count()


def _family(components: dict) -> Family:
    answer = Envelope(success=lambda value, _: Response(value), error=lambda refusal, _: Response(refusal.message))
    return Family(name=f"kit_components_test_{next(_names)}", prefix="/t", title="t", description="d",
                  envelope=answer, components=components)


def test_given_schemas_added_by_routes_when_the_document_is_built_then_it_has_both_kinds():
    family = _family({"schemas": {"Declared": {"type": "string"}}})
    documents.add_components(family.name, {"schemas": {"Added": {"type": "integer"}},
                                           "examples": {"One": {"value": 1}}})
    components = documents.document(family.name)["components"]
    assert components["schemas"]["Declared"] == {"type": "string"}
    assert components["schemas"]["Added"] == {"type": "integer"}
    assert components["examples"] == {"One": {"value": 1}}
    assert family.components == {"schemas": {"Declared": {"type": "string"}}}  # the declaration is left as it was


@pytest.mark.parametrize("first", [None, {"Taken": {"type": "integer"}}])
def test_given_a_name_the_document_has_when_it_is_added_then_it_is_refused(first):
    family = _family({"schemas": {"Declared": {"type": "string"}}})
    if first is not None:
        documents.add_components(family.name, {"schemas": first})
    taken = "Declared" if first is None else "Taken"
    with pytest.raises(ValueError, match=taken):
        documents.add_components(family.name, {"schemas": {taken: {"type": "boolean"}}})


def test_the_perf_pages_schemas_are_in_datazillas_document():
    """Given the perf routes (a Datazilla family's routes in another package), the document has their schemas."""
    from chalicelib.api.openapi import registry

    schemas = registry.document("datazilla")["components"]["schemas"]
    assert {"Alert", "AlertSummary", "GraphSeries", "DatazillaError"} <= set(schemas)
