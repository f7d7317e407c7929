"""``/api/repository/``, ``/api/optioncollectionhash/``, ``/api/failureclassification/``."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.kit.documents import documented
from chalicelib.api.kit.openapi_parts import answer, schema_ref
from chalicelib.api.treeherder import render
from chalicelib.api.treeherder.family import TREEHERDER
from chalicelib.api.treeherder.openapi import NAMED, POLICY, STRING, array, obj, read
from chalicelib.store import branches
from chalicelib.treeherder import reference

bp = Blueprint(__name__)


@documented(read("repositories", "Every repository (a pushlog branch each)", {
    200: answer("The repositories, by id.", array(schema_ref("Repository"))), **POLICY}))
def repositories() -> list[dict[str, Any]]:
    """Every pushlog branch is a repository (one Query; a branch without an id gets one once)."""
    listed = [branches.ensure_repository(b) for b in branches.all_branches()]
    return [render.repository(b) for b in sorted(listed, key=lambda b: b.repository_id or 0)]


@documented(read("option_collection_hashes", "Build option collections", {
    200: answer("Each hash with its options.", array(obj({
        "option_collection_hash": STRING, "options": array(obj({"name": STRING}))}))), **POLICY}))
def option_collection_hashes() -> list[dict[str, Any]]:
    return [{"option_collection_hash": h, "options": [{"name": name} for name in options]}
            for h, options in reference.OPTION_COLLECTION_HASHES.items()]


@documented(read("failure_classifications", "Failure classifications", {
    200: answer("Id and name of each.", NAMED), **POLICY}))
def failure_classifications() -> list[dict[str, Any]]:
    return [{"id": i, "name": name} for i, name in reference.FAILURE_CLASSIFICATIONS]


TREEHERDER.route(bp, "/api/repository", {"GET": repositories})
TREEHERDER.route(bp, "/api/optioncollectionhash", {"GET": option_collection_hashes})
TREEHERDER.route(bp, "/api/failureclassification", {"GET": failure_classifications})
