"""Who asks, for self-serve writes: HTTP Basic (BuildAPI sat behind LDAP basic auth, its clients send
``Authorization: Basic``) beside bearer tokens; passwords kept only as scrypt hashes."""

from __future__ import annotations

import base64
import time

import pytest

from chalicelib.auth import passwords
from chalicelib.store import balrog_tokens
from tests.support.selfserve_data import BRANCH, call, queued, seed


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture
def world(app_client):
    passwords.set_password("carol", "correct horse battery staple")
    return seed(int(time.time()))


def test_a_request_signed_with_basic_credentials_is_accepted_as_that_user(app_client, world):
    status, body = call(app_client, "POST", f"/self-serve/{BRANCH}/rev/{world.revision}", {},
                        basic("carol", "correct horse battery staple"))

    assert status == 202
    [message] = queued()
    assert message["who"] == "carol" and message["request_id"] == body["request_id"]


@pytest.mark.parametrize("headers", [
    basic("carol", "wrong"),
    basic("nobody", "correct horse battery staple"),
    {"Authorization": "Basic not-base64!"},
    {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
], ids=["wrong password", "unknown user", "undecodable", "no colon"])
def test_bad_basic_credentials_are_403_and_queue_nothing(app_client, world, headers):
    status, body = call(app_client, "POST", f"/self-serve/{BRANCH}/rev/{world.revision}", {}, headers)

    assert status == 403 and body["status"] == "FAILED"
    assert queued() == []


def test_without_credentials_the_answer_names_both_schemes(app_client, world):
    status, body = call(app_client, "POST", f"/self-serve/{BRANCH}/rev/{world.revision}", {})

    assert status == 403 and "Basic" in body["msg"] and "bearer" in body["msg"]


def test_the_password_is_stored_only_as_a_salted_scrypt_hash(app_client, world):
    stored = balrog_tokens.password_hash_of("carol")

    assert stored.startswith("scrypt$") and "correct horse" not in stored
    passwords.set_password("dave", "correct horse battery staple")
    assert balrog_tokens.password_hash_of("dave") != stored  # a salt of its own


def test_a_password_row_is_never_a_bearer_token(app_client, world):
    """The password row's key is not a token hash: no bearer token can name it."""
    status, _ = call(app_client, "POST", f"/self-serve/{BRANCH}/rev/{world.revision}", {},
                     {"Authorization": "Bearer password#carol"})

    assert status == 403


def test_hashes_verify_only_their_own_password():
    stored = passwords.hash_password("s3cret", n=2**10)

    assert passwords.verify_password("s3cret", stored)
    assert not passwords.verify_password("s3cret!", stored)
    assert not passwords.verify_password("s3cret", "md5$whatever")
    assert not passwords.verify_password("s3cret", "scrypt$x$8$1$AA==$AA==")


def _shipyard(capsys, *argv: str) -> tuple[int, dict]:
    import json

    from chalicelib.cli.main import main

    status = main(["--no-local", *argv])
    out, _ = capsys.readouterr()
    return status, (json.loads(out) if out.strip() else {})


def test_shipyard_user_password_generates_one_shown_once_that_signs_requests(app_client, world, capsys):
    status, out = _shipyard(capsys, "user", "password", "erin")

    assert status == 0 and len(out["password"]) >= 32
    assert call(app_client, "POST", f"/self-serve/{BRANCH}/rev/{world.revision}", {},
                basic("erin", out["password"]))[0] == 202


def test_shipyard_user_password_reads_a_given_one_from_stdin(app_client, world, capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("from stdin\n"))
    status, out = _shipyard(capsys, "user", "password", "erin", "--password", "-")

    assert status == 0 and out == {"user": "erin", "password_set": True}
    assert passwords.verify_password("from stdin", balrog_tokens.password_hash_of("erin"))


def test_the_local_stack_seeds_the_documented_admin_password(app_client, world):
    from chalicelib.local import run

    run._seed_balrog_admin()
    run._seed_balrog_admin()  # a restart seeds again, without changing it

    assert call(app_client, "POST", f"/self-serve/{BRANCH}/rev/{world.revision}", {},
                basic("admin", "shipyard-dev-password"))[0] == 202


def test_an_unknown_user_costs_the_same_scrypt_work_as_a_wrong_password(app_client, world, monkeypatch):
    """A user name must not be learnt from the answer's time: without a stored hash, the password is still
    derived once, at the cost a stored hash asks (the answer is the same 403 either way)."""
    # given a spy on the key derivation
    derived: list[tuple[int, int, int]] = []
    real = passwords._derive

    def spy(password, salt, n, r, p):
        derived.append((n, r, p))
        return real(password, salt, n, r, p)

    monkeypatch.setattr(passwords, "_derive", spy)
    # when a known user sends a wrong password, and a user with no password sends one
    known = passwords.authenticate(basic("carol", "wrong"))
    known_cost = list(derived)
    derived.clear()
    unknown = passwords.authenticate(basic("mallory", "wrong"))
    # then both are refused after the same work
    assert known is None and unknown is None
    assert known_cost == derived == [(passwords.N, passwords.R, passwords.P)]


@pytest.mark.parametrize("method,path", [
    ("POST", "/self-serve/no-such-branch/build"),
    ("POST", "/self-serve/no-such-branch/rev/0123456789ab"),
    ("PUT", "/self-serve/no-such-branch/request/1"),
    ("DELETE", "/self-serve/no-such-branch/build/1"),
])
def test_a_write_without_credentials_is_403_before_its_branch_is_looked_up(app_client, world, method, path):
    # Given no credentials, and a branch that does not exist
    # When a write is sent (BuildAPI sat behind HTTP authentication: nothing behind it answered first)
    status, body = call(app_client, method, path, {"priority": "1"})

    # Then it is refused for its credentials, not told whether the branch exists
    assert status == 403 and body["status"] == "FAILED" and "Basic" in body["msg"]
    assert queued() == []


def test_with_credentials_an_unknown_branch_is_still_404(app_client, world):
    status, body = call(app_client, "POST", "/self-serve/no-such-branch/build", {"build_id": "1"},
                        basic("carol", "correct horse battery staple"))

    assert status == 404 and body == {"status": "FAILED", "msg": "Branch no-such-branch not found"}


def test_a_read_of_an_unknown_branch_needs_no_credentials_and_is_404(app_client, world):
    status, body = call(app_client, "GET", "/self-serve/no-such-branch", None)

    assert status == 404 and body["msg"] == "Branch no-such-branch not found"
