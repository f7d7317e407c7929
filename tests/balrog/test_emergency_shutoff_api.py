"""Emergency shutoff: updates of a product on a channel turned off now, and on again after signoff.

Derived from Balrog's ``tests/admin/views/test_emergency_shutoff.py`` (its
world: shutoffs of Firefox nightly and release, Fennec beta, Thunderbird
nightly; Firefox nightly and release require a releng signoff) and, for the
update endpoint, ``AUS.updates_are_disabled`` as ``tests/web/test_client.py``
exercises it (``testEmergencyShutoff...``: an empty update while shut off).
"""

from __future__ import annotations

import json

import pytest

from chalicelib.store import balrog_update_cache
from chalicelib.store.versioned import now_ms
from tests.balrog.test_update_endpoint import RULE, URL
from tests.balrog.test_update_xml import blob

API = "/balrog/api"


@pytest.fixture
def world(aws, balrog_user):
    from chalicelib.store.balrog_required_signoffs import product_required_signoffs as rs
    from chalicelib.store.balrog_roles import roles
    from chalicelib.store.balrog_shutoffs import shutoffs

    users = {"bill": balrog_user("bill", admin=None),
             "mary": balrog_user("mary", scheduled_change={"actions": ["enact"]}),
             "ashanti": balrog_user("ashanti", release={"actions": ["modify"], "products": ["a"]})}
    roles.insert({"username": "bill", "role": "releng"}, "setup")
    for product, channel, comment in (("Firefox", "nightly", None), ("Firefox", "release", None),
                                      ("Fennec", "beta", "Fennec panic!()"), ("Thunderbird", "nightly", None)):
        shutoffs.insert({"product": product, "channel": channel, "comment": comment}, "setup")
    for channel in ("nightly", "release"):
        row = {"product": "Firefox", "channel": channel, "role": "releng", "signoffs_required": 1}
        rs.insert({**rs.key(row), **row}, "setup")
    balrog_update_cache.clear()
    yield users
    balrog_update_cache.clear()


def _json(response):
    return json.loads(response.body)


def test_given_shutoffs_when_listed_then_count_and_shutoffs(app_client, world):
    """Upstream: test_get_emergency_shutoff_list."""
    body = _json(app_client.http.get(f"{API}/emergency_shutoff", headers=world["bill"]))
    assert body["count"] == 4 and len(body["shutoffs"]) == 4


def test_given_a_shutoff_when_read_then_its_fields_and_x_data_version(app_client, world):
    """Upstream: test_get_by_id and test_get_notfound."""
    response = app_client.http.get(f"{API}/emergency_shutoff/Fennec/beta", headers=world["bill"])
    assert response.status_code == 200 and response.headers["X-Data-Version"] == "1"
    assert _json(response) == {"product": "Fennec", "channel": "beta", "comment": "Fennec panic!()", "data_version": 1}
    assert app_client.http.get(f"{API}/emergency_shutoff/foo/bar", headers=world["bill"]).status_code == 404


def test_given_a_new_product_channel_when_shut_off_then_201_with_history(app_client, world):
    """Upstream: test_create and test_create_with_comment."""
    from chalicelib.store.balrog_shutoffs import shutoffs

    response = app_client.http.post(f"{API}/emergency_shutoff", headers=world["bill"], body=json.dumps(
        {"product": "Fennec", "channel": "release", "comment": "Fennec panic!()"}))
    assert response.status_code == 201
    assert _json(response)["comment"] == "Fennec panic!()"
    count, revisions = shutoffs.revisions({"product": "Fennec", "channel": "release"})
    assert count == 1 and revisions[0]["changed_by"] == "bill"


def test_refusals_of_create_and_delete(app_client, world):
    """Upstream: test_create_no_permission, test_try_create_for_existent_product_channel, test_delete_no_permission,
    test_delete_notfound, test_delete_with_out_signoff."""
    create = {"product": "Thunderbird", "channel": "release"}
    assert app_client.http.post(f"{API}/emergency_shutoff", headers=world["mary"],
                                body=json.dumps(create)).status_code == 403
    assert app_client.http.post(f"{API}/emergency_shutoff", headers=world["bill"],
                                body=json.dumps({"product": "Fennec", "channel": "beta"})).status_code == 400
    assert app_client.http.delete(f"{API}/emergency_shutoff/Fennec/beta?data_version=1",
                                  headers=world["ashanti"]).status_code == 403
    assert app_client.http.delete(f"{API}/emergency_shutoff/Foo/bar?data_version=1",
                                  headers=world["bill"]).status_code == 404
    unsigned = app_client.http.delete(f"{API}/emergency_shutoff/Firefox/nightly?data_version=1", headers=world["bill"])
    assert unsigned.status_code == 400 and _json(unsigned)["detail"] == "Signoff Required"


