"""Balrog admin answers held to Balrog's own view tests: error bodies, shapes, read-only order, release signoffs.

Derived from Balrog's ``tests/admin/views/test_releases.py`` and
``test_rules.py`` and from the error handlers of ``auslib/web/admin/base.py``
(an exception's kind in ``detail``, its message in ``exception``).
"""

from __future__ import annotations

import json

import pytest

API = "/balrog/api"


@pytest.fixture
def world(app_client, balrog_user, balrog_releases):
    """bill the admin (role releng), releases a and z; product z's release channel needs a releng signoff."""
    from chalicelib.store.balrog_required_signoffs import product_required_signoffs as rs
    from chalicelib.store.balrog_roles import roles
    from chalicelib.store.balrog_rules import rules

    bill = balrog_user("bill", admin=None)
    roles.insert({"username": "bill", "role": "releng"}, "setup")
    balrog_releases("a", product="a")
    balrog_releases("z", product="z")
    row = {"product": "z", "channel": "release", "role": "releng", "signoffs_required": 1}
    rs.insert({**rs.key(row), **row}, "setup")
    rule = rules.create({"priority": 1, "backgroundRate": 100, "update_type": "minor", "product": "z",
                         "channel": "release", "mapping": "z"}, "setup")
    return {"bill": bill, "rule_id": rule["rule_id"]}


def _json(response):
    return json.loads(response.body)


def test_given_a_stale_data_version_then_the_body_names_outdated_data_error_as_balrog_does(app_client, world):
    """Upstream: base.py's OutdatedDataError handler (testPostWithBadDataVersion in test_rules.py)."""
    from chalicelib.store.balrog_rules import rules

    ungated = rules.create({"priority": 1, "backgroundRate": 100, "update_type": "minor", "mapping": "a",
                            "product": "a"}, "setup")["rule_id"]
    response = app_client.http.post(f"{API}/rules/{ungated}", headers=world["bill"],
                                    body=json.dumps({"comment": "x", "data_version": 9}))
    body = _json(response)
    assert response.status_code == 400
    assert body["type"] == "about:blank" and body["title"] == "Bad Request" and body["detail"] == "OutdatedDataError"
    assert "Outdated Data Version" in body["exception"]


def test_given_no_credentials_then_401_unauthenticated(app_client, world):
    """Upstream: requirelogin's problem(401, "Unauthenticated", "Login Required")."""
    body = _json(app_client.http.get(f"{API}/rules"))
    assert body["status"] == 401 and body["title"] == "Unauthenticated"


def test_given_releases_when_listed_then_each_carries_rule_ids_rule_info_and_required_signoffs(app_client, world):
    """Upstream: TestRuleIdsReturned.testPresentRuleIdField and views/releases.get's required_signoffs."""
    listed = {r["name"]: r for r in _json(app_client.http.get(f"{API}/releases", headers=world["bill"]))["releases"]}
    rule_id = world["rule_id"]
    assert listed["z"]["rule_ids"] == [rule_id]
    assert listed["z"]["rule_info"] == {str(rule_id): {"product": "z", "channel": "release"}}
    assert listed["z"]["required_signoffs"] == {"releng": 1}
    assert listed["a"]["rule_ids"] == [] and listed["a"]["required_signoffs"] == {}


def test_given_a_release_a_gated_rule_maps_to_when_changed_directly_then_400_no_signoffs_given(app_client, world):
    """Upstream: testReleasePostWithSignoffRequired."""
    data = json.dumps({"bouncerProducts": {"partial": "foo"}, "name": "z", "hashFunction": "sha512"})
    response = app_client.http.post(f"{API}/releases/z", headers=world["bill"], body=json.dumps(
        {"data": data, "product": "z", "data_version": 1, "schema_version": 1}))
    assert response.status_code == 400 and "No Signoffs given" in response.body.decode()
    ungated = app_client.http.post(f"{API}/releases/a", headers=world["bill"], body=json.dumps(
        {"data": json.dumps({"name": "a", "hashFunction": "sha512"}), "product": "a", "data_version": 1,
         "schema_version": 1}))
    assert ungated.status_code == 200


def test_given_a_new_release_when_put_then_201_without_a_body(app_client, world):
    """Upstream: views/releases.ensure — ``Response(status=201)`` for a release that did not exist."""
    response = app_client.http.put(f"{API}/releases/new", headers=world["bill"], body=json.dumps(
        {"name": "new", "product": "a",
         "blob": json.dumps({"name": "new", "schema_version": 1, "hashFunction": "sha512"})}))
    assert response.status_code == 201 and response.body == b""


def test_given_a_read_only_release_when_unset_with_a_stale_version_then_400_outdated(app_client, world):
    """Upstream: update_read_only unsets through change_readonly with the given data_version (OutdatedDataError)."""
    path = f"{API}/releases/a/read_only"
    assert app_client.http.put(path, headers=world["bill"], body=json.dumps(
        {"read_only": True, "data_version": 1})).status_code == 201
    stale = app_client.http.put(path, headers=world["bill"], body=json.dumps({"read_only": "", "data_version": 1}))
    assert stale.status_code == 400 and _json(stale)["detail"] == "OutdatedDataError"
    fresh = app_client.http.put(path, headers=world["bill"], body=json.dumps({"read_only": "", "data_version": 2}))
    assert fresh.status_code == 201


def test_given_a_gated_read_only_release_when_made_writable_then_400(app_client, world):
    """Upstream: testNoRequireSignoffsToMakeReadonly and testRequireSignoffsToMakeReadWrite."""
    path = f"{API}/releases/z/read_only"
    assert app_client.http.put(path, headers=world["bill"], body=json.dumps(
        {"read_only": True, "data_version": 1})).status_code == 201
    response = app_client.http.put(path, headers=world["bill"], body=json.dumps({"read_only": False,
                                                                                 "data_version": 2}))
    assert response.status_code == 400 and _json(response)["detail"] == "Signoff Required"
