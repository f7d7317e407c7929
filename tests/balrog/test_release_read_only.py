"""Toggling a release's ``read_only`` flag, checked as Balrog checks it.

Derived from Balrog's ``tests/admin/views/test_releases.py`` class ``TestReadOnlyView`` in
mozilla-releng/balrog (and the order of ``views/releases.update_read_only`` and
``Releases.validate_readonly_change``): only ``release_read_only`` set/unset is required, marking a
read-only release again writes and checks nothing, making it writable needs its rules' signoffs, and the
data_version is checked by the write, last.
"""

from __future__ import annotations

import json

import pytest

API = "/balrog/api"


@pytest.fixture
def world(aws, balrog_user):
    from chalicelib.store.balrog_releases import releases
    from chalicelib.store.balrog_required_signoffs import product_required_signoffs as rs
    from chalicelib.store.balrog_rules import rules

    for name in ("b", "z"):
        releases.create(name, name, {"name": name, "hashFunction": "sha512", "schema_version": 1}, "setup")
    for role in ("releng", "relman"):
        row = {"product": "z", "channel": "z", "role": role, "signoffs_required": 1}
        rs.insert({**rs.key(row), **row}, "setup")
    rules.create({"priority": 10, "backgroundRate": 100, "update_type": "minor", "product": "z", "channel": "z",
                  "mapping": "z"}, "setup")
    return {"bill": balrog_user("bill", admin=None),
            "bob": balrog_user("bob", release_read_only={"actions": ["set"], "products": ["a", "b"]}),
            "me": balrog_user("me")}


def _flag(client, headers, name, read_only, data_version):
    return client.http.put(f"{API}/releases/{name}/read_only", headers=headers,
                           body=json.dumps({"name": name, "read_only": read_only, "product": name,
                                            "data_version": data_version}))


def _is_read_only(client, headers, name) -> bool:
    return json.loads(client.http.get(f"{API}/releases/{name}/read_only", headers=headers).body)["read_only"]


def test_given_only_release_read_only_set_when_setting_then_201_without_release_modify(app_client, world):
    """Upstream: testReadOnlySetTrueNonAdmin and testReadOnlyNonAdminCanSetFlagButNotUnset."""
    response = _flag(app_client, world["bob"], "b", True, 1)
    assert (response.status_code, json.loads(response.body)) == (201, {"new_data_version": 2})
    assert _is_read_only(app_client, world["bill"], "b") is True
    assert _flag(app_client, world["bob"], "b", "", 2).status_code == 403
    assert _is_read_only(app_client, world["bill"], "b") is True


def test_given_a_read_only_release_when_marked_again_then_201_and_nothing_checked_or_written(app_client, world):
    """``update_read_only``: an already read-only release is left alone, its version answered as sent."""
    assert _flag(app_client, world["bill"], "b", True, 1).status_code == 201
    again = _flag(app_client, world["me"], "b", True, 2)
    assert (again.status_code, json.loads(again.body)) == (201, {"new_data_version": 2})


def test_given_no_permission_when_unsetting_then_403(app_client, world):
    """Upstream: testReadOnlyUnsetWithoutPermissionForProduct."""
    _flag(app_client, world["bill"], "b", True, 1)
    assert _flag(app_client, world["me"], "b", "", 2).status_code == 403


def test_given_an_admin_when_set_and_unset_then_writable_again(app_client, world):
    """Upstream: testReadOnlyAdminSetAndUnsetFlag and testReadOnlySetFalseAdmin."""
    assert _flag(app_client, world["bill"], "b", True, 1).status_code == 201
    assert _flag(app_client, world["bill"], "b", "", 2).status_code == 201
    assert _is_read_only(app_client, world["bill"], "b") is False


def test_given_a_stale_version_when_unsetting_then_400_outdated_data(app_client, world):
    """Issue 21 item 5: Balrog checks the version in the write, after permission and signoffs: 400
    OutdatedDataError, not 403."""
    _flag(app_client, world["bill"], "b", True, 1)
    response = _flag(app_client, world["bill"], "b", False, 1)
    assert (response.status_code, json.loads(response.body)["detail"]) == (400, "OutdatedDataError")


def test_given_a_gated_rule_when_made_read_only_then_no_signoffs_but_writable_again_needs_them(
        app_client, world):
    """Upstream: testNoRequireSignoffsToMakeReadonly and testRequireSignoffsToMakeReadWrite."""
    assert _flag(app_client, world["bill"], "z", True, 1).status_code == 201
    refused = _flag(app_client, world["bill"], "z", False, 2)
    assert (refused.status_code, json.loads(refused.body)["detail"]) == (400, "Signoff Required")
    assert _is_read_only(app_client, world["bill"], "z") is True
