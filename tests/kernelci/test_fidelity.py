"""KernelCI behaviours held to kernelci-backend's own handler tests (issue 21 items 7-11, issue 19 item 16).

Each test names the upstream test it mirrors (kernelci/kernelci-backend,
``app/handlers/tests/``); DELETE comes from the handlers as they were before
the backend dropped those verbs (job, build: 2020-01; test group and case:
2019-09), with their tests of that time.
"""

from __future__ import annotations

import pytest

from chalicelib.kernelci import keys
from chalicelib.store import kernelci as store

BUILD = {"job": "mainline", "git_branch": "master", "kernel": "v5.8", "arch": "arm64", "defconfig": "defconfig",
         "defconfig_full": "defconfig", "build_environment": "gcc-8",
         "file_server_resource": "mainline/master/v5.8/arm64/defconfig/gcc-8"}
GROUP = {"name": "baseline", "lab_name": "lab-collabora", "arch": "arm64", "defconfig": "defconfig",
         "build_environment": "gcc-8", "device_type": "rk3399-gru-kevin", "git_branch": "master",
         "git_commit": "a" * 40, "job": "mainline", "kernel": "v5.8"}


def _import(kernelci, kernelci_import, **changes) -> dict:
    assert kernelci("POST", "/build", {**BUILD, **changes})[0] == 202
    kernelci_import()
    _, builds = kernelci("GET", f"/build?kernel={changes.get('kernel', BUILD['kernel'])}"
                                f"&job={changes.get('job', BUILD['job'])}")
    return builds["result"][0]


def _group(kernelci, cases=("login", "dmesg"), **changes) -> str:
    body = {**GROUP, **changes, "test_cases": [{"name": n, "status": "PASS"} for n in cases]}
    status, answer = kernelci("POST", "/test/group", body)
    assert status == 201, answer
    return answer["result"][0]["_id"]["$oid"]


# --- 7. distinct ------------------------------------------------------------------------------


def test_distinct_writes_are_501_and_a_read_needs_a_token(kernelci):
    """TestJobDistinctHandler: test_delete, test_post, test_put (501), test_get_no_auth (403)."""
    for method in ("DELETE", "POST", "PUT"):
        assert kernelci(method, "/job/distinct/foo", raw=b"body")[0] == 501
    assert kernelci("GET", "/job/distinct/foo", token=None)[0] == 403


def test_distinct_without_a_field_is_404_and_an_unknown_field_400(kernelci):
    """TestJobDistinctHandler: test_get_no_field (404), test_get_wrong_field (400)."""
    assert kernelci("GET", "/job/distinct/")[0] == 404
    assert kernelci("GET", "/job/distinct/foo") == (400, {"code": 400,
                                                          "reason": "No field specified or field not valid"})


def test_distinct_lists_each_value_once(kernelci, kernelci_import):
    """TestJobDistinctHandler: test_get_correct, test_get_correct_with_query (200, the field's values)."""
    _import(kernelci, kernelci_import, kernel="v5.8")
    _import(kernelci, kernelci_import, kernel="v5.9")
    _import(kernelci, kernelci_import, kernel="v5.9", arch="x86_64")
    _import(kernelci, kernelci_import, job="next", kernel="next-20200101")
    status, body = kernelci("GET", "/job/distinct/job")
    assert (status, body) == (200, {"code": 200, "count": 2, "result": ["mainline", "next"]})
    assert kernelci("GET", "/jobs/distinct/kernel?job=mainline")[1]["result"] == ["v5.8", "v5.9"]
    assert kernelci("GET", "/build/distinct/arch")[1]["result"] == ["arm64", "x86_64"]


def test_distinct_of_an_id_field_shows_ids_and_follows_deletes(kernelci, kernelci_import):
    build = _import(kernelci, kernelci_import)
    group_id = _group(kernelci)
    _, body = kernelci("GET", "/test/group/distinct/build_id")
    assert body["result"] == [build["_id"]]
    assert kernelci("GET", "/test/case/distinct/test_group_id")[1]["result"] == [{"$oid": group_id}]
    assert kernelci("DELETE", f"/test/group/{group_id}")[0] == 200
    assert kernelci("GET", "/test/case/distinct/test_group_id")[1] == {"code": 200, "count": 0, "result": []}


def test_distinct_follows_a_changed_value(kernelci, kernelci_import):
    """POST /job changes a job's git_describe: the old value leaves the distinct list, the new one joins it."""
    _import(kernelci, kernelci_import)
    assert kernelci("GET", "/job/distinct/git_describe")[1]["result"] == ["v5.8"]
    body = {"job": "mainline", "kernel": "v5.8", "git_branch": "master", "git_describe": "v5.8-1-gabc"}
    assert kernelci("POST", "/job", body)[0] == 200
    assert kernelci("GET", "/job/distinct/git_describe")[1]["result"] == ["v5.8-1-gabc"]


# --- 10. the token before 501 ------------------------------------------------------------------


