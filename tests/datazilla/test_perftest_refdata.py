"""Perftest reference endpoints: runs_by_branch, ref_data, db_size."""

from __future__ import annotations

import copy
import json
import time

import pytest

from chalicelib import config

PROCESSING = config.queue_name(config.PROCESSING_QUEUE)


@pytest.fixture
def two_runs(upload, pump, talos_blob):
    now = int(time.time())
    first = copy.deepcopy(talos_blob)
    first["testrun"]["date"] = now - 3600
    second = copy.deepcopy(talos_blob)
    second["testrun"]["date"] = now - 60
    second["test_build"]["branch"] = "Try"
    second["test_machine"]["name"] = "talos-r4-snow-001"
    upload(json.dumps(first))
    upload(json.dumps(second))
    pump.drain(PROCESSING)


def test_runs_by_branch_counts_runs_per_branch(app_client, two_runs):
    body = app_client.http.get("/talos/refdata/perftest/runs_by_branch?days_ago=1").json_body
    assert body == {"Mozilla-Inbound": {"count": 1}, "Try": {"count": 1}}


def test_runs_by_branch_shows_runs_when_asked(app_client, two_runs):
    """Upstream tests/controller/refdata/test_perftest_refdata.py::test_get_runs_by_branch and
    tests/webapp/refdata/test_perftest_views.py::test_get_runs_by_branch_show_test_runs_true: each run carries
    the columns Datazilla's query selected; a branch carries count, total_count, limit and test_runs."""
    # given two loaded runs on two branches, when the runs are asked for
    body = app_client.http.get("/talos/refdata/perftest/runs_by_branch?days_ago=1&show_test_runs=true").json_body
    # then each branch is Datazilla's listing
    assert set(body["Try"]) == {"count", "limit", "total_count", "test_runs"}
    assert (body["Try"]["count"], body["Try"]["total_count"], body["Try"]["limit"]) == (1, 1, 80)
    run = body["Try"]["test_runs"][0]
    machines = app_client.http.get("/talos/refdata/perftest/ref_data/machines").json_body
    tests = app_client.http.get("/talos/refdata/perftest/ref_data/tests").json_body
    assert run == {"id": 2, "test_id": tests["Talos tp5n"], "machine_id": machines["talos-r4-snow-001"],
                   "revision": "8a3d4b6e7c21", "date_run": run["date_run"], "status": 1, "branch": "Try",
                   "product": "Firefox", "version": "17.0a1"}


def test_runs_by_branch_lists_the_newest_80_and_counts_them_all(app_client, upload, pump, talos_blob):
    """Upstream test_perftest_refdata.py::test_get_runs_by_branch_past_limit: 81 runs, 80 shown, 81 counted."""
    # given 81 runs of one branch in the window
    now = int(time.time())
    for i in range(81):
        blob = copy.deepcopy(talos_blob)
        blob["testrun"]["date"] = now - 3600 + i
        upload(json.dumps(blob))
    pump.drain(PROCESSING, max_batches=20)
    # when the runs are asked for
    body = app_client.http.get("/talos/refdata/perftest/runs_by_branch?days_ago=1&show_test_runs=true").json_body
    # then the newest 80 are listed, newest first, and the total says 81
    branch = body["Mozilla-Inbound"]
    assert (branch["count"], branch["total_count"], branch["limit"]) == (80, 81, 80)
    dates = [run["date_run"] for run in branch["test_runs"]]
    assert dates == sorted(dates, reverse=True) and dates[0] == now - 3600 + 80


def test_runs_by_branch_window_excludes_older_runs(app_client, two_runs):
    body = app_client.http.get("/talos/refdata/perftest/runs_by_branch?days_ago=0").json_body
    assert body == {}


def test_runs_by_branch_needs_days_ago(app_client, talos):
    assert app_client.http.get("/talos/refdata/perftest/runs_by_branch").status_code == 400


@pytest.mark.parametrize("kind, expected", [
    ("machines", {"talos-r3-fed-001", "talos-r4-snow-001"}),
    ("operating_systems", {"linuxFedora 12"}),
    ("tests", {"Talos tp5n"}),
    ("products", {"FirefoxMozilla-Inbound17.0a1", "FirefoxTry17.0a1"}),
])
def test_ref_data_lists_names_with_ids(app_client, two_runs, kind, expected):
    body = app_client.http.get(f"/talos/refdata/perftest/ref_data/{kind}").json_body
    assert set(body) == expected
    assert all(isinstance(v, int) for v in body.values())


def test_ref_data_pages_and_options(app_client, two_runs, talos_blob):
    pages = app_client.http.get("/talos/refdata/perftest/ref_data/pages").json_body
    options = app_client.http.get("/talos/refdata/perftest/ref_data/options").json_body
    assert set(pages) == set(talos_blob["results"])
    assert set(options) == set(talos_blob["testrun"]["options"])


