"""POST /<project>/api/load_test: Datazilla's upload contract."""

from __future__ import annotations

import json
import time

from tests.support.datazilla_data import HOST, signed_upload
from tests.support.oauth_signing import form_body, python_oauth2_header, requests_oauthlib_header, sign_form


def test_well_formed_blob_is_stored_and_answered_with_its_url(upload, talos_blob):
    # given a Talos blob
    text = json.dumps(talos_blob)
    # when the harness uploads it
    response = upload(text)
    # then it is stored, with its size and where to read it back
    assert response.status_code == 200
    body = response.json_body
    assert body == {
        "status": "well-formed JSON stored",
        "size": len(text.encode()),
        "url": f"http://{HOST}/talos/refdata/objectstore/json_blob/1",
    }


def test_a_blob_just_uploaded_reads_back_as_a_ready_row_before_the_worker_makes_it(upload, app_client, talos_blob):
    """Datazilla's load_test wrote the row in the request, so its url read back at once (datazilla's
    model/sql/objectstore.json ``store_json``, then ``get_json_blob``); here the worker makes the row,
    and the read answers from the blob what that row will say."""
    from chalicelib.store import objectstore

    # given an upload the processing worker has not yet seen
    before = int(time.time())
    url = upload(json.dumps(talos_blob)).json_body["url"]
    assert objectstore.get("talos", 1) is None
    # when its url is read
    stored = app_client.http.get(url.removeprefix(f"http://{HOST}"))
    # then it is there, ready to load
    assert stored.status_code == 200
    body = stored.json_body
    assert body["json_blob"] == talos_blob
    assert (body["processed_flag"], body["error_flag"], body["error_msg"], body["test_run_id"]) == \
        ("ready", "N", None, None)
    assert before <= body["date_loaded"] <= int(time.time())
    # and an id never handed out is still not found
    assert app_client.http.get("/talos/refdata/objectstore/json_blob/2").status_code == 404


def test_short_route_takes_the_same_upload(upload, talos_blob):
    response = upload(json.dumps(talos_blob), path="/talos/load_test")
    assert response.status_code == 200
    assert response.json_body["status"] == "well-formed JSON stored"


def test_malformed_json_is_stored_and_answered_400_with_its_url(upload, app_client):
    # given a truncated blob
    response = upload('{"test_machine": {"name": ')
    # then the answer says so, and the blob is still readable where the url says
    assert response.status_code == 400
    body = response.json_body
    assert body["status"] == "Malformed JSON"
    assert body["message"]
    assert body["url"].endswith("/talos/refdata/objectstore/json_blob/1")
    stored = app_client.http.get("/talos/refdata/objectstore/json_blob/1")
    assert stored.status_code == 200
    assert stored.json_body["json_blob"] == '{"test_machine": {"name": '


def test_unknown_project_is_404(app_client, talos, talos_blob):
    response = signed_upload(app_client, json.dumps(talos_blob), project="nosuch")
    assert response.status_code == 404
    assert response.json_body == {"status": "Unknown project 'nosuch'"}


def test_upload_without_credentials_is_403(app_client, talos):
    response = app_client.http.post(
        "/talos/api/load_test",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Host": HOST},
        body="data=%7B%7D",
    )
    assert response.status_code == 403
    assert response.json_body == {"status": "No OAuth credentials provided."}


def test_tampered_signature_is_403(app_client, talos, talos_blob):
    fields = sign_form(f"http://{HOST}/talos/api/load_test", {"data": json.dumps(talos_blob)},
                       "talos-dev-key", "talos-dev-secret")
    fields["data"] = fields["data"].replace("Firefox", "Fennec")
    response = app_client.http.post(
        "/talos/api/load_test",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Host": HOST},
        body=form_body(fields),
    )
    assert response.status_code == 403
    assert response.json_body == {"status": "Oauth verification error."}


def test_wrong_secret_is_403(upload, talos_blob):
    response = upload(json.dumps(talos_blob), secret="not-the-secret")
    assert response.status_code == 403


def test_unknown_consumer_key_is_403_not_500(upload, talos_blob):
    response = upload(json.dumps(talos_blob), key="someone-else")
    assert response.status_code == 403
    assert response.json_body == {"status": "Oauth verification error."}


