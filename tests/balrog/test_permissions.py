"""Balrog's permission decision (pure) and the permissions endpoints."""

from __future__ import annotations

import json

import pytest

from chalicelib.balrog.permissions import InvalidPermission, allowed, canonical, validate_options


def test_given_admin_without_options_then_everything_is_allowed():
    assert allowed({"admin": {"options": None}}, "rule", "delete", "Firefox")


def test_given_admin_limited_to_products_then_other_products_are_denied():
    perms = {"admin": {"options": {"products": ["Firefox"]}}}
    assert allowed(perms, "release", "create", "Firefox")
    assert not allowed(perms, "release", "create", "Thunderbird")


def test_given_no_row_for_the_thing_then_denied():
    assert not allowed({"release": {"options": None}}, "rule", "create", "Firefox")


def test_given_a_row_without_options_then_any_action_and_product_is_allowed():
    assert allowed({"rule": {"options": None}}, "rule", "delete", "Thunderbird")


def test_given_actions_option_then_only_those_actions_are_allowed():
    perms = {"rule": {"options": {"actions": ["modify"]}}}
    assert allowed(perms, "rule", "modify", "Firefox")
    assert not allowed(perms, "rule", "create", "Firefox")


def test_given_products_option_then_only_those_products_are_allowed():
    perms = {"rule": {"options": {"products": ["Firefox"]}}}
    assert allowed(perms, "rule", "create", "Firefox")
    assert not allowed(perms, "rule", "create", "Fennec")


def test_given_products_option_and_a_request_without_product_then_denied():
    assert not allowed({"rule": {"options": {"products": ["Firefox"]}}}, "rule", "create", None)


def test_given_a_url_style_name_then_it_is_an_alias():
    assert canonical("/rules/:id") == "rule"
    assert allowed({"rule": {"options": None}}, "/rules", "create", "Firefox")


def test_given_an_unknown_permission_then_invalid():
    with pytest.raises(InvalidPermission):
        canonical("superuser")


def test_given_an_option_the_permission_does_not_take_then_invalid():
    with pytest.raises(InvalidPermission):
        validate_options("admin", {"actions": ["create"]})


def test_given_an_unknown_option_then_invalid():
    with pytest.raises(InvalidPermission):
        validate_options("rule", {"colour": ["red"]})


def test_given_valid_options_then_they_are_kept():
    assert validate_options("rule", {"products": ["Firefox"], "actions": ["create"]}) == {
        "products": ["Firefox"], "actions": ["create"]}


# --- the endpoints --------------------------------------------------------------------------------

API = "/balrog/api"


def _put(client, headers, path, body):
    return client.http.put(f"{API}{path}", headers=headers, body=json.dumps(body))


def test_given_no_token_when_listing_users_then_401(app_client):
    assert app_client.http.get(f"{API}/users").status_code == 401


def test_given_permissions_when_users_listed_then_each_user_once_with_roles_and_permissions(
        app_client, balrog_admin, balrog_user):
    """Upstream: test_permissions.py TestUsersAPI_JSON.testUsers (Balrog's get_users shape)."""
    from chalicelib.store.balrog_roles import roles

    balrog_user("bob", rule=None, release=None)
    roles.insert({"username": "bob", "role": "relman"}, "setup")
    body = json.loads(app_client.http.get(f"{API}/users", headers=balrog_admin).body)
    assert sorted(body) == ["admin", "bob"]
    assert body["bob"] == {"roles": [{"role": "relman", "data_version": 1}],
                           "permissions": {"release": {"data_version": 1, "options": None},
                                           "rule": {"data_version": 1, "options": None}}}


def test_given_a_user_when_read_then_permissions_and_roles_and_unknown_404(app_client, balrog_admin, balrog_user):
    """Upstream: test_permissions.py TestNamedUserAPI_JSON.testGetNamedUser and testGetNonExistentUser."""
    from chalicelib.store.balrog_roles import roles

    balrog_user("bob", rule={"products": ["a"]})
    roles.insert({"username": "bob", "role": "qa"}, "setup")
    body = json.loads(app_client.http.get(f"{API}/users/bob", headers=balrog_admin).body)
    assert body == {"username": "bob", "permissions": {"rule": {"data_version": 1, "options": {"products": ["a"]}}},
                    "roles": {"qa": {"data_version": 1}}}
    assert app_client.http.get(f"{API}/users/nobody", headers=balrog_admin).status_code == 404


