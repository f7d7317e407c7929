"""Perfherder: ``/api/project/<p>/performance/signatures/``, ``/performance/data/``, ``/api/performance/framework/``."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.kit.documents import documented
from chalicelib.api.kit.openapi_parts import answer, query_param, response_ref, schema_ref
from chalicelib.api.treeherder.family import TREEHERDER
from chalicelib.api.treeherder.openapi import (
    COMMA_INTEGERS,
    EXAMPLE_SIGNATURE,
    NAMED,
    PERF_TAG,
    POLICY,
    PROJECT,
    PROJECT_ERRORS,
    STRING,
    array,
    int_query,
    obj,
    read,
)
from chalicelib.perf.perfherder_query import parse_data_query
from chalicelib.perf.signatures import FRAMEWORKS
from chalicelib.services.treeherder import perf_series
from chalicelib.store.branches import Branch
from chalicelib.treeherder.params import Params

bp = Blueprint(__name__)


@documented(read(
    "performance_signatures", "A repository's performance series", {
        200: answer("Signature hash → series.", {"type": "object", "additionalProperties": schema_ref("Signature")}),
        **PROJECT_ERRORS},
    [PROJECT, query_param("signature", "Only these hashes (comma-separated or repeated)."),
     query_param("framework", "Only these framework ids.", COMMA_INTEGERS),
     query_param("platform", "Only this machine platform (repeat for more)."),
     int_query("interval", "Only series with data in the last this many seconds."),
     query_param("start_date", "Only series updated after this ISO date-time."),
     query_param("end_date", "Only series updated before this ISO date-time."),
     query_param("subtests", "`0`: no subtest series.", {"enum": ["", "0", "1"]}),
     query_param("id", "Only these signature ids.", COMMA_INTEGERS)],
    tags=PERF_TAG))
def signatures(branch: Branch, project: str) -> dict[str, Any]:
    """The repository's series, filtered by signature, framework, platform, interval, subtests."""
    return perf_series.signature_listing(branch.name, Params(bp.current_request.query_params))


@documented(read(
    "performance_data", "The points of performance series, oldest push first", {
        200: answer("Signature hash → points.", {"type": "object",
                                                "additionalProperties": array(schema_ref("PerfDatum"))}),
        400: answer("Treeherder's refusals in its shapes: `[\"Need to specify either signature_id, "
                    "signatures, push_id, or job_id\"]`, `[\"Can't specify both signature_id and signatures "
                    "in same query\"]`, `{\"message\": \"Provide either interval only -or- start (and end) "
                    "date\"}`, `{\"message\": \"Job id(s) must be specified as integers\"}`; another wrong "
                    "value is `{\"detail\"}`.",
                    {"oneOf": [array(STRING), obj({"message": STRING}, required=["message"]),
                               schema_ref("Detail")]}),
        404: response_ref("ProjectNotFound"), **POLICY},
    [PROJECT, query_param("signatures", "Signature hashes (comma-separated or repeated).",
                          example=EXAMPLE_SIGNATURE),
     query_param("signature", "`signatures`' other name."),
     query_param("signature_id", "Signature ids (not with `signatures`).", COMMA_INTEGERS),
     int_query("interval", "Only the last this many seconds (not with `start_date`/`end_date`).", minimum=1),
     query_param("start_date", "Only pushes after this ISO date-time (UTC when it names no offset)."),
     query_param("end_date", "Only pushes before this ISO date-time."),
     query_param("startday", "First day (`YYYY-MM-DD`), UTC."),
     query_param("endday", "Last day (`YYYY-MM-DD`), UTC, inclusive."),
     query_param("push_id", "Only these pushes' points (every series of the repository when no "
                            "signature is named).", COMMA_INTEGERS),
     query_param("job_id", "Only these jobs' points: Shipyard's points come from Datazilla runs and name "
                           "no job, so none.", COMMA_INTEGERS),
     query_param("framework", "Only series of these framework ids.", COMMA_INTEGERS)],
    tags=PERF_TAG))
def data(branch: Branch, project: str) -> dict[str, Any]:
    """Points by signature (hashes or ids), or of pushes or jobs across the repository's series; a query
    Treeherder refuses is 400 in its own shape (the family's error table)."""
    return perf_series.points_by_signature(branch.name, parse_data_query(Params(bp.current_request.query_params)))


@documented(read("performance_frameworks", "Performance frameworks", {
    200: answer("Id and name of each.", NAMED), **POLICY}, tags=PERF_TAG))
def frameworks() -> list[dict[str, Any]]:
    return [{"id": i, "name": n} for i, n in FRAMEWORKS.items()]


TREEHERDER.route(bp, "/api/project/{project}/performance/signatures", {"GET": signatures})
TREEHERDER.route(bp, "/api/project/{project}/performance/data", {"GET": data})
TREEHERDER.route(bp, "/api/performance/framework", {"GET": frameworks})
