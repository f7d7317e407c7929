"""HEAD answers have headers and no body, errors included (keep-alive clients depend on it)."""

from __future__ import annotations


def test_given_a_missing_release_when_head_requested_then_404_without_a_body(app_client, balrog_admin):
    response = app_client.http.request("HEAD", "/balrog/api/releases/Nope-1.0", headers=balrog_admin)
    assert response.status_code == 404
    assert response.body in (b"", "")


def test_given_a_release_when_head_requested_then_its_data_version_without_a_body(app_client, balrog_admin):
    import json

    app_client.http.post("/balrog/api/releases", headers=balrog_admin, body=json.dumps(
        {"name": "R-1", "product": "Firefox",
         "blob": json.dumps({"name": "R-1", "schema_version": 1, "hashFunction": "sha512"})}))
    response = app_client.http.request("HEAD", "/balrog/api/releases/R-1", headers=balrog_admin)
    assert response.status_code == 200 and response.headers["X-Data-Version"] == "1"
    assert response.body in (b"", "")
