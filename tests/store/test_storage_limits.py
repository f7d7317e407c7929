"""Values the store refuses (DynamoDB's ValidationException) are the client's 400, never a 503 to retry.

moto does not enforce DynamoDB's limits (keys up to 2048 bytes, numbers up
to 38 digits); AWS does. The refusal is injected as AWS would answer it.
"""

from __future__ import annotations

import json

import pytest

from tests.support.delivery import Fault

UPDATE = ("/balrog/update/6/Firefox/52.0/20170301000000/WINNT_x86-msvc/en-US/release/"
          "Windows_NT/default/default/update.xml")


@pytest.fixture
def refused():
    with Fault("dynamodb", "GetItem", code="ValidationException") as fault:
        yield fault


def test_datazilla_answers_400_in_its_own_shape(app_client, aws, refused):
    response = app_client.http.get("/talos/refdata/objectstore/json_blob/1")
    assert response.status_code == 400 and json.loads(response.body)["status"] == "Bad request"


def test_balrog_answers_a_400_problem(app_client, aws, refused):
    response = app_client.http.get("/balrog/api/rules", headers={"Authorization": "Bearer " + "x" * 3000})
    assert response.status_code == 400 and json.loads(response.body)["status"] == 400


def test_the_update_endpoint_answers_no_update(app_client, aws, refused):
    response = app_client.http.get(UPDATE)
    assert response.status_code == 200 and b"<updates>" in response.body


def test_the_token_endpoint_answers_access_denied(app_client, aws, refused):
    body = {"grant_type": "client_credentials", "client_id": "admin", "client_secret": "s" * 3000}
    response = app_client.http.post("/balrog/oauth/token", headers={"Content-Type": "application/json"},
                                    body=json.dumps(body))
    assert response.status_code == 401 and json.loads(response.body)["error"] == "access_denied"


def test_treeherder_answers_400_with_a_detail(app_client, aws, refused):
    response = app_client.http.get("/treeherder/api/project/mozilla-inbound/push/",
                                   headers={"User-Agent": "shipyard-tests/1.0"})
    assert response.status_code == 400 and "detail" in json.loads(response.body)


def test_kernelci_answers_400_in_its_envelope(app_client, aws, refused):
    response = app_client.http.get("/job", headers={"Authorization": "t" * 3000})
    assert response.status_code == 400 and json.loads(response.body)["code"] == 400
