"""Objectstore reference endpoints: json_blob, error_count, error_list, db_size."""

from __future__ import annotations

import json


def test_json_blob_answers_the_row_with_the_blob_parsed(app_client, upload, pump, talos_blob):
    """Datazilla's objectstore_views.get_json_blob: the row's fields with ``json_blob`` parsed
    (upstream tests/webapp/refdata/test_objectstore_views.py::test_get_json_blob)."""
    from chalicelib import config

    # given a well-formed blob, uploaded and loaded
    upload(json.dumps(talos_blob, indent=3))
    pump.drain(config.queue_name(config.PROCESSING_QUEUE))
    # when its row is fetched
    response = app_client.http.get("/talos/refdata/objectstore/json_blob/1")
    # then the answer is one JSON object: the blob as an object, beside the row's state
    assert response.status_code == 200
    assert {k.lower(): v for k, v in response.headers.items()}["content-type"].startswith("application/json")
    body = response.json_body
    assert set(body) == {"json_blob", "date_loaded", "error_flag", "error_msg", "processed_flag", "test_run_id"}
    assert body["json_blob"] == talos_blob
    assert (body["error_flag"], body["error_msg"], body["processed_flag"], body["test_run_id"]) == (
        "N", None, "complete", 1)
    assert isinstance(body["date_loaded"], int)


def test_json_blob_of_a_malformed_blob_is_the_text_received(app_client, upload):
    """Upstream tests/controller/refdata/test_objectstore_refdata.py::test_get_json_blob: a bad blob comes back
    as the string stored, with its error flag."""
    # given a blob that is not JSON
    upload("fooo{broken")
    # when its row is fetched, then json_blob is the text as received, and the row says why
    body = app_client.http.get("/talos/refdata/objectstore/json_blob/1").json_body
    assert body["json_blob"] == "fooo{broken"
    assert body["error_flag"] == "Y" and body["error_msg"].startswith("Malformed JSON")
    assert body["test_run_id"] is None


def test_json_blob_of_a_missing_id_is_404(app_client, talos):
    response = app_client.http.get("/talos/refdata/objectstore/json_blob/42")
    assert response.status_code == 404
    assert response.json_body["status"] == "Not found"
    assert response.json_body["message"] == "Id not found: 42"  # Datazilla's words


def test_json_blob_with_a_non_integer_id_is_400(app_client, talos):
    response = app_client.http.get("/talos/refdata/objectstore/json_blob/abc")
    assert response.status_code == 400


def test_error_count_groups_malformed_and_other(app_client, upload, pump, talos_blob):
    from chalicelib import config

    upload("{broken")
    upload("[also broken")
    del talos_blob["results"]
    upload(json.dumps(talos_blob))
    pump.drain(config.queue_name(config.PROCESSING_QUEUE))
    response = app_client.http.get("/talos/refdata/objectstore/error_count?days_ago=1")
    assert response.status_code == 200
    assert sorted(response.json_body, key=lambda r: r["message"]) == [
        {"count(id)": 2, "message": "Malformed JSON"},
        {"count(id)": 1, "message": "Other"},
    ]


def test_error_list_names_each_error_and_links_its_blob(app_client, upload):
    upload("{broken")
    body = app_client.http.get("/talos/refdata/objectstore/error_list?days_ago=1&numdays=2").json_body
    assert len(body) == 1
    assert body[0]["id"] == 1 and body[0]["error_flag"] == "Y"
    assert body[0]["error_msg"].startswith("Malformed JSON: ")
    assert body[0]["url"].endswith("/talos/refdata/objectstore/json_blob/1")


def test_error_list_outside_the_window_is_empty(app_client, upload):
    upload("{broken")
    assert app_client.http.get("/talos/refdata/objectstore/error_list?days_ago=5&numdays=2").json_body == []


def test_days_ago_is_required(app_client, talos):
    response = app_client.http.get("/talos/refdata/objectstore/error_count")
    assert response.status_code == 400
    assert "days_ago" in response.json_body["message"]


def test_days_ago_must_be_an_integer(app_client, talos):
    response = app_client.http.get("/talos/refdata/objectstore/error_list?days_ago=soon")
    assert response.status_code == 400
    assert "must be an integer" in response.json_body["message"]


def test_a_days_ago_too_large_for_any_window_is_400_out_of_range(app_client, talos):
    # given an integer longer than any field takes, when asked, then the answer says so (it is an integer)
    response = app_client.http.get("/talos/refdata/objectstore/error_list?days_ago=99999999999999999999")
    assert response.status_code == 400
    assert "out of range" in response.json_body["message"]


def test_db_size_counts_stored_blob_bytes(app_client, upload, pump, talos_blob):
    """A blob counts in its project's objectstore once its row is finished: loaded here (counting it when the
    upload is answered would be a write on the request path; MySQL's data_length was not per insert either)."""
    from chalicelib import config

    text = json.dumps(talos_blob) + " " * 20_000  # 0.02 MB after rounding
    upload(text)
    pump.drain(config.queue_name(config.PROCESSING_QUEUE))
    body = app_client.http.get("/talos/refdata/objectstore/db_size").json_body
    objectstore_size = next(r for r in body if r["db_name"] == "talos_objectstore_1")
    assert objectstore_size["size_mb"] == f"{len(text.encode()) / 1048576:.2f}" == "0.02"


def test_db_size_counts_a_malformed_blob_when_its_upload_is_answered(app_client, upload, talos):
    """A malformed blob's row is finished by its upload (it is never loaded), so it counts at once."""
    text = "{not json" + " " * 20_000
    assert upload(text).status_code == 400
    body = app_client.http.get("/talos/refdata/objectstore/db_size").json_body
    assert body[0] == {"db_name": "talos_objectstore_1", "size_mb": f"{len(text.encode()) / 1048576:.2f}"}
