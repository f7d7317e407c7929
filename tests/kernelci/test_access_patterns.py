"""KernelCI request paths Query or GetItem on indexes made for them: no Scan, and a DynamoDB call
count that stays the same when the table grows several times over."""

from __future__ import annotations

import itertools

import pytest

from chalicelib.kernelci.documents import derived_id, job_id, now_ms
from chalicelib.store import kernelci as store
from tests.support.table_growth import grow

_serial = itertools.count()


def _builds(tree: str, kernels: int, per_kernel: int) -> list[tuple[str, dict]]:
    docs = []
    for _ in range(kernels):
        kernel = f"v{next(_serial)}"
        jid = job_id(tree, "master", kernel)
        docs.append(("job", {"_id": jid, "job": tree, "git_branch": "master", "kernel": kernel, "status": "PASS",
                             "created_on": now_ms()}))
        for b in range(per_kernel):
            docs.append(("build", {"_id": derived_id("build", tree, kernel, str(b)), "job_id": jid, "job": tree,
                                   "git_branch": "master", "kernel": kernel, "arch": f"arch{b % 3}",
                                   "status": "PASS" if b % 2 else "FAIL", "created_on": now_ms()}))
    return docs


def _grow(factor: int) -> None:
    """More of everything: the tree the reads look at, and trees they do not."""
    docs = _builds("mainline", 2 * factor, 3)
    for _ in range(factor):
        docs += _builds(f"tree{next(_serial)}", 2, 4)
    for start in range(0, len(docs), 60):
        store.insert(docs[start:start + 60])


@pytest.fixture
def world(fast_moto, kernelci):
    """One known job with builds, a group with cases; returns the ids the reads use."""
    build = {"job": "mainline", "git_branch": "master", "kernel": "v-known", "arch": "arm64", "defconfig": "d",
             "build_environment": "gcc-8", "file_server_resource": "x"}
    group = {"name": "baseline", "lab_name": "lab", "arch": "arm64", "defconfig": "d", "build_environment": "gcc-8",
             "device_type": "kevin", "git_branch": "master", "git_commit": "a" * 40, "job": "mainline",
             "kernel": "v-known", "test_cases": [{"name": f"case{i}", "status": "PASS"} for i in range(3)]}
    _, made = kernelci("POST", "/test/group", group)
    store.insert([("job", {"_id": job_id("mainline", "master", "v-known"), "job": "mainline", "git_branch": "master",
                           "kernel": "v-known", "status": "PASS", "created_on": now_ms()})])
    return {"job_id": job_id("mainline", "master", "v-known"), "group_id": made["result"][0]["_id"]["$oid"],
            "build": build}


def _reads(world: dict) -> list[str]:
    return [
        "/job?job=mainline&limit=5",
        f"/job/{world['job_id']}",
        "/build?job=mainline&kernel=v-known",
        "/build?job=mainline&git_branch=master&limit=10",
        f"/build?job_id={world['job_id']}",
        "/build?job=mainline&kernel=v-known&status=PASS&arch=arm64",
        "/build?job=mainline&git_branch=master&date_range=0&limit=3",
        f"/test/case?test_group_id={world['group_id']}",
        "/test/group?job=mainline&kernel=v-known",
        "/test/regression?job=mainline&kernel=v-known",
        "/count",
        "/count/build",
        "/count/build?job=mainline&git_branch=master",
        "/token?limit=5",
        "/job/distinct/job",  # the value index: one Query, whatever the number of documents
        "/build/distinct/arch",
        "/test/case/distinct/test_group_id",
    ]


def _measure(kernelci, aws_calls, method: str, path: str, body=None) -> list[str]:
    aws_calls.clear()
    status, _ = kernelci(method, path, body)
    assert status < 300, path
    return [op for service, op in aws_calls if service == "dynamodb"]


