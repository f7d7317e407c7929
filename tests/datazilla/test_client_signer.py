"""The upload signed by python-oauth2, the library Datazilla's own client and tests signed with.

Datazilla's ``post_json`` command and its test helper (upstream
``datazilla/webapp/apps/datazilla/management/commands/post_json.py`` and
``tests/webapp/oauth.py::oauth_signed``) build the request the same way:
two-legged OAuth with an empty token, ``user`` and the url-quoted ``data`` as
form parameters, HMAC-SHA1, then ``to_postdata()`` as the body and
``to_header()`` as the Authorization header. These tests do exactly that with
the published ``oauth2`` package, not with a signer written here.
"""

from __future__ import annotations

import json
import time
from urllib.parse import quote

import oauth2 as oauth

from tests.support.datazilla_data import DEV_KEY, DEV_SECRET, HOST


def datazilla_client_request(project: str, blob_text: str, key: str = DEV_KEY, secret: str = DEV_SECRET,
                             nonce: str | None = None) -> tuple[str, dict[str, str], str]:
    """(path, headers, body) as post_json built them."""
    path = f"/{project}/api/load_test"
    params = {
        "oauth_version": "1.0",
        "oauth_nonce": nonce or oauth.generate_nonce(),
        "oauth_timestamp": str(int(time.time())),  # post_json passed an int; python-oauth2 on Python 3 wants text
        "user": project,
        "data": quote(blob_text),
    }
    token = oauth.Token(key="", secret="")
    consumer = oauth.Consumer(key=key, secret=secret)
    params["oauth_token"] = token.key
    params["oauth_consumer_key"] = consumer.key
    request = oauth.Request(method="POST", url=f"http://{HOST}{path}", parameters=params)
    request.sign_request(oauth.SignatureMethod_HMAC_SHA1(), consumer, token)
    headers = dict(request.to_header())
    headers.update({"Content-type": "application/x-www-form-urlencoded", "Accept": "text/plain", "Host": HOST})
    return path, headers, request.to_postdata()


def _post(app_client, path: str, headers: dict[str, str], body: str):
    return app_client.http.post(path, headers=headers, body=body)


def test_given_a_blob_signed_by_python_oauth2_when_uploaded_then_it_is_stored_and_loaded(
        app_client, talos, pump, talos_blob):
    from chalicelib import config

    # given a Talos blob signed as Datazilla's client signed it
    text = json.dumps(talos_blob)
    path, headers, body = datazilla_client_request("talos", text)
    # when it is posted
    response = _post(app_client, path, headers, body)
    # then it is stored, answered as Datazilla answered, and loads
    assert response.status_code == 200, response.body
    assert response.json_body["status"] == "well-formed JSON stored"
    assert response.json_body["size"] == len(text.encode())
    pump.drain(config.queue_name(config.PROCESSING_QUEUE))
    row = app_client.http.get("/talos/refdata/objectstore/json_blob/1").json_body
    assert row["json_blob"] == talos_blob and row["processed_flag"] == "complete"


def test_given_the_same_signed_request_twice_when_replayed_then_the_second_is_refused(app_client, talos, talos_blob):
    # given a request signed by python-oauth2, already accepted once
    path, headers, body = datazilla_client_request("talos", json.dumps(talos_blob))
    assert _post(app_client, path, headers, body).status_code == 200
    # when exactly the same request arrives again, then its nonce is spent
    replay = _post(app_client, path, headers, body)
    assert replay.status_code == 403
    assert replay.json_body == {"status": "Oauth verification error."}


def test_given_a_wrong_secret_when_signed_by_python_oauth2_then_403(app_client, talos, talos_blob):
    path, headers, body = datazilla_client_request("talos", json.dumps(talos_blob), secret="not-the-secret")
    response = _post(app_client, path, headers, body)
    assert response.status_code == 403
    assert response.json_body == {"status": "Oauth verification error."}


def test_given_data_changed_after_signing_when_uploaded_then_403(app_client, talos, talos_blob):
    # given a signed request whose data is altered on the way
    path, headers, body = datazilla_client_request("talos", json.dumps(talos_blob))
    tampered = body.replace("Mozilla-Inbound", "Mozilla-Central")
    assert tampered != body
    # when it is posted, then the signature no longer verifies
    assert _post(app_client, path, headers, tampered).status_code == 403
