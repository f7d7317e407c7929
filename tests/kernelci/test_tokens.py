"""KernelCI tokens: admin-only management, the properties and their checks, stored hashed, the CLI, the seed."""

from __future__ import annotations

import json

import pytest

from chalicelib import config
from chalicelib.kernelci.tokens import token_hash
from chalicelib.store.clients import client


def shipyard(capsys, *argv: str) -> tuple[int, dict]:
    from chalicelib.cli.main import main

    status = main(["--no-local", *argv])
    out, err = capsys.readouterr()
    return status, json.loads(out or err)


def _items() -> list[dict]:
    return client("dynamodb").scan(TableName=config.table_name("kernelci"))["Items"]


def test_an_admin_creates_a_token_with_201_and_its_value(kernelci):
    status, body = kernelci("POST", "/token", {"email": "lab@example.com", "get": 1, "post": True})
    assert status == 201
    value = body["result"][0]["token"]
    assert len(value) == 36 and kernelci("GET", "/job", token=value)[0] == 200


def test_only_a_hash_of_the_token_is_stored(kernelci):
    _, body = kernelci("POST", "/token", {"email": "lab@example.com", "get": True})
    value = body["result"][0]["token"]
    stored = json.dumps(_items())
    assert value not in stored and token_hash(value) in stored


def test_a_superuser_may_read_tokens_but_not_create_them(kernelci, kernelci_token):
    superuser = kernelci_token(superuser=True)
    assert kernelci("GET", "/token", token=superuser)[0] == 200
    assert kernelci("POST", "/token", {"email": "x@example.com"}, token=superuser)[0] == 403


def test_a_plain_token_cannot_manage_tokens(kernelci, kernelci_token):
    assert kernelci("GET", "/token", token=kernelci_token(get=True, post=True, delete=True))[0] == 403


def test_a_token_without_email_is_400(kernelci):
    assert kernelci("POST", "/token", {"get": True}) == (
        400, {"code": 400, "reason": "New tokens require the email address field [email]"})


@pytest.mark.parametrize("body,reason", [
    ({"ip_restricted": True}, "IP restricted but no IP addresses given"),
    ({"ip_address": ["10.0.0.1"]}, "IP addresses given, but token is not IP restricted"),
    ({"ip_restricted": True, "ip_address": ["nowhere"]}, "Address nowhere is not a valid IP address or network"),
    ({"get": 2}, "Wrong field value or type in the JSON data: 'get' must be 0, 1, true or false"),
    ({"expires_on": "tomorrow"}, "Wrong field value or type in the JSON data: 'expires_on' must be YYYY-MM-DD"),
])
def test_the_checks_of_a_token_body(kernelci, body, reason):
    assert kernelci("POST", "/token", {"email": "x@example.com", **body}) == (400, {"code": 400, "reason": reason})


def test_get_by_value_shows_the_token_and_its_properties(kernelci):
    _, body = kernelci("POST", "/token", {"email": "lab@example.com", "admin": True})
    value = body["result"][0]["token"]
    status, found = kernelci("GET", f"/token/{value}")
    token = found["result"][0]
    assert status == 200 and token["token"] == value and token["email"] == "lab@example.com"
    assert token["properties"][:9] == [1, 1, 1, 1, 1, 0, 1, 0, 1]


def test_a_listing_shows_no_token_values(kernelci):
    kernelci("POST", "/token", {"email": "lab@example.com", "get": True})
    _, listing = kernelci("GET", "/token")
    assert listing["count"] == 2 and all("token" not in t for t in listing["result"])


def test_put_changes_a_token_and_delete_removes_it(kernelci):
    _, body = kernelci("POST", "/token", {"email": "lab@example.com", "get": True})
    value = body["result"][0]["token"]
    token_id = kernelci("GET", f"/token/{value}")[1]["result"][0]["_id"]["$oid"]
    assert kernelci("GET", "/job", token=value)[0] == 200
    assert kernelci("PUT", f"/token/{token_id}", {"get": False})[0] == 200
    assert kernelci("GET", "/job", token=value)[0] == 403
    assert kernelci("DELETE", f"/token/{token_id}")[0] == 200
    assert kernelci("GET", f"/token/{value}")[0] == 404
    assert kernelci("DELETE", f"/token/{token_id}")[0] == 404


def test_put_and_delete_need_a_token_id(kernelci):
    assert kernelci("PUT", "/token", {"get": True}) == (400, {"code": 400, "reason": "Missing token ID"})
    assert kernelci("DELETE", "/token") == (400, {"code": 400, "reason": "No ID value specified"})