def test_an_unimplemented_verb_without_a_token_is_403(kernelci):
    """test_upload_handler.py: test_get_no_token, test_delete_no_token (403) beside test_get, test_delete (501)."""
    assert kernelci("GET", "/upload", token=None)[0] == 403
    assert kernelci("DELETE", "/upload", token=None)[0] == 403
    assert kernelci("GET", "/upload")[0] == 501
    assert kernelci("DELETE", "/upload")[0] == 501


# --- 11. test groups as loose as the backend -----------------------------------------------------


def test_a_group_with_a_build_id_that_is_no_id_is_stored_with_the_build_found(kernelci, kernelci_import):
    """utils/kci_test _update_test_group_doc_ids: the build and job are found from the group's values,
    whatever ids the body carries (test_test_group_handler.py test_post_correct)."""
    build = _import(kernelci, kernelci_import)
    status, body = kernelci("POST", "/test/group", {**GROUP, "build_id": "not-an-id", "test_cases": []})
    assert status == 201
    group = kernelci("GET", f"/test/group/{body['result'][0]['_id']['$oid']}")[1]["result"][0]
    assert group["build_id"] == build["_id"] and group["job_id"] == build["job_id"]


def test_a_lower_case_status_is_stored_upper_case(kernelci):
    """utils/kci_test _update_test_case_doc_from_json: ``case_doc.status = test_case[STATUS].upper()``."""
    group_id = kernelci("POST", "/test/group", {**GROUP, "test_cases": [{"name": "login", "status": "pass"}]})[1][
        "result"][0]["_id"]["$oid"]
    _, cases = kernelci("GET", f"/test/case?test_group_id={group_id}")
    assert cases["result"][0]["status"] == "PASS"
    status, body = kernelci("POST", "/test/case", {"name": "dmesg", "status": "fail", "test_group_id": group_id})
    assert status == 201
    assert kernelci("GET", f"/test/case/{body['result'][0]['_id']['$oid']}")[1]["result"][0]["status"] == "FAIL"


# --- 16. DELETE ------------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["/job", "/build", "/test/group", "/test/case"])
def test_delete_needs_a_token_an_id_and_a_valid_one(kernelci, resource):
    """test_job_handler.py test_delete_no_token (403), test_delete_no_id (400), test_delete_wrong_id (400);
    test_test_group_handler.py / test_test_case_handler.py the same, and test_delete_correct_not_found (404)."""
    assert kernelci("DELETE", f"{resource}/{'0' * 24}", token=None)[0] == 403
    assert kernelci("DELETE", resource) == (400, {"code": 400, "reason": "No ID value specified"})
    assert kernelci("DELETE", f"{resource}/abcdefghilmnopqrstuvwxyz")[0] == 400
    assert kernelci("DELETE", f"{resource}/wrong-id")[0] == 400
    assert kernelci("DELETE", f"{resource}/{'0' * 24}") == (404, {"code": 404, "reason": "Resource not found"})


def test_delete_a_job_removes_its_builds_and_uncounts_them(kernelci, kernelci_import):
    """test_job_handler.py test_delete_with_token_with_job (200); handlers/job.py _delete removes the
    job's builds first."""
    build = _import(kernelci, kernelci_import)
    _import(kernelci, kernelci_import, arch="x86_64")
    job_id = build["job_id"]["$oid"]
    status, body = kernelci("DELETE", f"/job/{job_id}")
    assert (status, body) == (200, {"code": 200, "reason": f"Resource '{job_id}' deleted"})
    assert kernelci("GET", f"/job/{job_id}")[0] == 404
    assert kernelci("GET", "/build")[1]["count"] == 0
    counts = {c["collection"]: c["count"] for c in kernelci("GET", "/count")[1]["result"]}
    assert counts["job"] == 0 and counts["build"] == 0
    assert kernelci("GET", "/build/distinct/arch")[1]["result"] == []


def test_delete_a_build(kernelci, kernelci_import):
    """test_build_handler.py test_delete (200) and test_delete_not_found (404)."""
    build = _import(kernelci, kernelci_import)
    assert kernelci("DELETE", f"/build/{build['_id']['$oid']}")[0] == 200
    assert kernelci("DELETE", f"/build/{build['_id']['$oid']}")[0] == 404
    assert kernelci("GET", "/job")[1]["count"] == 1  # the job stays


def test_delete_a_group_removes_its_cases(kernelci):
    """test_test_group_handler.py test_delete_correct; handlers/test_group.py _delete removes the cases with
    its test_group_id."""
    group_id = _group(kernelci)
    other = _group(kernelci, cases=("boot",), device_type="qemu")
    assert kernelci("DELETE", f"/test/group/{group_id}")[0] == 200
    _, cases = kernelci("GET", "/test/case")
    assert [c["name"] for c in cases["result"]] == ["boot"] and cases["result"][0]["test_group_id"] == {
        "$oid": other}