def test_given_an_ungated_shutoff_when_deleted_then_200(app_client, world):
    """Upstream: test_delete."""
    assert app_client.http.delete(f"{API}/emergency_shutoff/Fennec/beta?data_version=1",
                                  headers=world["bill"]).status_code == 200


def test_given_a_scheduled_deletion_when_rescheduled_then_new_data_version(app_client, world):
    """Upstream: test_schedule_deletion, test_schedule_deletion_rejects_sc_id, test_update_scheduled_deletion,
    test_get_scheduled_changes."""
    body = {"when": now_ms() + 3_600_000, "change_type": "delete", "data_version": 1, "product": "Fennec",
            "channel": "beta"}
    assert app_client.http.post(f"{API}/scheduled_changes/emergency_shutoff", headers=world["bill"],
                                body=json.dumps({**body, "sc_id": 9999})).status_code == 400
    response = app_client.http.post(f"{API}/scheduled_changes/emergency_shutoff", headers=world["bill"],
                                    body=json.dumps(body))
    assert response.status_code == 200 and "sc_id" in _json(response)
    moved = app_client.http.post(f"{API}/scheduled_changes/emergency_shutoff/1", headers=world["bill"],
                                 body=json.dumps({"when": now_ms() + 7_200_000, "sc_data_version": 1}))
    assert moved.status_code == 200 and _json(moved)["new_data_version"] == 2
    listed = _json(app_client.http.get(f"{API}/scheduled_changes/emergency_shutoff", headers=world["bill"]))
    assert listed["count"] == 1 and listed["scheduled_changes"][0]["product"] == "Fennec"


@pytest.fixture
def served(app_client, world):
    """Firefox release: a release and its rule (the shutoff of Firefox/release is in the world)."""
    release = blob()
    response = app_client.http.post(f"{API}/releases", headers=world["bill"], body=json.dumps(
        {"name": release["name"], "product": "Firefox", "blob": json.dumps(release)}))
    assert response.status_code == 201, response.body
    from chalicelib.store.balrog_rules import rules

    rules.create(dict(RULE), "setup")  # the channel is gated: set up below the API, as Balrog's fixtures do


def test_given_a_shut_off_channel_when_firefox_asks_then_no_update_until_the_signed_off_deletion_is_enacted(
        app_client, world, served):
    """Upstream: AUS.updates_are_disabled; test_emergency_shutoff's scheduled deletion and agent enactment."""
    from chalicelib.services.balrog import agent

    assert "<update " not in app_client.http.get(URL).body.decode()
    when = now_ms() + 3_600_000
    scheduled = app_client.http.post(f"{API}/scheduled_changes/emergency_shutoff", headers=world["bill"],
                                     body=json.dumps({"when": when, "change_type": "delete", "data_version": 1,
                                                      "product": "Firefox", "channel": "release"}))
    assert _json(scheduled)["signoffs"] == {"bill": "releng"}
    assert agent.run_once(now=when - 1).enacted == []  # not yet due
    assert agent.run_once(now=when + 1).enacted == [("emergency_shutoff", 1)]
    assert agent.run_once(now=when + 2).enacted == []  # complete: never enacted twice
    assert 'appVersion="53.0"' in app_client.http.get(URL).body.decode()


def test_given_a_served_channel_when_shut_off_then_the_next_request_gets_no_update(app_client, world, served):
    """Upstream: AUS.updates_are_disabled (also for the ``-cck-`` fallback channel)."""
    from chalicelib.store.balrog_shutoffs import shutoffs

    shutoffs.delete({"product": "Firefox", "channel": "release"}, 1, "setup")
    assert 'appVersion="53.0"' in app_client.http.get(URL).body.decode()
    app_client.http.post(f"{API}/emergency_shutoff", headers=world["bill"],
                         body=json.dumps({"product": "Firefox", "channel": "release"}))
    assert "<update " not in app_client.http.get(URL).body.decode()
    assert "<update " not in app_client.http.get(URL.replace("/release/", "/release-cck-foo/")).body.decode()


def test_given_a_shutoff_when_asked_again_then_three_getitems_and_no_query(app_client, world, served, aws_calls):
    """The update path's cost is unchanged by shutoffs: they are cached with the rules, by generation."""
    from chalicelib.store.balrog_shutoffs import shutoffs

    shutoffs.delete({"product": "Firefox", "channel": "release"}, 1, "setup")
    app_client.http.get(URL)
    aws_calls.clear()
    app_client.http.get(URL)
    operations = [op for service, op in aws_calls if service in ("dynamodb", "s3")]
    assert operations == ["GetItem", "GetItem", "GetItem"]
