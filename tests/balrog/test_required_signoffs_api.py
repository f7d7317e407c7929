"""Required signoffs and user roles, as Balrog's admin API serves them.

Derived from Balrog's ``tests/admin/views/test_required_signoffs.py``
(``TestProductRequiredSignoffs``, ``TestPermissionsRequiredSignoffs``, the
scheduled changes of both) and ``test_permissions.py``'s role tests, over
the world of ``tests/admin/views/base.py``.
"""

from __future__ import annotations

import json

import pytest

from chalicelib.store.versioned import now_ms

API = "/balrog/api"


@pytest.fixture
def world(aws, balrog_user):
    from chalicelib.store.balrog_required_signoffs import permissions_required_signoffs as prs
    from chalicelib.store.balrog_required_signoffs import product_required_signoffs as rs
    from chalicelib.store.balrog_roles import roles

    users = {"bill": balrog_user("bill", admin=None), "bob": balrog_user("bob", permission=None),
             "mary": balrog_user("mary", scheduled_change={"actions": ["enact"]}),
             "janet": balrog_user("janet", rule=None), "ashanti": balrog_user("ashanti", release=None)}
    for username, role in (("bill", "releng"), ("bill", "qa"), ("bob", "relman"), ("janet", "releng"),
                           ("mary", "relman")):
        roles.insert({"username": username, "role": role}, "setup")
    for channel, role in (("a", "releng"), ("e", "releng"), ("j", "releng"), ("k", "relman")):
        row = {"product": "fake", "channel": channel, "role": role, "signoffs_required": 1}
        rs.insert({**rs.key(row), **row}, "setup")
    for product in ("fake", "bar"):
        row = {"product": product, "role": "releng", "signoffs_required": 1}
        prs.insert({**prs.key(row), **row}, "setup")
    return users


def _post(client, headers, path, body):
    return client.http.post(f"{API}{path}", headers=headers, body=json.dumps(body))


def _json(response):
    return json.loads(response.body)


def test_given_requirements_when_listed_then_all_or_one_product_channel(app_client, world):
    """Upstream: testGetRequiredSignoffs and testGetRequiredSignoffsWithArgs."""
    body = _json(app_client.http.get(f"{API}/required_signoffs/product", headers=world["bill"]))
    assert body["count"] == 4
    assert body["required_signoffs"][0] == {"product": "fake", "channel": "a", "role": "releng",
                                            "signoffs_required": 1, "data_version": 1}
    one = _json(app_client.http.get(f"{API}/required_signoffs/product?product=fake&channel=e", headers=world["bill"]))
    assert one["count"] == 1 and one["required_signoffs"][0]["channel"] == "e"


def test_given_a_new_product_channel_when_a_requirement_is_added_then_201(app_client, world):
    """Upstream: testAddRequiredSignoff."""
    response = _post(app_client, world["bill"], "/required_signoffs/product",
                     {"product": "fake", "channel": "b", "role": "releng", "signoffs_required": 1})
    assert response.status_code == 201 and _json(response) == {"new_data_version": 1}


def test_refusals_of_direct_requirement_writes(app_client, world):
    """Upstream: testAddRequiredSignoffWithoutEnoughUsersInRole, ...ThatRequiresSignoff, ...WithoutPermission,
    testModifyRequiredSignoff, testDeleteRequiredSignoff."""
    too_many = _post(app_client, world["bill"], "/required_signoffs/product",
                     {"product": "fake", "channel": "b", "role": "releng", "signoffs_required": 3})
    assert too_many.status_code == 400 and "Cannot require 3 signoffs" in too_many.body.decode()
    gated = _post(app_client, world["bill"], "/required_signoffs/product",
                  {"product": "fake", "channel": "a", "role": "relman", "signoffs_required": 1})
    assert gated.status_code == 400 and "No Signoffs given" in gated.body.decode()
    denied = _post(app_client, world["janet"], "/required_signoffs/product",
                   {"product": "fake", "channel": "b", "role": "releng", "signoffs_required": 1})
    assert denied.status_code == 403
    deleted = app_client.http.delete(f"{API}/required_signoffs/product?product=fake&channel=a&role=relman"
                                     "&data_version=1", headers=world["bill"])
    assert deleted.status_code == 400 and "Required Signoffs cannot be" in deleted.body.decode()


