"""Bearer tokens: created by `shipyard token create`, stored hashed, accepted by the Balrog API."""

from __future__ import annotations

import json

from chalicelib.auth import bearer
from chalicelib.store.clients import client


def shipyard(capsys, *argv: str) -> tuple[int, dict]:
    from chalicelib.cli.main import main

    status = main(["--no-local", *argv])
    out, _ = capsys.readouterr()
    return status, (json.loads(out) if out.strip() else {})


def test_given_token_create_then_the_token_is_printed_once_as_json(aws, capsys):
    status, out = shipyard(capsys, "token", "create", "bob")
    assert status == 0
    assert out["user"] == "bob" and len(out["token"]) >= 32


def test_given_a_created_token_then_only_its_hash_is_stored(aws, capsys):
    _, out = shipyard(capsys, "token", "create", "bob")
    from chalicelib import config

    items = client("dynamodb").scan(TableName=config.table_name("balrog-tokens"))["Items"]
    assert [i["token_hash"]["S"] for i in items] == [bearer.token_hash(out["token"])]
    assert out["token"] not in json.dumps(items)


def test_given_a_bad_username_when_creating_a_token_then_exit_1(aws, capsys):
    status, _ = shipyard(capsys, "token", "create", "bob smith")
    assert status == 1


def test_given_a_cli_token_then_the_balrog_api_knows_the_user(app_client, capsys):
    _, out = shipyard(capsys, "token", "create", "bob")
    response = app_client.http.get("/balrog/api/users", headers={"Authorization": f"Bearer {out['token']}"})
    assert response.status_code == 200


def test_given_another_scheme_then_no_bearer_token():
    assert bearer.bearer_token({"authorization": "Basic Ym9iOnB3"}) is None
    assert bearer.bearer_token({"Authorization": "Bearer abc"}) == "abc"


def test_given_the_local_stack_seed_then_the_dev_token_is_an_admin(app_client):
    from chalicelib.local import run

    run._seed_balrog_admin()
    run._seed_balrog_admin()  # idempotent: a restart seeds again
    headers = {"Authorization": f"Bearer {run.DEV_BALROG_TOKEN}"}
    body = json.loads(app_client.http.get("/balrog/api/users/admin/permissions", headers=headers).body)
    assert body == {"admin": {"data_version": 1, "options": None}}


def test_given_storage_down_during_the_token_lookup_then_503_problem(app_client, monkeypatch):
    from botocore.exceptions import EndpointConnectionError

    from chalicelib.store import balrog_tokens

    def down(token_hash, kinds=()):
        raise EndpointConnectionError(endpoint_url="http://dynamodb")

    monkeypatch.setattr(balrog_tokens, "username_for", down)
    response = app_client.http.get("/balrog/api/rules", headers={"Authorization": "Bearer x"})
    assert response.status_code == 503
    assert json.loads(response.body)["status"] == 503
