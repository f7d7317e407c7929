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
    body = app_client.http.get("/talos/refdata/perftest/runs_by_branch?days_ago=1&show_test_runs=true").json_body
    run = body["Try"]["test_runs"][0]
    assert run["id"] == 2 and run["revision"] == "8a3d4b6e7c21" and run["product"] == "Firefox"


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


def test_perftest_db_size(app_client, talos):
    body = app_client.http.get("/talos/refdata/perftest/db_size").json_body
    assert body[0]["db_name"] == "talos_perftest"