def test_given_a_new_permission_when_put_then_201_and_it_is_listed(app_client, balrog_admin):
    response = _put(app_client, balrog_admin, "/users/bob/permissions/rule", {"options": {"products": ["Firefox"]}})
    assert response.status_code == 201
    assert json.loads(response.body) == {"new_data_version": 1}
    listed = json.loads(app_client.http.get(f"{API}/users/bob/permissions", headers=balrog_admin).body)
    assert listed == {"rule": {"data_version": 1, "options": {"products": ["Firefox"]}}}


def test_given_options_as_a_json_string_when_put_then_they_are_stored_as_an_object(app_client, balrog_admin):
    _put(app_client, balrog_admin, "/users/bob/permissions/rule", {"options": json.dumps({"actions": ["create"]})})
    response = app_client.http.get(f"{API}/users/bob/permissions/rule", headers=balrog_admin)
    assert json.loads(response.body) == {"data_version": 1, "options": {"actions": ["create"]}}
    assert response.headers["X-Data-Version"] == "1"


def test_given_an_existing_permission_when_put_without_data_version_then_400(app_client, balrog_admin):
    _put(app_client, balrog_admin, "/users/bob/permissions/rule", {})
    assert _put(app_client, balrog_admin, "/users/bob/permissions/rule", {"options": None}).status_code == 400


def test_given_an_existing_permission_when_posted_with_its_version_then_200_new_version(app_client, balrog_admin):
    _put(app_client, balrog_admin, "/users/bob/permissions/rule", {})
    response = app_client.http.post(f"{API}/users/bob/permissions/rule", headers=balrog_admin,
                                    body=json.dumps({"options": {"products": ["Fennec"]}, "data_version": 1}))
    assert response.status_code == 200 and json.loads(response.body) == {"new_data_version": 2}


def test_given_a_stale_version_when_posting_a_permission_then_400(app_client, balrog_admin):
    _put(app_client, balrog_admin, "/users/bob/permissions/rule", {})
    response = app_client.http.post(f"{API}/users/bob/permissions/rule", headers=balrog_admin,
                                    body=json.dumps({"options": None, "data_version": 3}))
    assert response.status_code == 400


def test_given_a_missing_permission_when_posted_then_404(app_client, balrog_admin):
    response = app_client.http.post(f"{API}/users/bob/permissions/rule", headers=balrog_admin,
                                    body=json.dumps({"data_version": 1}))
    assert response.status_code == 404


def test_given_an_unknown_permission_name_when_put_then_400(app_client, balrog_admin):
    assert _put(app_client, balrog_admin, "/users/bob/permissions/superuser", {}).status_code == 400


def test_given_an_unknown_option_when_put_then_400(app_client, balrog_admin):
    assert _put(app_client, balrog_admin, "/users/bob/permissions/admin", {"options": {"actions": ["create"]}}
                ).status_code == 400


def test_given_a_permission_when_deleted_with_its_version_then_it_is_gone(app_client, balrog_admin):
    _put(app_client, balrog_admin, "/users/bob/permissions/rule", {})
    response = app_client.http.delete(f"{API}/users/bob/permissions/rule?data_version=1", headers=balrog_admin)
    assert response.status_code == 200
    assert app_client.http.get(f"{API}/users/bob/permissions/rule", headers=balrog_admin).status_code == 404


def test_given_a_user_without_permission_permission_when_granting_then_403(app_client, balrog_user):
    headers = balrog_user("bob", rule=None)
    assert _put(app_client, headers, "/users/carol/permissions/rule", {}).status_code == 403


def test_given_a_permission_permission_limited_to_create_when_deleting_then_403(app_client, balrog_user):
    headers = balrog_user("bob", permission={"actions": ["create"]})
    assert _put(app_client, headers, "/users/carol/permissions/rule", {}).status_code == 201
    response = app_client.http.delete(f"{API}/users/carol/permissions/rule?data_version=1", headers=headers)
    assert response.status_code == 403


def test_given_a_new_permission_then_history_records_who_granted_it(app_client, balrog_admin):
    from chalicelib.store.balrog_permissions import permissions

    _put(app_client, balrog_admin, "/users/bob/permissions/rule", {})
    count, revisions = permissions.revisions({"username": "bob", "permission": "rule"})
    assert count == 1 and revisions[0]["changed_by"] == "admin"