def test_replayed_nonce_is_rejected(upload, talos_blob):
    # given an upload that was accepted
    first = upload(json.dumps(talos_blob), nonce="same-nonce-123")
    assert first.status_code == 200
    # when the same signed nonce comes again
    replay = upload(json.dumps(talos_blob), nonce="same-nonce-123")
    # then it is refused
    assert replay.status_code == 403
    assert replay.json_body == {"status": "Oauth verification error."}


def test_stale_timestamp_is_rejected(upload, talos_blob):
    response = upload(json.dumps(talos_blob), timestamp=int(time.time()) - 3600)
    assert response.status_code == 403


def test_future_timestamp_is_rejected(upload, talos_blob):
    response = upload(json.dumps(talos_blob), timestamp=int(time.time()) + 3600)
    assert response.status_code == 403


def test_wrong_body_hash_is_rejected(app_client, talos, talos_blob):
    fields = sign_form(f"http://{HOST}/talos/api/load_test", {"data": json.dumps(talos_blob)},
                       "talos-dev-key", "talos-dev-secret", body_hash=False)
    # a signed but wrong oauth_body_hash cannot be added afterwards without breaking
    # the signature, so sign one in from the start
    fields = sign_form(f"http://{HOST}/talos/api/load_test", {"data": json.dumps(talos_blob),
                       "oauth_body_hash": "AAAAAAAAAAAAAAAAAAAAAAAAAAA="}, "talos-dev-key", "talos-dev-secret",
                       body_hash=False)
    response = app_client.http.post(
        "/talos/api/load_test",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Host": HOST},
        body=form_body(fields),
    )
    assert response.status_code == 403


def test_signed_upload_without_data_is_400(app_client, talos):
    fields = sign_form(f"http://{HOST}/talos/api/load_test", {"user": "talos"}, "talos-dev-key", "talos-dev-secret")
    response = app_client.http.post(
        "/talos/api/load_test",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Host": HOST},
        body=form_body(fields),
    )
    assert response.status_code == 400
    assert response.json_body == {"status": "No POST data found"}


def test_json_body_with_oauth_header_is_accepted(app_client, talos, talos_blob):
    # given a JSON body signed in the Authorization header by oauthlib's client, which signs its oauth_body_hash
    from oauthlib.oauth1 import Client as OAuthClient

    signer = OAuthClient("talos-dev-key", client_secret="talos-dev-secret")
    body = json.dumps(talos_blob)
    uri, headers, _ = signer.sign(f"http://{HOST}/talos/api/load_test", "POST", body,
                                  {"Content-Type": "application/json"})
    assert "oauth_body_hash" in headers["Authorization"]
    # when posted
    response = app_client.http.post("/talos/api/load_test", headers=dict(headers, Host=HOST), body=body)
    # then it is stored like a form upload
    assert response.status_code == 200
    assert response.json_body["size"] == len(body.encode())


def _post_json_signed_by(sign, app_client, blob):
    """A JSON upload whose Authorization header ``sign`` makes (one of the real clients' signers)."""
    body = json.dumps(blob)
    header = sign(f"http://{HOST}/talos/api/load_test", "POST", body, "talos-dev-key", "talos-dev-secret")
    return app_client.http.post("/talos/api/load_test", body=body,
                                headers={"Authorization": header, "Content-Type": "application/json", "Host": HOST})


def test_a_json_body_signed_by_python_oauth2_is_accepted(app_client, talos, talos_blob):
    # given a JSON body signed in the Authorization header by python-oauth2 (Datazilla's signer), when posted
    response = _post_json_signed_by(python_oauth2_header, app_client, talos_blob)
    # then it is stored
    assert response.status_code == 200, response.body


def test_a_json_body_the_signature_does_not_cover_is_refused(app_client, talos, talos_blob):
    # given a JSON body signed in the Authorization header without oauth_body_hash (requests-oauthlib's way):
    # OAuth 1.0 signs a form's fields, not another body, so this signature says nothing of the blob
    # when posted
    response = _post_json_signed_by(requests_oauthlib_header, app_client, talos_blob)
    # then it is refused as an unverified request, and nothing is stored
    assert response.status_code == 403
    assert response.json_body == {"status": "Oauth verification error."}
    assert app_client.http.get("/talos/refdata/objectstore/json_blob/1", headers={"Host": HOST}).status_code == 404
