"""``/job``, ``/build``, ``/test/group``, ``/test/case``, ``/test/regression``, ``/count``, ``.../distinct``.

Reads are GET with the family's query parameters; a path id reads one
document; ``/<resource>/distinct/<field>`` lists a field's values. Writes:
POST /build answers 202 and imports through the queue (creating the build's
job); POST /job sets the status of an existing job; POST /test/group stores
a group with its inline cases and the regressions they show; POST /test/case
adds a case to a group. DELETE removes a job with its builds, a build, a
test group with its cases, or a test case from its group, as the backend did
before it dropped those verbs (2019-2020). The other verbs are not
implemented (501), as in the backend.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalice import Blueprint

from chalicelib import config
from chalicelib.api.kernelci import openapi as spec
from chalicelib.api.kernelci.call import Call
from chalicelib.api.kernelci.envelope import Answer, reason_for
from chalicelib.api.kernelci.family import Rule, paths, resource
from chalicelib.api.kit.openapi_parts import path_param, schema_ref, segment
from chalicelib.api.kit.refusal import Refusal
from chalicelib.kernelci import keys
from chalicelib.kernelci import tokens as token_rules
from chalicelib.kernelci.documents import ID_FIELDS, build_fields, is_object_id, job_id, now_ms, shown
from chalicelib.kernelci.query import parse, project
from chalicelib.kernelci.test_results import InvalidResults, check_case
from chalicelib.services.kernelci import job_status, removal, test_results
from chalicelib.store import kernelci as store
from chalicelib.store import kernelci_listings as listings
from chalicelib.store import queues

bp = Blueprint(__name__)

def _reader(coll: str):
    def read(call: Call) -> Answer:
        doc_id = call.valid_id()
        query = parse(call.params, keys.GET_KEYS[coll])
        if doc_id is not None:
            doc = store.get(coll, doc_id)
            if doc is None:
                raise Refusal(404, f"Resource '{doc_id}' not found")
            return Answer(result=[shown(project(doc, query))])
        docs, total = listings.find(coll, query)
        return Answer(result=[shown(project(d, query)) for d in docs], count=total, limit=query.limit,
                      skip=query.skip)

    return read


def _read_operation(alias: spec.Alias, collection: str, example: str | None) -> dict[str, Any]:
    item = schema_ref(spec.SCHEMA_NAMES[collection])
    name = alias.resource
    if alias.with_id:
        return spec.op(alias, "get", f"One {name} document", {
            200: spec.ok("The document, alone in `result`.", spec.envelope(item, ["result"])),
            **spec.common(400, 403, 404, 503, 506)},
            security=spec.TOKEN, parameters=[spec.valid_id(example), *spec.PROJECTION])
    return spec.op(alias, "get", f"{name} documents matching the query", {
        200: spec.ok("The page of matching documents, newest first unless sorted; `count` is every match.",
                     spec.envelope(item, ["result", "count", "limit", "skip"])),
        **spec.common(400, 403, 503, 506)},
        security=spec.TOKEN, parameters=spec.list_params(keys.GET_KEYS[collection]))


def _deleter(coll: str):
    """DELETE ``/<resource>/<id>``: 400 without an id or with one that is not an ObjectId, 404 if absent."""

    def delete(call: Call) -> Answer:
        if not call.doc_id:
            raise Refusal(400, "No ID value specified")
        if not is_object_id(call.doc_id):
            raise Refusal(400, "Wrong ID specified")
        try:
            removal.delete(coll, call.doc_id)
        except removal.NotFound:
            raise Refusal(404, reason_for(404)) from None
        except removal.GroupContended as err:
            raise Refusal(503, f"Test group '{err}' is being changed by others; the case is deleted, "
                               "its group's list of cases is not: retry") from None
        return Answer(200, reason=f"Resource '{call.doc_id}' deleted")

    return delete


def _delete_operation(alias: spec.Alias, what: str) -> dict[str, Any]:
    if not alias.with_id:
        return spec.op(alias, "delete", f"Delete {what}: an id is needed (400)", spec.common(400, 403, 503),
                       security=spec.TOKEN)
    return spec.op(alias, "delete", f"Delete {what}", {
        200: spec.ok("Deleted.", schema_ref("Done")), **spec.common(400, 403, 404, 503)},
        security=spec.TOKEN, parameters=[spec.doc_id("The document's id (24 hex digits; another is 400).")])


def distinct(coll: str) -> Callable[[Call], Answer]:
    """``GET /<resource>/distinct/<field>``: the values of a field, 400 for a field not listed.

    Without a query, one Query of the field's value index; with one, the
    values among the documents the query finds (as a GET of the resource).
    """

    def read(call: Call) -> Answer:
        field = call.doc_id
        if not field or field not in keys.DISTINCT_FIELDS[coll]:
            raise Refusal(400, "No field specified or field not valid")
        if not any(v for values in call.params.values() for v in values):
            values = listings.distinct(coll, field)
        else:
            docs, _ = listings.find(coll, parse(call.params, keys.GET_KEYS[coll]))
            values = sorted({d[field] for d in docs if isinstance(d.get(field), str) and d[field]})
        if field in ID_FIELDS:
            values = [{"$oid": v} for v in values]
        return Answer(result=values, count=len(values))

    return read


def _distinct_operations(alias: spec.Alias, collection: str) -> dict[str, Any]:
    field = path_param("field", "A field whose values are listed (another is 400).",
                       segment(enum=list(keys.DISTINCT_FIELDS[collection])), example="job")
    return {"get": spec.op(alias, "get", f"The distinct values of a {alias.resource} field", {
        200: spec.ok("Each value once (ids as `$oid`); with a query, among the documents it finds.",
                     spec.envelope(spec.ANY, ["result", "count"])),
        **spec.common(400, 403, 503, 506)},
        security=spec.TOKEN, parameters=[field, *spec.list_params(keys.GET_KEYS[collection])])}


def _require_text(body: dict[str, Any], names: tuple[str, ...]) -> None:
    wrong = keys.wrong_text_values(body, names)
    if wrong:
        raise Refusal(400, "Provided JSON is not valid", errors=[f"'{k}' must be a non-empty string" for k in wrong])


# --- job -----------------------------------------------------------------------------------------


def post_job(call: Call) -> Answer:
    """Mark an existing job (tree, kernel, branch) with a status, PASS by default."""
    checked = call.json_body(keys.POST_KEYS[keys.JOB])
    body = checked.body
    _require_text(body, keys.POST_KEYS[keys.JOB].mandatory)
    status = keys.DEFAULT_JOB_STATUS if body.get("status") is None else body["status"]
    if not (isinstance(status, str) and status in keys.JOB_STATUSES):
        raise Refusal(400, f"Status value '{status}' is not valid, should be one of: {list(keys.JOB_STATUSES)}")
    described = f"'{body['job']}-{body['kernel']}' (branch {body['git_branch']})"
    try:
        job_status.mark(job_id(body["job"], body["git_branch"], body["kernel"]), body, status)
    except job_status.JobNotFound:
        raise Refusal(404, f"Job {described} not found") from None
    except job_status.JobContended:
        raise Refusal(503, f"Job {described} is being changed by others; retry") from None
    return Answer(200, reason=f"Job {described} marked as '{status}'", errors=checked.errors)


def _job_operations(alias: spec.Alias, params: list[Any]) -> dict[str, Any]:
    return {"delete": _delete_operation(alias, "a job and its builds"),
            "post": spec.op(alias, "post", "Set the status of an existing job", {
                200: spec.ok("Marked.", schema_ref("Done")), **spec.common(*spec.WRITE_ERRORS, 404)},
                security=spec.TOKEN, parameters=params, description="A path id is ignored.",
                request_body=spec.json_body(
                    "JobStatus", "The job (tree, kernel, branch) and its status.",
                    {**{k: spec.EXAMPLE_BUILD[k] for k in ("job", "kernel", "git_branch")}, "status": "PASS"}))}


# --- build ---------------------------------------------------------------------------------------


def post_build(call: Call) -> Answer:
    """Accept a build for import (202): the worker stores it, and its job if new."""
    checked = call.json_body(keys.POST_KEYS[keys.BUILD])
    _require_text(checked.body, (*keys.POST_KEYS[keys.BUILD].mandatory, "defconfig_full"))
    too_long = store.oversized_index_keys(keys.BUILD, build_fields(checked.body))
    if too_long:
        raise Refusal(400, "Provided JSON is not valid", errors=[
            f"'job', 'git_branch' and 'kernel' are too long to be kept (index keys past "
            f"{store.MAX_INDEX_KEY_BYTES} bytes: {', '.join(too_long)})"])
    queues.send(config.KERNELCI_IMPORT_QUEUE, {"build": checked.body, "received_on": now_ms()})
    return Answer(202, reason="Request accepted and being imported", errors=checked.errors)


def _build_operations(alias: spec.Alias, params: list[Any]) -> dict[str, Any]:
    return {"delete": _delete_operation(alias, "a build"),
            "post": spec.op(alias, "post", "Import a build (and its job when new)", {
                202: spec.ok("`Request accepted and being imported`: the import queue stores it.", schema_ref("Done")),
                **spec.common(*spec.WRITE_ERRORS)},
                security=spec.TOKEN, parameters=params, description="A path id is ignored.",
                request_body=spec.json_body("BuildImport", "The build.", spec.EXAMPLE_BUILD))}


# --- tests ---------------------------------------------------------------------------------------


def post_test_group(call: Call) -> Answer:
    if call.doc_id is not None:
        raise Refusal(400, "To update a test group, use a PUT request")
    checked = call.json_body(keys.POST_KEYS[keys.TEST_GROUP])
    try:
        stored = test_results.store_group(checked.body, now_ms())
    except InvalidResults as err:
        raise Refusal(400, "Provided JSON is not valid", errors=err.errors) from None
    group, found = stored.document, stored.regressions
    messages = [f"{len(found)} new test regression(s)"] if found else []
    return Answer(201, result=[{"_id": {"$oid": group["_id"]}}], reason=f"Test group '{group['name']}' created",
                  errors=[*checked.errors, *stored.notes], messages=messages,
                  headers={"Location": f"/test/group/{group['_id']}"})


def post_test_case(call: Call) -> Answer:
    """Add one case to an existing group (its regressions computed as for inline cases)."""
    if call.doc_id is not None:
        raise Refusal(400, "To update a test case, use a PUT request")
    checked = call.json_body(keys.POST_KEYS[keys.TEST_CASE])
    fields = dict(checked.body)
    group_id = fields.pop("test_group_id")
    try:
        check_case(fields)
    except InvalidResults as err:
        raise Refusal(400, "Provided JSON is not valid", errors=err.errors) from None
    if not (isinstance(group_id, str) and is_object_id(group_id)):
        raise Refusal(400, f"Test group ID '{group_id}' is not valid")
    try:
        case = test_results.add_case(fields, group_id, now_ms()).document
    except test_results.GroupNotFound:
        raise Refusal(400, f"Test group with ID '{group_id}' not found") from None
    except test_results.GroupContended:
        raise Refusal(503, f"Test group '{group_id}' is being changed by others; the case is stored, "
                           "its group's list of cases is not: retry") from None
    return Answer(201, result=[{"_id": {"$oid": case["_id"]}}], reason=f"Test case '{case['name']}' created",
                  errors=checked.errors, headers={"Location": f"/test/case/{case['_id']}"})


def _create_operation(alias: spec.Alias, schema_name: str, summary: str, example: Any) -> dict[str, Any]:
    if alias.with_id:
        return spec.op(alias, "post", f"{summary}: not with an id (400: use PUT)", spec.common(*spec.WRITE_ERRORS),
                       security=spec.TOKEN, parameters=[spec.doc_id("Any id: refused.")],
                       request_body=spec.json_body(schema_name, "Ignored."))
    return spec.op(alias, "post", summary, {
        201: spec.ok("Created: its id in `result`, `messages` names new regressions.",
                     spec.envelope(spec.record({"_id": spec.OID}, ["_id"]), ["result"]), spec.LOCATION),
        **spec.common(*spec.WRITE_ERRORS)},
        security=spec.TOKEN, request_body=spec.json_body(schema_name, summary, example))


def _test_group_operations(alias: spec.Alias, params: list[Any]) -> dict[str, Any]:
    return {"delete": _delete_operation(alias, "a test group and its cases"),
            "post": _create_operation(alias, "TestGroupImport", "Store a test group with its cases",
                                      spec.EXAMPLE_GROUP)}


def _test_case_operations(alias: spec.Alias, params: list[Any]) -> dict[str, Any]:
    return {"delete": _delete_operation(alias, "a test case (and its id from its group)"),
            "post": _create_operation(alias, "TestCaseImport", "Add a case to a test group",
                                      {"name": "dmesg", "status": "PASS", "test_group_id": "0" * 24})}


# --- count ---------------------------------------------------------------------------------------


def count(call: Call) -> Answer:
    query = parse(call.params, keys.COUNT_KEYS)
    if call.doc_id is not None:
        if call.doc_id not in keys.COUNTED:
            raise Refusal(404, f"Collection {call.doc_id} not found")
        collections: tuple[str, ...] = (call.doc_id,)
    else:
        collections = keys.COUNTED
    if not query.filters and not query.has_window:
        totals = store.counter_values([listings.partition(c, query).counter for c in collections])
        numbers = [totals[listings.partition(c, query).counter] for c in collections]
    else:
        numbers = [listings.count(c, query) for c in collections]
    return Answer(result=[{"collection": c, "count": n} for c, n in zip(collections, numbers, strict=True)])


def _count_operations(alias: spec.Alias) -> dict[str, Any]:
    result = spec.envelope(schema_ref("Count"), ["result"])
    filters = [*spec.filters(keys.COUNT_KEYS), *spec.WINDOW]
    if alias.with_id:
        return {"get": spec.op(alias, "get", "How many documents of one collection match", {
            200: spec.ok("The collection's count.", result), 404: spec.error(404, "Not a counted collection."),
            **spec.common(400, 403, 503)},
            security=spec.TOKEN,
            parameters=[spec.doc_id("The collection.", "build", segment(enum=list(keys.COUNTED))), *filters])}
    return {"get": spec.op(alias, "get", "How many documents of each collection match", {
        200: spec.ok("One count per collection.", result), **spec.common(400, 403, 503)},
        security=spec.TOKEN, parameters=filters)}


# The documents the examples name (the local stack's seed makes them), by collection.
EXAMPLE_IDS = {keys.JOB: spec.example_job_id, keys.BUILD: spec.example_build_id,
               keys.TEST_REGRESSION: spec.example_regression_id}


def _collection(name: str, collection: str, handlers: dict[str, Callable[[Call], Answer]], rule: Rule,
                writes: Callable[[spec.Alias, list[Any]], dict[str, Any]] | None = None) -> None:
    """A resource reading one collection (and, with ``writes``, taking its POST and DELETE)."""
    found = EXAMPLE_IDS.get(collection)
    example = found() if found is not None else None

    def operations(alias: spec.Alias) -> dict[str, Any]:
        ops = {"get": _read_operation(alias, collection, example)}
        if writes is not None:
            ops.update(writes(alias, [spec.doc_id("Any id: ignored.")] if alias.with_id else []))
        return ops

    resource(bp, name, paths(name), handlers, rule, operations,
             lambda alias: [spec.doc_id("Any id: not looked at.", example)] if alias.with_id else [])


_collection("job", keys.JOB, {"GET": _reader(keys.JOB), "POST": post_job,
                              "DELETE": _deleter(keys.JOB)},
            token_rules.general, _job_operations)
_collection("build", keys.BUILD, {"GET": _reader(keys.BUILD), "POST": post_build, "DELETE": _deleter(keys.BUILD)},
            token_rules.general, _build_operations)
_collection("test/group", keys.TEST_GROUP, {
    "GET": _reader(keys.TEST_GROUP), "POST": post_test_group,
    "DELETE": _deleter(keys.TEST_GROUP)}, token_rules.tests,
    _test_group_operations)
_collection("test/case", keys.TEST_CASE, {"GET": _reader(keys.TEST_CASE), "POST": post_test_case,
                                          "DELETE": _deleter(keys.TEST_CASE)},
            token_rules.tests, _test_case_operations)
_collection("test/regression", keys.TEST_REGRESSION, {"GET": _reader(keys.TEST_REGRESSION)}, token_rules.tests)
resource(bp, "count", paths("count"), {"GET": count}, token_rules.general, _count_operations, spec.no_params,
         unimplemented=("POST", "DELETE"))
# The distinct resources are the backend's DistinctHandler: general tokens, writes refused before the token.
for _coll, _name in ((keys.JOB, "job"), (keys.BUILD, "build"), (keys.TEST_GROUP, "test/group"),
                     (keys.TEST_CASE, "test/case")):
    resource(bp, _name, [f"{p}/distinct/{{field}}" for p in paths(_name, with_id=False)], {"GET": distinct(_coll)},
             token_rules.general, functools.partial(_distinct_operations, collection=_coll),
             lambda alias: [path_param("field", "Any field.", segment())], unimplemented=("POST", "PUT", "DELETE"))