def test_reads_never_scan_and_cost_the_same_at_two_table_sizes(kernelci, aws_calls, world):
    _grow(1)
    small = {p: _measure(kernelci, aws_calls, "GET", p) for p in _reads(world)}
    _grow(5)
    large = {p: _measure(kernelci, aws_calls, "GET", p) for p in _reads(world)}
    for path in _reads(world):
        assert "Scan" not in large[path], path
        assert small[path] == large[path], path


def test_reads_cost_the_same_at_50k_documents(kernelci, aws_calls, world):
    """Given the documents' table grown to 50,000 items (copies in other partitions, written straight into
    moto), every read makes the calls it made on the small table, and none is a Scan."""
    _grow(1)
    small = {p: _measure(kernelci, aws_calls, "GET", p) for p in _reads(world)}
    grow(["kernelci"], 50_000)
    huge = {p: _measure(kernelci, aws_calls, "GET", p) for p in _reads(world)}
    for path in _reads(world):
        assert "Scan" not in huge[path], path
        assert small[path] == huge[path], path


def test_counts_are_read_from_counters_not_counted(kernelci, aws_calls, world):
    _grow(2)
    calls = _measure(kernelci, aws_calls, "GET", "/count")
    assert calls == ["GetItem", "BatchGetItem"]  # the token, then the five counters at once


def test_writes_cost_the_same_at_two_table_sizes(kernelci, aws_calls, world, kernelci_import):
    def writes() -> list[list[str]]:
        device = f"board{next(_serial)}"  # a new series each round: a passing run, then the failing one measured
        group = {"name": "baseline", "lab_name": "lab", "arch": "arm64", "defconfig": "d",
                 "build_environment": "gcc-8", "device_type": device, "git_branch": "master",
                 "git_commit": "a" * 40, "job": "mainline", "kernel": f"v{next(_serial)}",
                 "test_cases": [{"name": f"case{i}", "status": "PASS"} for i in range(3)]}
        kernelci("POST", "/test/group", group)
        group.update(kernel=f"v{next(_serial)}", test_cases=[{"name": f"case{i}", "status": "FAIL"} for i in range(3)])
        post_group = _measure(kernelci, aws_calls, "POST", "/test/group", group)
        post_build = _measure(kernelci, aws_calls, "POST", "/build", {**world["build"], "kernel": group["kernel"]})
        aws_calls.clear()
        kernelci_import()
        imported = [op for service, op in aws_calls if service == "dynamodb"]
        return [post_group, post_build, imported]

    _grow(1)
    small = writes()
    _grow(5)
    large = writes()
    assert small == large
    assert all("Scan" not in calls for calls in large)


def test_deletes_cost_the_same_at_two_table_sizes(kernelci, aws_calls, world, kernelci_import):
    """DELETE reads the document, removes it with its counters and distinct values in one transaction, and
    retires the values no document holds any more: nothing that grows with the table."""

    def deletes() -> list[list[str]]:
        kernel = f"v{next(_serial)}"
        assert kernelci("POST", "/build", {**world["build"], "kernel": kernel})[0] == 202
        kernelci_import()
        build_id = derived_id("build", "mainline", "master", kernel, "arm64", "d", "gcc-8")
        group = {"name": "baseline", "lab_name": "lab", "arch": "arm64", "defconfig": "d",
                 "build_environment": "gcc-8", "device_type": f"board{next(_serial)}", "git_branch": "master",
                 "git_commit": "a" * 40, "job": "mainline", "kernel": kernel,
                 "test_cases": [{"name": "one", "status": "PASS"}]}
        _, made = kernelci("POST", "/test/group", group)
        group_id = made["result"][0]["_id"]["$oid"]
        return [_measure(kernelci, aws_calls, "DELETE", f"/build/{build_id}"),
                _measure(kernelci, aws_calls, "DELETE", f"/test/group/{group_id}")]

    _grow(1)
    small = deletes()
    _grow(5)
    large = deletes()
    assert small == large
    assert all("Scan" not in calls for calls in large)
