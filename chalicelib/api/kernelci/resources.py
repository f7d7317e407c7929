"""``/job``, ``/build``, ``/test/group``, ``/test/case``, ``/test/regression`` and ``/count``.

Reads are GET with the family's query parameters; a path id reads one
document. Writes: POST /build answers 202 and imports through the queue
(creating the build's job); POST /job sets the status of an existing job;
POST /test/group stores a group with its inline cases and the regressions
they show; POST /test/case adds a case to a group. The other verbs are not
implemented (501), as in the backend.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import config
from chalicelib.api.kernelci.common import Answer, Call, KernelciError, paths, resource
from chalicelib.kernelci import keys, regressions
from chalicelib.kernelci import tokens as token_rules
from chalicelib.kernelci.documents import is_oid, job_id, now_ms, shown
from chalicelib.kernelci.query import parse, project
from chalicelib.kernelci.test_results import InvalidResults, case_document, check_case, group_documents
from chalicelib.store import kernelci as store
from chalicelib.store import queues

bp = Blueprint(__name__)

REPLACE_ATTEMPTS = 5


def _reader(coll: str):
    def read(call: Call) -> Answer:
        doc_id = call.valid_id()
        query = parse(call.params, keys.GET_KEYS[coll])
        if doc_id is not None:
            doc = store.get(coll, doc_id)
            if doc is None:
                raise KernelciError(404, f"Resource '{doc_id}' not found")
            return Answer(result=[shown(project(doc, query))])
        docs, total = store.find(coll, query)
        return Answer(result=[shown(project(d, query)) for d in docs], count=total, limit=query.limit,
                      skip=query.skip)

    return read


def _require_text(body: dict[str, Any], names: tuple[str, ...]) -> None:
    wrong = keys.wrong_text_values(body, names)
    if wrong:
        raise KernelciError(400, "Provided JSON is not valid",
                            [f"'{k}' must be a non-empty string" for k in wrong])


# --- job -----------------------------------------------------------------------------------------


def post_job(call: Call) -> Answer:
    """Mark an existing job (tree, kernel, branch) with a status, PASS by default."""
    checked = call.json_body(keys.POST_KEYS[keys.JOB])
    body = checked.body
    _require_text(body, keys.POST_KEYS[keys.JOB].mandatory)
    status = keys.DEFAULT_JOB_STATUS if body.get("status") is None else body["status"]
    if not (isinstance(status, str) and status in keys.JOB_STATUSES):
        raise KernelciError(400, f"Status value '{status}' is not valid, should be one of: {list(keys.JOB_STATUSES)}")
    described = f"'{body['job']}-{body['kernel']}' (branch {body['git_branch']})"
    jid = job_id(body["job"], body["git_branch"], body["kernel"])
    for _ in range(REPLACE_ATTEMPTS):
        doc = store.get(keys.JOB, jid)
        if doc is None:
            raise KernelciError(404, f"Job {described} not found")
        changes = {k: body[k] for k in ("git_commit", "git_describe", "kernel_version") if body.get(k) is not None}
        try:
            store.replace(keys.JOB, {**doc, **changes, "status": status}, expected=doc)
        except store.Conflict:
            continue
        return Answer(200, reason=f"Job {described} marked as '{status}'", errors=checked.errors)
    raise KernelciError(503, f"Job {described} is being changed by others; retry")


# --- build ---------------------------------------------------------------------------------------


def post_build(call: Call) -> Answer:
    """Accept a build for import (202): the worker stores it, and its job if new."""
    checked = call.json_body(keys.POST_KEYS[keys.BUILD])
    _require_text(checked.body, (*keys.POST_KEYS[keys.BUILD].mandatory, "defconfig_full"))
    queues.send(config.KERNELCI_IMPORT_QUEUE, {"build": checked.body, "received_on": now_ms()})
    return Answer(202, reason="Request accepted and being imported", errors=checked.errors)


# --- tests ---------------------------------------------------------------------------------------


def _with_regressions(group: dict[str, Any], cases: list[dict[str, Any]], created_on: int) -> list[dict[str, Any]]:
    """The new regressions of these cases (not yet stored), each case pointing at its own."""
    previous = store.latest_in_series(group, other_kernel_than=group["kernel"])
    if previous is None:
        return []
    previous_cases = store.get_many(keys.TEST_CASE, [c for c in previous.get("test_cases") or []
                                                     if isinstance(c, str)])
    failing_before = {c["name"] for c in previous_cases if c.get("status") == "FAIL"}
    earlier_ids = [regressions.regression_id(group, c["name"], previous["kernel"])
                   for c in cases if c.get("status") == "FAIL" and c["name"] in failing_before]
    earlier = {d["_id"]: d for d in store.get_many(keys.TEST_REGRESSION, earlier_ids)}
    found = regressions.find(group, cases, previous, previous_cases, earlier.get, created_on)
    stored = {d["_id"] for d in store.get_many(keys.TEST_REGRESSION, [d["_id"] for d in found])}
    by_name = {d["hierarchy"][-1]: d["_id"] for d in found}
    for case in cases:
        if case["name"] in by_name:
            case["regression_id"] = by_name[case["name"]]
    return [d for d in found if d["_id"] not in stored]


def post_test_group(call: Call) -> Answer:
    if call.doc_id is not None:
        raise KernelciError(400, "To update a test group, use a PUT request")
    checked = call.json_body(keys.POST_KEYS[keys.TEST_GROUP])
    created_on = now_ms()
    try:
        group, cases, notes = group_documents(checked.body, created_on)
    except InvalidResults as err:
        raise KernelciError(400, "Provided JSON is not valid", err.errors) from None
    for parent in ("build_id", "job_id"):
        if parent in group and not (isinstance(group[parent], str) and is_oid(group[parent])):
            raise KernelciError(400, "Provided JSON is not valid", [f"'{parent}' is not a valid id"])
    found = _with_regressions(group, cases, created_on)
    store.insert([(keys.TEST_GROUP, group), *((keys.TEST_CASE, c) for c in cases),
                  *((keys.TEST_REGRESSION, r) for r in found)])
    messages = [f"{len(found)} new test regression(s)"] if found else []
    return Answer(201, result=[{"_id": {"$oid": group["_id"]}}], reason=f"Test group '{group['name']}' created",
                  errors=[*checked.errors, *notes], messages=messages,
                  headers={"Location": f"/test/group/{group['_id']}"})


def post_test_case(call: Call) -> Answer:
    """Add one case to an existing group (its regressions computed as for inline cases)."""
    if call.doc_id is not None:
        raise KernelciError(400, "To update a test case, use a PUT request")
    checked = call.json_body(keys.POST_KEYS[keys.TEST_CASE])
    fields = dict(checked.body)
    group_id = fields.pop("test_group_id")
    try:
        check_case(fields)
    except InvalidResults as err:
        raise KernelciError(400, "Provided JSON is not valid", err.errors) from None
    if not (isinstance(group_id, str) and is_oid(group_id)):
        raise KernelciError(400, f"Test group ID '{group_id}' is not valid")
    group = store.get(keys.TEST_GROUP, group_id)
    if group is None:
        raise KernelciError(400, f"Test group with ID '{group_id}' not found")
    created_on = now_ms()
    case = case_document(fields, group, created_on)
    found = _with_regressions(group, [case], created_on)
    store.insert([(keys.TEST_CASE, case), *((keys.TEST_REGRESSION, r) for r in found)])
    for _ in range(REPLACE_ATTEMPTS):
        try:
            store.replace(keys.TEST_GROUP, {**group, "test_cases": [*(group.get("test_cases") or []), case["_id"]]},
                          expected=group)
            break
        except store.Conflict:
            group = store.get(keys.TEST_GROUP, group_id) or group
    else:
        raise KernelciError(503, f"Test group '{group_id}' is being changed by others; the case is stored, "
                                 "its group's list of cases is not: retry")
    return Answer(201, result=[{"_id": {"$oid": case["_id"]}}], reason=f"Test case '{case['name']}' created",
                  errors=checked.errors, headers={"Location": f"/test/case/{case['_id']}"})


# --- count ---------------------------------------------------------------------------------------


def count(call: Call) -> Answer:
    query = parse(call.params, keys.COUNT_KEYS)
    if call.doc_id is not None:
        if call.doc_id not in keys.COUNTED:
            raise KernelciError(404, f"Collection {call.doc_id} not found")
        collections: tuple[str, ...] = (call.doc_id,)
    else:
        collections = keys.COUNTED
    if not query.filters and not query.has_window:
        totals = store.counter_values([store.partition(c, query).counter for c in collections])
        numbers = [totals[store.partition(c, query).counter] for c in collections]
    else:
        numbers = [store.count(c, query) for c in collections]
    return Answer(result=[{"collection": c, "count": n} for c, n in zip(collections, numbers, strict=True)])


resource(bp, paths("job"), {"GET": _reader(keys.JOB), "POST": post_job}, token_rules.general)
resource(bp, paths("build"), {"GET": _reader(keys.BUILD), "POST": post_build}, token_rules.general)
resource(bp, paths("test/group"), {"GET": _reader(keys.TEST_GROUP), "POST": post_test_group}, token_rules.tests)
resource(bp, paths("test/case"), {"GET": _reader(keys.TEST_CASE), "POST": post_test_case}, token_rules.tests)
resource(bp, paths("test/regression"), {"GET": _reader(keys.TEST_REGRESSION)}, token_rules.tests)
resource(bp, paths("count"), {"GET": count}, token_rules.general)
