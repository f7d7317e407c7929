"""GET /<project>/testdata/raw/<branch>/<revision>/"""

from __future__ import annotations

import json

from chalicelib import config

RAW = "/talos/testdata/raw/Mozilla-Inbound/8a3d4b6e7c21"


def test_raw_returns_the_blob_as_received(app_client, loaded):
    response = app_client.http.get(RAW + "/")
    assert response.status_code == 200
    assert response.json_body == [loaded]


def test_raw_works_without_the_trailing_slash(app_client, loaded):
    assert app_client.http.get(RAW).json_body == [loaded]


def test_raw_matches_a_short_revision_prefix(app_client, loaded):
    assert app_client.http.get("/talos/testdata/raw/Mozilla-Inbound/8a3d4b").json_body == [loaded]


def test_raw_filters_by_each_reference_field(app_client, loaded):
    matching = {
        "product": "Firefox", "os_name": "linux", "os_version": "Fedora 12", "branch_version": "17.0a1",
        "processor": "x86_64", "build_type": "opt", "test_name": "Talos tp5n", "page_name": "cnn.com",
    }
    for name, value in matching.items():
        assert len(app_client.http.get(f"{RAW}/?{name}=nope,{value}").json_body) == 1, name
        assert app_client.http.get(f"{RAW}/?{name}=nope").json_body == [], name


def test_page_name_trims_the_results(app_client, loaded):
    body = app_client.http.get(f"{RAW}/?page_name=cnn.com,bbc.co.uk").json_body
    assert sorted(body[0]["results"]) == ["bbc.co.uk", "cnn.com"]


def test_a_blob_that_failed_to_load_appears_as_bad_test_data(app_client, upload, pump, talos_blob):
    del talos_blob["testrun"]["suite"]
    upload(json.dumps(talos_blob))
    pump.drain(config.queue_name(config.PROCESSING_QUEUE))
    body = app_client.http.get(RAW + "/").json_body
    assert body == [{"bad_test_data": {"test_run_id": 1, "error_msg": "Missing data: ['testrun']['suite']."}}]


def test_another_revision_is_empty(app_client, loaded):
    assert app_client.http.get("/talos/testdata/raw/Mozilla-Inbound/ffffffffffff/").json_body == []


def test_raw_for_an_unknown_project_is_404(app_client, talos):
    response = app_client.http.get("/nosuch/testdata/raw/Mozilla-Inbound/8a3d4b6e7c21/")
    assert response.status_code == 404
    assert response.json_body == {"status": "Unknown project 'nosuch'"}