def test_delete_a_case_takes_it_out_of_its_group(kernelci):
    """test_test_case_handler.py test_delete_correct; handlers/test_case.py _delete pulls the id from the
    group's test_cases."""
    group_id = _group(kernelci)
    group = kernelci("GET", f"/test/group/{group_id}")[1]["result"][0]
    first = group["test_cases"][0]["$oid"]
    assert kernelci("DELETE", f"/test/case/{first}")[0] == 200
    after = kernelci("GET", f"/test/group/{group_id}")[1]["result"][0]
    assert [c["$oid"] for c in after["test_cases"]] == [group["test_cases"][1]["$oid"]]
    assert store.get(keys.TEST_CASE, first) is None


def test_delete_scopes(kernelci, kernelci_token, kernelci_import):
    """handlers/common/token.py valid_token_general (DELETE: a delete token, not a lab one) and
    valid_token_tests (DELETE: a test lab token)."""
    build = _import(kernelci, kernelci_import)
    group_id = _group(kernelci)
    reader = kernelci_token("r@example.com", get=True)
    lab = kernelci_token("lab@example.com", delete=True, lab=True)
    test_lab = kernelci_token("t@example.com", test_lab=True)
    deleter = kernelci_token("d@example.com", delete=True)
    assert kernelci("DELETE", f"/build/{build['_id']['$oid']}", token=reader)[0] == 403
    assert kernelci("DELETE", f"/build/{build['_id']['$oid']}", token=lab)[0] == 403
    assert kernelci("DELETE", f"/build/{build['_id']['$oid']}", token=test_lab)[0] == 403
    assert kernelci("DELETE", f"/test/group/{group_id}", token=deleter)[0] == 403
    assert kernelci("DELETE", f"/test/group/{group_id}", token=test_lab)[0] == 200
    assert kernelci("DELETE", f"/build/{build['_id']['$oid']}", token=deleter)[0] == 200


# --- 9. PUT /upload/<path> -------------------------------------------------------------------------


def test_put_upload_stores_one_file_at_the_path(kernelci, app_client, kernelci_admin):
    """doc/collection-upload.rst PUT /upload/(path) (201 saved with Location, 200 replaced) and
    handlers/upload.py UploadHandler._put; test_upload_handler.py test_post_no_token for the token."""
    from chalicelib.store import kernelci_storage as storage

    payload = bytes(range(256)) * 10
    headers = {"Authorization": kernelci_admin, "Content-Type": "application/octet-stream"}
    response = app_client.http.put("/upload/next/next-20150116/arm-allnoconfig/zImage", headers=headers,
                                   body=payload)
    assert response.status_code == 201
    body = __import__("json").loads(response.body)
    assert body["result"][0] | {"url": None} == {"status": 201, "error": None, "bytes": len(payload),
                                                 "filename": "zImage", "url": None}
    assert response.headers["Location"] == storage.url("next/next-20150116/arm-allnoconfig/zImage")
    assert storage.get("next/next-20150116/arm-allnoconfig/zImage") == payload
    again = app_client.http.put("/upload/next/next-20150116/arm-allnoconfig/zImage", headers=headers, body=b"x")
    assert again.status_code == 200
    assert kernelci("PUT", "/upload/a/b", raw=b"x", token=None)[0] == 403
    assert kernelci("PUT", "/upload/a/../../b", raw=b"x")[0] == 400


def test_put_upload_without_a_body_stores_an_empty_file_as_the_document_says(app_client, kernelci_admin):
    """handlers/upload.py UploadHandler._put writes ``self.request.body`` whatever its length: no body is an
    empty file (the long fuzz run found the document calling that body required, so "invalid")."""
    from chalicelib.api.openapi import registry
    from chalicelib.store import kernelci_storage as storage

    response = app_client.http.put("/upload/empty/zImage", headers={"Authorization": kernelci_admin})

    assert response.status_code == 201 and storage.get("empty/zImage") == b""
    for alias in ("/upload/{path}", "/uploads/{path}"):
        assert registry.document("kernelci")["paths"][alias]["put"]["requestBody"]["required"] is False


def test_an_upload_without_a_path_builds_the_backends_directory(kernelci, app_client, kernelci_admin):
    """handlers/upload.py execute_post: ``job/git_branch/kernel/arch/defconfig_full[/lab_name]`` from the form;
    a missing argument is 400."""
    boundary = "XyZ"
    fields = {"job": "mainline", "git_branch": "master", "kernel": "v5.8", "arch": "arm64", "defconfig": "defconfig",
              "lab_name": "lab-x"}
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file0"; filename="log.txt"\r\n'
                 f"Content-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n")
    headers = {"Authorization": kernelci_admin, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    response = app_client.http.post("/upload", headers=headers, body="".join(parts).encode())
    assert response.status_code == 200, response.body
    from chalicelib.store import kernelci_storage as storage

    assert storage.get("mainline/master/v5.8/arm64/defconfig/lab-x/log.txt") == b"hello"
    del fields["git_branch"]
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file0"; filename="log.txt"\r\n\r\nhi\r\n'
                 f"--{boundary}--\r\n")
    response = app_client.http.post("/upload", headers=headers, body="".join(parts).encode())
    assert response.status_code == 400