def test_permissions_requirements(app_client, world):
    """Upstream: TestPermissionsRequiredSignoffs.testGetRequiredSignoffs, testAddRequiredSignoff,
    testAddRequiredSignoffWithoutEnoughUsersInRole."""
    assert _json(app_client.http.get(f"{API}/required_signoffs/permissions", headers=world["bill"]))["count"] == 2
    added = _post(app_client, world["bill"], "/required_signoffs/permissions",
                  {"product": "super", "role": "relman", "signoffs_required": 1})
    assert added.status_code == 201
    too_many = _post(app_client, world["bill"], "/required_signoffs/permissions",
                     {"product": "awesome", "role": "relman", "signoffs_required": 5})
    assert too_many.status_code == 400


def test_given_a_permission_for_a_gated_product_when_granted_directly_then_400(app_client, world):
    """Upstream: test_permissions.py testPermissionPutThatRequiresSignoff (Permissions.insert verifies)."""
    response = app_client.http.put(f"{API}/users/someone/permissions/rule", headers=world["bill"],
                                   body=json.dumps({"options": {"products": ["fake"]}}))
    assert response.status_code == 400 and "No Signoffs given" in response.body.decode()


def test_given_a_scheduled_requirement_change_when_signed_off_and_enacted_then_it_applies(app_client, world):
    """Upstream: TestProductRequiredSignoffsScheduledChanges.testAddScheduledChangeExistingRequiredSignoff,
    testSignoffWithPermission and testEnactScheduledChangeExistingRequiredSignoff."""
    from chalicelib.store.balrog_roles import roles

    roles.insert({"username": "ashanti", "role": "releng"}, "setup")
    when = now_ms() + 60_000
    response = _post(app_client, world["bill"], "/scheduled_changes/required_signoffs/product",
                     {"when": when, "change_type": "update", "product": "fake", "channel": "a", "role": "releng",
                      "signoffs_required": 2, "data_version": 1})
    assert response.status_code == 200, response.body
    assert _json(response) == {"sc_id": 1, "signoffs": {"bill": "releng"}}
    enacted = _post(app_client, world["mary"], "/scheduled_changes/required_signoffs/product/1/enact", {})
    assert enacted.status_code == 200
    rows = _json(app_client.http.get(f"{API}/required_signoffs/product?product=fake&channel=a",
                                     headers=world["bill"]))["required_signoffs"]
    assert rows == [{"product": "fake", "channel": "a", "role": "releng", "signoffs_required": 2, "data_version": 2}]


def test_roles_granted_and_revoked_as_balrog_does(app_client, world):
    """Upstream: testGrantRole, testGrantExistingRole, testGrantRoleWithoutPermission, testRevokeRole,
    testRevokeRoleWithoutPermission, testRevokeRoleBadDataVersion."""
    granted = app_client.http.put(f"{API}/users/ashanti/roles/dev", headers=world["bill"], body="{}")
    assert granted.status_code == 201 and _json(granted) == {"new_data_version": 1}
    again = app_client.http.put(f"{API}/users/bill/roles/releng", headers=world["bill"], body="{}")
    assert again.status_code == 200 and _json(again) == {"new_data_version": 1}
    assert app_client.http.put(f"{API}/users/emily/roles/relman", headers=world["janet"],
                               body="{}").status_code == 403
    assert app_client.http.delete(f"{API}/users/bob/roles/relman?data_version=1",
                                  headers=world["janet"]).status_code == 403
    assert app_client.http.delete(f"{API}/users/bob/roles/relman?data_version=3",
                                  headers=world["bill"]).status_code == 400
    assert app_client.http.delete(f"{API}/users/bob/roles/relman?data_version=1",
                                  headers=world["bill"]).status_code == 200
    assert _json(app_client.http.get(f"{API}/users/bob/roles", headers=world["bill"])) == {"roles": []}
