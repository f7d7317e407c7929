"""The OpenAPI documents: valid OpenAPI 3.1, served at /openapi/<family>.json, and exactly the app's routes.

The route tests compare every route the app registers with the union of every
document in the registry (``chalicelib/api/openapi/registry.py``): a family
whose routes are merged without a document there fails them. On the route kit
(``chalicelib/api/kit``) a route cannot be registered without its operation;
these tests still hold every family, on the kit or not, to its document.
"""

from __future__ import annotations

import json

import pytest
from chalice.local import RouteMatcher
from openapi_spec_validator import validate

from chalicelib.api.kit import openapi_parts as parts
from chalicelib.api.openapi import registry

FAMILIES = registry.families()


def _app():
    from app import app

    return app


def _registered() -> set[tuple[str, str]]:
    """Every route but the catch-all ones, which only answer a family's 404 (chalicelib/api/unknown_paths.py)."""
    from chalicelib.api.unknown_paths import is_catch_all

    return {(path, method) for path, methods in _app().routes.items() for method in methods
            if not is_catch_all(_app(), path)}


def _documented() -> dict[tuple[str, str], str]:
    """(path, METHOD) of every operation of every document → the family documenting it."""
    return {op: family for family in FAMILIES for op in parts.operations(registry.document(family))}


def _served_by(path: str) -> str | None:
    """The registered route the app's router picks for a documented path (its templates as opaque values)."""
    try:
        return RouteMatcher(list(_app().routes)).match_route(path).route
    except ValueError:
        return None


def test_every_registered_route_is_documented():
    documented = {(_served_by(path), method) for path, method in _documented()}
    undocumented = sorted(_registered() - documented)
    assert not undocumented, (
        "routes no document in chalicelib/api/openapi/registry.py describes (register them with the family's "
        "route kit, which requires an operation, or, for a family not on the kit yet, add them to its openapi.py; "
        f"and the family to the registry): {undocumented}")


def test_every_documented_operation_is_served():
    registered = _registered()
    missing = sorted((path, method, family) for (path, method), family in _documented().items()
                     if (_served_by(path), method) not in registered)
    assert not missing, f"documented operations the app does not serve: {missing}"


def test_documented_path_parameters_have_the_route_parameter_names():
    mismatched = []
    for path, _method in _documented():
        route = _served_by(path)
        for documented, registered in zip(path.split("/"), (route or "").split("/"), strict=False):
            # a greedy route parameter ({path+}) is documented as {path}: OpenAPI has no greedy templates
            greedy_free = registered.replace("+}", "}")
            if documented.startswith("{") and registered.startswith("{") and documented != greedy_free:
                mismatched.append((path, documented, registered))
    assert not mismatched


def test_operations_belong_to_one_family_only():
    seen: dict[tuple[str, str], list[str]] = {}
    for family in FAMILIES:
        for op in parts.operations(registry.document(family)):
            seen.setdefault(op, []).append(family)
    assert {op: fams for op, fams in seen.items() if len(fams) > 1} == {}


@pytest.mark.parametrize("family", FAMILIES)
def test_document_is_valid_openapi_3_1(family):
    document = registry.document(family)
    assert document["openapi"].startswith("3.1")
    validate(document)


@pytest.mark.parametrize("family", FAMILIES)
def test_document_lists_its_own_document_path(family):
    assert "get" in registry.document(family)["paths"][f"/openapi/{family}.json"]


@pytest.mark.parametrize("family", FAMILIES)
def test_a_415_is_documented_on_bodies_only_and_in_the_familys_own_error_body(family):
    """The route kit refuses a body's Content-Type in the family's format, never a GET's (Chalice's own 415,
    ``{"Code", "Message"}`` on every method, is off)."""
    document = registry.document(family)
    on_reads = [(path, method) for path, method in parts.operations(document)
                if method in ("GET", "HEAD") and "415" in document["paths"][path][method.lower()]["responses"]]
    refusals = [response for item in document["paths"].values() for op in item.values()
                for status, response in op["responses"].items() if status == "415"]

    assert on_reads == []
    assert "ChaliceError" not in json.dumps(document)
    assert all("$ref" not in r or r["$ref"].removeprefix("#/components/responses/") in document["components"][
        "responses"] for r in refusals)


@pytest.mark.parametrize("family", FAMILIES)
def test_path_parameters_are_kept_to_one_segment(family):
    """A string path parameter's pattern must refuse '/', '', '.' and '..' (values no route can match)."""
    import re

    document = registry.document(family)
    loose = []
    for path, method in parts.operations(document):
        for param in document["paths"][path][method.lower()].get("parameters", []):
            schema = param.get("schema", {})
            if param["in"] != "path" or schema.get("type") == "integer":
                continue
            pattern = re.compile(schema.get("pattern", ""))
            if any(pattern.search(value) for value in ("a/b", "", ".", "..")):
                loose.append((path, param["name"]))
    assert loose == []


def test_given_a_family_when_its_document_is_fetched_then_it_names_the_server_reached(app_client):
    response = app_client.http.get("/openapi/balrog.json", headers={"Host": "shipyard.test"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    body = response.json_body
    assert body["servers"] == [{"url": "http://shipyard.test"}]
    assert body["paths"].keys() == registry.document("balrog")["paths"].keys()


@pytest.mark.parametrize("name", ["nope.json", "balrog", "balrog.yaml"])
def test_given_no_such_document_when_fetched_then_404_json_naming_the_documents(app_client, name):
    response = app_client.http.get(f"/openapi/{name}")
    assert response.status_code == 404
    assert response.json_body["documents"] == [f"/openapi/{f}.json" for f in FAMILIES]
