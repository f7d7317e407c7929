"""Test groups, their cases, and the regressions found when they are imported."""

from __future__ import annotations

import pytest

GROUP = {"name": "baseline", "lab_name": "lab-collabora", "arch": "arm64", "defconfig": "defconfig",
         "build_environment": "gcc-8", "device_type": "rk3399-gru-kevin", "git_branch": "master",
         "git_commit": "a" * 40, "job": "mainline"}


def _post_group(kernelci, kernel: str, results: dict[str, str], token=None, **changes):
    body = {**GROUP, "kernel": kernel, **changes,
            "test_cases": [{"name": name, "status": status} for name, status in results.items()]}
    args = {} if token is None else {"token": token}
    return kernelci("POST", "/test/group", body, **args)


def test_given_a_group_with_cases_when_posted_then_201_with_its_id_and_location(kernelci):
    status, body = _post_group(kernelci, "v5.8", {"login": "PASS", "dmesg": "PASS"})
    assert status == 201
    group_id = body["result"][0]["_id"]["$oid"]
    assert body["reason"] == "Test group 'baseline' created"
    _, group = kernelci("GET", f"/test/group/{group_id}")
    assert len(group["result"][0]["test_cases"]) == 2


def test_given_a_posted_group_then_its_cases_carry_the_group_fields(kernelci):
    _, body = _post_group(kernelci, "v5.8", {"login": "PASS"})
    group_id = body["result"][0]["_id"]["$oid"]
    _, cases = kernelci("GET", f"/test/case?test_group_id={group_id}")
    case = cases["result"][0]
    assert (case["name"], case["status"], case["job"], case["kernel"], case["device_type"], case["plan"]) == (
        "login", "PASS", "mainline", "v5.8", "rk3399-gru-kevin", "baseline")


def test_given_a_case_that_passed_on_the_previous_kernel_and_fails_now_then_a_regression(kernelci):
    _post_group(kernelci, "v5.7", {"login": "PASS", "dmesg": "PASS"})
    status, body = _post_group(kernelci, "v5.8", {"login": "FAIL", "dmesg": "PASS"})
    assert status == 201 and body["messages"] == ["1 new test regression(s)"]
    _, regressions = kernelci("GET", "/test/regression?job=mainline")
    assert regressions["count"] == 1
    regression = regressions["result"][0]
    assert (regression["kernel"], regression["test_case_path"], regression["device_type"]) == (
        "v5.8", "baseline.login", "rk3399-gru-kevin")
    assert [(r["kernel"], r["status"]) for r in regression["regressions"]] == [("v5.7", "PASS"), ("v5.8", "FAIL")]


def test_given_a_tracked_regression_that_still_fails_then_it_goes_on_for_the_new_kernel(kernelci):
    _post_group(kernelci, "v5.7", {"login": "PASS"})
    _post_group(kernelci, "v5.8", {"login": "FAIL"})
    _post_group(kernelci, "v5.9", {"login": "FAIL"})
    _, regressions = kernelci("GET", "/test/regression?kernel=v5.9&job=mainline")
    assert [(r["kernel"], r["status"]) for r in regressions["result"][0]["regressions"]] == [
        ("v5.7", "PASS"), ("v5.8", "FAIL"), ("v5.9", "FAIL")]


@pytest.mark.parametrize("before,now", [(None, "FAIL"), ("FAIL", "FAIL"), ("PASS", "PASS"), ("SKIP", "FAIL")])
def test_no_regression_without_a_pass_before_a_fail(kernelci, before, now):
    if before is not None:
        _post_group(kernelci, "v5.7", {"login": before})
    _post_group(kernelci, "v5.8", {"login": now})
    assert kernelci("GET", "/test/regression")[1]["count"] == 0


def test_another_device_or_branch_is_another_series(kernelci):
    _post_group(kernelci, "v5.7", {"login": "PASS"})
    _post_group(kernelci, "v5.8", {"login": "FAIL"}, device_type="beaglebone-black")
    _post_group(kernelci, "v5.8", {"login": "FAIL"}, git_branch="next")
    assert kernelci("GET", "/test/regression")[1]["count"] == 0


def test_given_a_case_posted_alone_then_it_joins_its_group_and_finds_its_regression(kernelci):
    _post_group(kernelci, "v5.7", {"login": "PASS"})
    _, body = _post_group(kernelci, "v5.8", {})
    group_id = body["result"][0]["_id"]["$oid"]
    status, answer = kernelci("POST", "/test/case", {"name": "login", "status": "FAIL", "test_group_id": group_id})
    assert status == 201
    _, group = kernelci("GET", f"/test/group/{group_id}")
    assert group["result"][0]["test_cases"] == [answer["result"][0]["_id"]]
    assert kernelci("GET", "/test/regression")[1]["count"] == 1


def test_a_case_for_a_missing_group_is_400(kernelci):
    status, body = kernelci("POST", "/test/case", {"name": "login", "test_group_id": "d" * 24})
    assert status == 400 and "not found" in body["reason"]


def test_a_group_with_a_bad_case_status_is_400_and_nothing_is_stored(kernelci):
    status, body = _post_group(kernelci, "v5.8", {"login": "GREEN"})
    assert status == 400 and "GREEN" in body["errors"][0]
    assert kernelci("GET", "/count/test_group")[1]["result"][0]["count"] == 0


def test_a_group_missing_its_lab_is_400(kernelci):
    body = {k: v for k, v in GROUP.items() if k != "lab_name"}
    status, answer = kernelci("POST", "/test/group", {**body, "kernel": "v1"})
    assert status == 400 and answer["errors"] == ["One or more mandatory keys are missing: ['lab_name']"]


def test_a_test_lab_token_may_post_results_but_a_build_token_may_not(kernelci, kernelci_token):
    assert _post_group(kernelci, "v1", {"a": "PASS"}, token=kernelci_token(test_lab=True))[0] == 201
    assert _post_group(kernelci, "v1", {"a": "PASS"}, token=kernelci_token(post=True, get=True))[0] == 403