def test_ref_data_ids_are_stable(app_client, two_runs, upload, pump, talos_blob):
    before = app_client.http.get("/talos/refdata/perftest/ref_data/machines").json_body
    upload(json.dumps(talos_blob))
    pump.drain(PROCESSING)
    assert app_client.http.get("/talos/refdata/perftest/ref_data/machines").json_body == before


def test_an_unknown_data_type_is_404(app_client, talos):
    response = app_client.http.get("/talos/refdata/perftest/ref_data/spaceships")
    assert response.status_code == 404
    assert "machines" in response.json_body["message"]


def test_db_size_names_both_databases_of_the_project(app_client, talos):
    """Upstream test_perftest_views.py::test_get_db_size: {project}_objectstore_1 and {project}_perftest_1,
    size_mb a string."""
    for path in ("/talos/refdata/perftest/db_size", "/talos/refdata/objectstore/db_size"):
        body = app_client.http.get(path).json_body
        assert body == [{"db_name": "talos_objectstore_1", "size_mb": "0.00"},
                        {"db_name": "talos_perftest_1", "size_mb": "0.00"}]


def test_db_size_counts_the_projects_real_bytes(app_client, upload, pump, talos_blob):
    """Given blobs of known size in two projects, when each project's db_size is read, then its objectstore
    is its own blobs' bytes in MB to two decimals (MySQL's round(bytes/1024/1024, 2)) and its perftest grows
    with each run it loaded, while the other project's sizes are its own."""
    from chalicelib.store import projects, replicates, test_runs
    from tests.support.datazilla_data import signed_upload

    projects.create("other", "other-key", "other-secret")
    padded = copy.deepcopy(talos_blob)
    padded["test_build"]["padding"] = "x" * 700_000  # ~0.67 MB of real bytes
    texts = [json.dumps(padded), json.dumps(talos_blob)]
    for text in texts:
        assert upload(text).status_code == 200
    assert signed_upload(app_client, json.dumps(talos_blob), project="other", key="other-key",
                         secret="other-secret").status_code == 200
    pump.drain(PROCESSING)
    blob_bytes = sum(len(t.encode()) for t in texts)
    body = app_client.http.get("/talos/refdata/objectstore/db_size").json_body
    assert body[0] == {"db_name": "talos_objectstore_1", "size_mb": f"{blob_bytes / 1048576:.2f}"}
    assert body[0]["size_mb"] == "0.67"
    perftest = float(body[1]["size_mb"])
    # the perftest bytes are the run items and the packed replicates of talos's two runs
    packed = sum(len(replicates.get("talos", i)[1].tobytes()) for i in (1, 2))
    assert perftest >= round(packed / 1048576, 2) and test_runs.get("talos", 1) is not None
    other = app_client.http.get("/other/refdata/objectstore/db_size").json_body
    assert other[0] == {"db_name": "other_objectstore_1", "size_mb": f"{len(texts[1].encode()) / 1048576:.2f}"}


def test_names_this_container_found_registered_are_not_looked_up_again(app_client, two_runs, upload, pump,
                                                                        talos_blob, monkeypatch):
    """Given two runs loaded (their machines, pages, tests... registered), when a run naming the same
    references and one new page is loaded, then the loader looks up the new page alone, gives it an id,
    and every earlier id stays as it was (a registered name is never deleted nor renumbered)."""
    from chalicelib.store import refdata

    before = {kind: app_client.http.get(f"/talos/refdata/perftest/ref_data/{kind}").json_body
              for kind in refdata.KINDS}
    looked_up: list[tuple[str, str]] = []
    batch_get = refdata.RefdataRecord.batch_get

    def spying(keys, *args, **kwargs):
        looked_up.extend(keys)
        return batch_get(keys, *args, **kwargs)

    monkeypatch.setattr(refdata.RefdataRecord, "batch_get", spying)
    run = copy.deepcopy(talos_blob)
    run["results"]["new.example.com"] = [1.0, 2.0, 3.0]
    upload(json.dumps(run))
    pump.drain(PROCESSING)
    assert looked_up == [("talos#pages", "new.example.com")]
    pages = app_client.http.get("/talos/refdata/perftest/ref_data/pages").json_body
    assert pages == {**before["pages"], "new.example.com": pages["new.example.com"]}
    assert pages["new.example.com"] not in before["pages"].values()
    assert {kind: app_client.http.get(f"/talos/refdata/perftest/ref_data/{kind}").json_body
            for kind in refdata.KINDS if kind != "pages"} == {k: v for k, v in before.items() if k != "pages"}
