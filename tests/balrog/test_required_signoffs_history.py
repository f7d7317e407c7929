"""``/required_signoffs/product/history`` and ``/required_signoffs/permissions/history`` as current Balrog serves them.

Derived from Balrog's ``tests/admin/views/test_required_signoffs.py`` in mozilla-releng/balrog
(``testGetProductRequiedSignoffsHistory``, ``testGetProductRequiedSignoffsWithinTimeRange``,
``testGetPermissionsRequiredSignoffsHistory``) and from ``auslib/web/common/history_all.py``: the
requirement's versions under ``required_signoffs`` (newest first, each with its columns and who changed it
when), beside its scheduled changes' versions, both paged and filtered alike.
"""

from __future__ import annotations

import json

from chalicelib.store.balrog_required_signoffs import permissions_required_signoffs, product_required_signoffs
from chalicelib.store.versioned import now_ms

API = "/balrog/api"


def _two_versions(table, row: dict) -> None:
    """Balrog's fixture: a requirement of 2 signoffs (data_version 1), lowered to 1 (data_version 2)."""
    key = table.key(row)
    table.insert({**key, **row, "signoffs_required": 2}, "bill")
    table.update(key, {"signoffs_required": 1}, 1, "bill")


def _get(client, headers, path):
    response = client.http.get(f"{API}{path}", headers=headers)
    return response.status_code, json.loads(response.body)


def test_given_a_changed_product_requirement_when_history_is_read_then_its_versions_newest_first(
        app_client, balrog_admin):
    """Upstream: testGetProductRequiedSignoffsHistory."""
    _two_versions(product_required_signoffs, {"product": "fake", "channel": "k", "role": "relman"})
    status, got = _get(app_client, balrog_admin, "/required_signoffs/product/history")
    assert status == 200
    assert set(got) == {"Product Required Signoffs", "Product Required Signoffs Scheduled Change"}
    own = got["Product Required Signoffs"]
    assert own["count"] == 2
    assert [{k: r[k] for k in ("product", "channel", "role", "signoffs_required", "data_version", "changed_by")}
            for r in own["required_signoffs"]] == [
        {"product": "fake", "channel": "k", "role": "relman", "signoffs_required": 1, "data_version": 2,
         "changed_by": "bill"},
        {"product": "fake", "channel": "k", "role": "relman", "signoffs_required": 2, "data_version": 1,
         "changed_by": "bill"}]
    first, second = own["required_signoffs"][1], own["required_signoffs"][0]
    assert second["change_id"] > first["change_id"] and second["timestamp"] >= first["timestamp"]
    assert got["Product Required Signoffs Scheduled Change"] == {"count": 0, "revisions": []}


def test_given_a_time_window_and_filters_when_history_is_read_then_only_those_versions(app_client, balrog_admin):
    """Upstream: testGetProductRequiedSignoffsWithinTimeRange; product/channel/role as Balrog's history filters."""
    before = now_ms()
    _two_versions(product_required_signoffs, {"product": "fake", "channel": "k", "role": "relman"})
    _two_versions(product_required_signoffs, {"product": "other", "channel": "k", "role": "releng"})
    _, got = _get(app_client, balrog_admin, f"/required_signoffs/product/history?timestamp_from={before}"
                                            f"&timestamp_to={now_ms() + 1000}&product=fake&data_version=2")
    assert [(r["product"], r["data_version"]) for r in got["Product Required Signoffs"]["required_signoffs"]] == [
        ("fake", 2)]
    _, by_role = _get(app_client, balrog_admin, "/required_signoffs/product/history?role=releng")
    assert {r["product"] for r in by_role["Product Required Signoffs"]["required_signoffs"]} == {"other"}
    _, future = _get(app_client, balrog_admin, f"/required_signoffs/product/history?timestamp_from={now_ms() + 60000}")
    assert future["Product Required Signoffs"] == {"count": 0, "required_signoffs": []}


def test_given_a_changed_permissions_requirement_when_history_is_read_then_its_versions(app_client, balrog_admin):
    """Upstream: testGetPermissionsRequiredSignoffsHistory."""
    _two_versions(permissions_required_signoffs, {"product": "doop", "role": "releng"})
    status, got = _get(app_client, balrog_admin, "/required_signoffs/permissions/history")
    assert status == 200
    own = got["Permissions Required Signoffs"]
    assert own["count"] == 2
    assert [(r["product"], r["role"], r["signoffs_required"], r["data_version"]) for r in own["required_signoffs"]] \
        == [("doop", "releng", 1, 2), ("doop", "releng", 2, 1)]
    assert "channel" not in own["required_signoffs"][0]
    assert got["Permissions Required Signoffs Scheduled Change"] == {"count": 0, "revisions": []}


def test_given_a_scheduled_requirement_change_when_history_is_read_then_it_is_listed(app_client, balrog_admin):
    """history_all.py: the scheduled changes' own versions beside the table's."""
    from chalicelib.store.balrog_roles import roles

    roles.insert({"username": "mary", "role": "relman"}, "setup")  # a requirement needs holders of its role
    response = app_client.http.post(f"{API}/scheduled_changes/required_signoffs/product", headers=balrog_admin,
                                    body=json.dumps({"when": now_ms() + 3_600_000, "change_type": "insert",
                                                     "product": "fake", "channel": "k", "role": "relman",
                                                     "signoffs_required": 1}))
    assert response.status_code == 200, response.body
    _, got = _get(app_client, balrog_admin, "/required_signoffs/product/history")
    scheduled = got["Product Required Signoffs Scheduled Change"]
    assert scheduled["count"] == 1 and scheduled["revisions"][0]["change_type"] == "insert"
    assert got["Product Required Signoffs"] == {"count": 0, "required_signoffs": []}


def test_given_an_unknown_kind_when_history_is_read_then_404(app_client, balrog_admin):
    assert app_client.http.get(f"{API}/required_signoffs/rules/history", headers=balrog_admin).status_code == 404