def test_an_expired_token_is_refused(kernelci, kernelci_token):
    assert kernelci("GET", "/job", token=kernelci_token(get=True, expires_on="2001-01-01"))[0] == 403
    assert kernelci("GET", "/job", token=kernelci_token(get=True, expired=True))[0] == 403
    assert kernelci("GET", "/job", token=kernelci_token(get=True, expires_on="2999-01-01"))[0] == 200


def test_a_token_allows_only_the_verbs_of_its_properties(kernelci, kernelci_token):
    reader = kernelci_token(get=True)
    assert kernelci("GET", "/build", token=reader)[0] == 200
    build = {"job": "j", "kernel": "k", "git_branch": "b", "arch": "a", "defconfig": "d", "build_environment": "e",
             "file_server_resource": "f"}
    assert kernelci("POST", "/build", build, token=reader)[0] == 403
    assert kernelci("POST", "/build", build, token=kernelci_token(post=True))[0] == 202


def test_an_ip_restricted_token_is_honoured_from_its_addresses_only(kernelci, kernelci_token):
    # The test client's requests come from 127.0.0.1.
    assert kernelci("GET", "/job", token=kernelci_token(get=True, ip_restricted=True,
                                                        ip_address=["127.0.0.0/8"]))[0] == 200
    assert kernelci("GET", "/job", token=kernelci_token(get=True, ip_restricted=True,
                                                        ip_address=["192.0.2.7"]))[0] == 403


def test_an_unknown_token_is_403(kernelci):
    assert kernelci("GET", "/job", token="not-a-token")[0] == 403


def test_the_cli_creates_a_token_that_the_api_accepts(kernelci, capsys):
    status, out = shipyard(capsys, "kernelci", "token", "create", "--email", "lab@example.com", "--get", "--post")
    assert status == 0 and out["properties"][2:4] == [1, 1]
    assert kernelci("GET", "/build", token=out["token"])[0] == 200
    assert out["token"] not in json.dumps(_items())


def test_the_cli_lists_and_deletes_tokens(kernelci, capsys):
    _, made = shipyard(capsys, "kernelci", "token", "create", "--email", "lab@example.com", "--admin",
                       "--ip", "127.0.0.1")
    _, listed = shipyard(capsys, "kernelci", "token", "list")
    assert made["_id"] in [t["_id"] for t in listed["tokens"]]
    assert shipyard(capsys, "kernelci", "token", "delete", made["_id"])[0] == 0
    assert kernelci("GET", "/job", token=made["token"])[0] == 403


def test_the_cli_refuses_a_bad_token_body(aws, capsys):
    status, out = shipyard(capsys, "kernelci", "token", "create", "--email", "x@example.com", "--ip", "nowhere")
    assert status == 1 and "not a valid IP" in out["error"]


def test_the_local_stack_seeds_the_admin_dev_token_idempotently(kernelci):
    from chalicelib.local import run

    run._seed_kernelci_admin()
    run._seed_kernelci_admin()
    assert kernelci("POST", "/token", {"email": "new@example.com"}, token=run.DEV_KERNELCI_TOKEN)[0] == 201
    assert kernelci("GET", "/token", token=run.DEV_KERNELCI_TOKEN)[1]["count"] == 3  # fixture admin, dev, new


class _ClosedPipe:
    """A standard output whose reader has gone away, as ``shipyard kernelci token list | head`` leaves it."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_the_cli_says_its_answer_was_lost_not_that_storage_failed_when_stdout_closes(kernelci, capsys,
                                                                                      monkeypatch):
    """Given a token made and a reader that closed stdout, when the CLI lists tokens, then it exits 1
    saying the answer was not delivered and the command ran, not "storage unavailable" (it used to
    report the BrokenPipeError as a storage fault, which invites retrying a command that succeeded)."""
    shipyard(capsys, "kernelci", "token", "create", "--email", "lab@example.com", "--get")
    from chalicelib.cli.main import main

    monkeypatch.setattr("sys.stdout", _ClosedPipe())
    status = main(["--no-local", "kernelci", "token", "list"])
    monkeypatch.undo()
    err = json.loads(capsys.readouterr().err)
    assert status == 1
    assert "not delivered" in err["error"] and "the command itself ran" in err["error"]
    assert "storage" not in err["error"] and "kind" not in err
