"""Cookie sessions: CSRF-protected writes for browsers; bearer clients are not subject to CSRF."""

from __future__ import annotations

import json
import time

import pytest

from chalicelib.auth import bearer, sessions
from chalicelib.store import balrog_tokens
from chalicelib.store.balrog_rules import rules
from chalicelib.store.clients import client

API = "/balrog/api"
RULE = {"priority": 90, "backgroundRate": 100, "update_type": "minor", "product": "Firefox", "mapping": "Firefox-52"}


@pytest.fixture(autouse=True)
def mapped(balrog_releases):
    balrog_releases(RULE["mapping"])


@pytest.fixture
def session(app_client, balrog_admin) -> dict[str, str]:
    """A signed-in browser: the cookie header of a session of user ``admin``."""
    response = app_client.http.post(f"{API}/session", headers={"Authorization": balrog_admin["Authorization"]})
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"].split(";", 1)[0]
    return {"Cookie": cookie, "Content-Type": "application/json"}


def _csrf(app_client, headers) -> str:
    return app_client.http.get(f"{API}/csrf_token", headers=headers).headers["X-CSRF-Token"]


def test_given_a_bearer_token_when_signing_in_then_an_http_only_strict_cookie_for_the_api_only(
        app_client, balrog_admin):
    response = app_client.http.post(f"{API}/session", headers={"Authorization": balrog_admin["Authorization"]})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{sessions.COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/balrog/api" in cookie
    assert json.loads(response.body)["username"] == "admin"


def test_given_a_session_then_only_its_hash_is_stored(app_client, session):
    token = session["Cookie"].split("=", 1)[1]
    items = client("dynamodb").scan(TableName=balrog_tokens.TokenRecord.Meta.table_name)["Items"]
    stored = json.dumps(items)
    assert token not in stored and bearer.token_hash(token) in stored


def test_given_a_session_when_reading_then_no_csrf_token_is_needed(app_client, session):
    assert app_client.http.get(f"{API}/rules", headers=session).status_code == 200


def test_given_a_session_when_writing_without_a_csrf_token_then_400_and_nothing_is_written(app_client, session):
    response = app_client.http.post(f"{API}/rules", headers=session, body=json.dumps(RULE))
    assert response.status_code == 400
    assert json.loads(response.body)["exception"] == "CSRFError"
    assert rules.all_rules() == []


def test_given_a_session_when_writing_with_its_csrf_header_then_the_write_lands(app_client, session):
    headers = {**session, "X-CSRF-Token": _csrf(app_client, session)}
    response = app_client.http.post(f"{API}/rules", headers=headers, body=json.dumps(RULE))
    assert response.status_code == 200
    assert rules.get({"rule_id": int(response.body)})["mapping"] == "Firefox-52"


def test_given_a_session_when_the_csrf_token_travels_in_the_body_then_the_write_lands(app_client, session):
    body = json.dumps({**RULE, "csrf_token": _csrf(app_client, session)})
    assert app_client.http.post(f"{API}/rules", headers=session, body=body).status_code == 200


def test_given_the_csrf_token_of_another_session_then_400(app_client, session, balrog_admin):
    other = app_client.http.post(f"{API}/session", headers={"Authorization": balrog_admin["Authorization"]})
    other_csrf = json.loads(other.body)["csrf_token"]
    headers = {**session, "X-CSRF-Token": other_csrf}
    assert app_client.http.post(f"{API}/rules", headers=headers, body=json.dumps(RULE)).status_code == 400


def test_given_a_forged_csrf_token_then_400(app_client, session):
    headers = {**session, "X-CSRF-Token": "0" * 64}
    assert app_client.http.post(f"{API}/rules", headers=headers, body=json.dumps(RULE)).status_code == 400


def test_given_a_bearer_token_then_writes_need_no_csrf_token(app_client, balrog_admin):
    assert app_client.http.post(f"{API}/rules", headers=balrog_admin, body=json.dumps(RULE)).status_code == 200


def test_given_an_expired_session_then_401(app_client, aws):
    token = "expired-session-token"
    balrog_tokens.put(bearer.token_hash(token), "admin", kind=balrog_tokens.SESSION, expires_at=int(time.time()) - 1)
    response = app_client.http.get(f"{API}/rules", headers={"Cookie": f"{sessions.COOKIE}={token}"})
    assert response.status_code == 401


def test_given_a_signed_out_session_then_its_cookie_no_longer_works(app_client, session):
    headers = {**session, "X-CSRF-Token": _csrf(app_client, session)}
    signed_out = app_client.http.delete(f"{API}/session", headers=headers)
    assert signed_out.status_code == 200 and "Max-Age=0" in signed_out.headers["Set-Cookie"]
    assert app_client.http.get(f"{API}/rules", headers=session).status_code == 401


def test_given_a_session_token_used_as_a_bearer_token_then_401(app_client, session):
    token = session["Cookie"].split("=", 1)[1]
    assert app_client.http.get(f"{API}/rules", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_given_a_bearer_token_used_as_a_cookie_then_401(app_client, balrog_admin):
    token = balrog_admin["Authorization"].split(" ", 1)[1]
    assert app_client.http.get(f"{API}/rules", headers={"Cookie": f"{sessions.COOKIE}={token}"}).status_code == 401


def test_given_no_credentials_at_all_then_401_naming_both_ways_in(app_client, aws):
    response = app_client.http.get(f"{API}/rules")
    assert response.status_code == 401
    assert "session cookie" in json.loads(response.body)["detail"]
