"""Scheduled changes of releases, with required signoffs, as Balrog's admin API serves them.

Derived from Balrog's ``tests/admin/views/test_releases.py`` (class
``TestReleasesScheduledChanges``) in mozilla-releng/balrog, on the world of
its ``tests/admin/views/base.py``: bill is an admin holding roles releng and
qa, mary may enact and holds relman, bob may create and modify releases of
a and b (and mark them read only) and holds relman, julie may modify
releases of product a and holds releng; rule 4 (product fake, channel a,
which needs one releng signoff) maps to release a. Release z is read only,
mapped to by a rule of z/z needing releng and relman; release ZA is read
only, mapped to by nothing, its product needing releng (up to 2) and relman.
"""

from __future__ import annotations

import json

import pytest

from chalicelib.store.versioned import now_ms

API = "/balrog/api"
LATER = 3_600_000  # an hour from now, in milliseconds


def _blob(name: str, **fields) -> dict:
    return {"name": name, "hashFunction": "sha512", "schema_version": 1, **fields}


@pytest.fixture
def world(aws, balrog_user):
    from chalicelib.store.balrog_releases import releases
    from chalicelib.store.balrog_required_signoffs import product_required_signoffs as rs
    from chalicelib.store.balrog_roles import roles
    from chalicelib.store.balrog_rules import rules

    users = {
        "bill": balrog_user("bill", admin=None),
        "mary": balrog_user("mary", scheduled_change={"actions": ["enact"]}),
        "bob": balrog_user("bob", release={"products": ["fake", "a", "b"], "actions": ["create", "modify"]},
                           release_read_only={"actions": ["set"], "products": ["a", "b"]}),
        "julie": balrog_user("julie", release={"products": ["a"], "actions": ["modify"]}),
    }
    for username, role in (("bill", "releng"), ("bill", "qa"), ("bob", "relman"), ("julie", "releng"),
                           ("mary", "relman")):
        roles.insert({"username": username, "role": role}, "setup")
    for product, channel, role, count in (("fake", "a", "releng", 1), ("z", "z", "releng", 1),
                                          ("z", "z", "relman", 1), ("ZA", "z", "releng", 1),
                                          ("ZA", "w", "relman", 1), ("ZA", "y", "releng", 2)):
        row = {"product": product, "channel": channel, "role": role, "signoffs_required": count}
        rs.insert({**rs.key(row), **row}, "setup")
    for name, product in (("a", "a"), ("ab", "a"), ("b", "b"), ("c", "c"), ("d", "d"), ("z", "z"), ("ZA", "ZA")):
        releases.create(name, product, _blob(name), "setup")
    for name in ("z", "ZA"):
        releases.replace(name, {"read_only": True}, 1, "setup")
    for product, channel, mapping in (("fake", "a", "a"), ("z", "z", "z")):
        rules.create({"priority": 80, "backgroundRate": 100, "update_type": "minor", "product": product,
                      "channel": channel, "mapping": mapping}, "setup")
    return users


def _post(client, headers, path, body=None):
    return client.http.post(f"{API}{path}", headers=headers, body=json.dumps(body or {}))


def _get(client, headers, path):
    return client.http.get(f"{API}{path}", headers=headers)


def _json(response):
    return json.loads(response.body)


def _schedule(client, headers, **body):
    body = {"when": now_ms() + LATER, **body}
    if isinstance(body.get("data"), dict):
        body["data"] = json.dumps(body["data"])  # Balrog's JSONStringField
    return _post(client, headers, "/scheduled_changes/releases", body)


@pytest.fixture
def scheduled(app_client, world):
    """Balrog's fixture changes: 1 inserts release m, 2 updates a (extv 2.0), 3 deletes ab."""
    bill = world["bill"]
    when = now_ms() + LATER
    made = [
        _schedule(app_client, bill, when=when, change_type="insert", name="m", product="m", data=_blob("m")),
        _schedule(app_client, bill, when=when, change_type="update", name="a", product="a", data_version=1,
                  data=_blob("a", extv="2.0")),
        _schedule(app_client, bill, when=when, change_type="delete", name="ab", data_version=1),
    ]
    assert [r.status_code for r in made] == [200, 200, 200], [r.body for r in made]
    return when


def test_given_release_changes_when_listed_then_balrog_columns_data_and_signoffs(app_client, world, scheduled):
    """Upstream: TestReleasesScheduledChanges.testGetScheduledChanges — the release's columns unprefixed, the
    blob as ``data``, ``when`` alone (releases have no uptake condition), signoffs and required signoffs."""
    listed = _json(_get(app_client, world["bill"], "/scheduled_changes/releases"))
    common = {"when": scheduled, "scheduled_by": "bill", "complete": False, "sc_data_version": 1}
    assert listed == {"count": 3, "scheduled_changes": [
        {**common, "sc_id": 1, "change_type": "insert", "name": "m", "product": "m", "data": _blob("m"),
         "read_only": False, "data_version": None, "signoffs": {}, "required_signoffs": {}},
        {**common, "sc_id": 2, "change_type": "update", "name": "a", "product": "a",
         "data": _blob("a", extv="2.0"), "read_only": False, "data_version": 1, "signoffs": {"bill": "releng"},
         "required_signoffs": {"releng": 1}},
        {**common, "sc_id": 3, "change_type": "delete", "name": "ab", "product": None, "data": None,
         "read_only": False, "data_version": 1, "signoffs": {}, "required_signoffs": {}},
    ]}


def test_given_release_changes_when_filtered_by_name_or_read_by_sc_id_then_that_one(app_client, world, scheduled):
    """Upstream: testGetScheduledChangesByName and testGetScheduledChangeByScId."""
    listed = _json(_get(app_client, world["bill"], "/scheduled_changes/releases?name=m"))
    assert listed["count"] == 1 and listed["scheduled_changes"][0]["name"] == "m"
    one = _json(_get(app_client, world["bill"], "/scheduled_changes/releases/2"))
    assert one["scheduled_change"]["data"] == _blob("a", extv="2.0")
    assert one["scheduled_change"]["signoffs"] == {"bill": "releng"}


def test_given_an_update_when_scheduled_by_someone_holding_no_required_role_then_no_signoffs(app_client, world):
    """Upstream: testAddScheduledChangeExistingRelease — an update of d (no rule maps to it)."""
    response = _schedule(app_client, world["bill"], change_type="update", name="d", product="d", data_version=1,
                         data={"name": "d", "hashFunction": "sha256", "schema_version": 1})
    assert response.status_code == 200, response.body
    assert _json(response) == {"sc_id": 1, "signoffs": {}}
    shown = _json(_get(app_client, world["bill"], "/scheduled_changes/releases/1"))["scheduled_change"]
    assert shown["data"] == {"name": "d", "hashFunction": "sha256", "schema_version": 1}
    assert shown["data_version"] == 1 and shown["product"] == "d"


def test_given_a_delete_and_an_insert_when_scheduled_then_accepted(app_client, world):
    """Upstream: testAddScheduledChangeDeleteRelease and testAddScheduledChangeNewRelease."""
    deleted = _schedule(app_client, world["bill"], change_type="delete", name="d", data_version=1)
    inserted = _schedule(app_client, world["bill"], change_type="insert", name="q", product="q", data=_blob("q"))
    assert (deleted.status_code, _json(deleted)) == (200, {"sc_id": 1, "signoffs": {}})
    assert (inserted.status_code, _json(inserted)) == (200, {"sc_id": 2, "signoffs": {}})


@pytest.mark.parametrize("body, detail", [
    ({"change_type": "insert", "name": "q", "product": "q", "data": _blob("q"), "sc_id": 9999},
     "sc_id cannot be set when scheduling a new change"),
    ({"change_type": "insert", "name": "q", "product": "q", "data": _blob("q"), "when": None},
     "'when' cannot be set to null when scheduling a new change for a Release"),
    ({"change_type": "update", "name": "d", "data": _blob("d")}, "Missing field"),
    ({"change_type": "insert", "name": "q", "data": _blob("q")}, "Missing field"),
    ({"change_type": "insert", "name": "q", "product": "q"}, "Missing field"),
    ({"change_type": "insert", "name": "q", "product": "q", "data": {"name": "q", "schema_version": 1, "x": 1}},
     "Invalid Blob"),
])
def test_given_a_bad_new_change_when_scheduled_then_400(app_client, world, body, detail):
    """Upstream: testAddScheduledChangeRejectsScId; the other refusals are ``create_scheduled_change``'s own
    (auslib/web/admin/views/releases.py) and the blob schema's."""
    response = _schedule(app_client, world["bill"], **body)
    assert response.status_code == 400, response.body
    assert _json(response)["detail"] == detail


def test_given_a_blob_sent_as_an_object_when_scheduled_then_400_as_a_string_is_required(app_client, world):
    """Balrog's ``ReleaseDataField``: ``data`` is a JSON string; connexion refuses an object with 400."""
    body = {"when": now_ms() + LATER, "change_type": "insert", "name": "q", "product": "q", "data": _blob("q")}
    response = _post(app_client, world["bill"], "/scheduled_changes/releases", body)
    assert response.status_code == 400
    assert "is not of type 'string'" in _json(response)["detail"]


def test_given_a_read_only_release_when_a_data_change_is_scheduled_then_400_failed_to_schedule(app_client, world):
    """Balrog's ``create_scheduled_change`` answers the base table's ReadOnlyError as 400 with the error in
    ``data``."""
    response = _schedule(app_client, world["bill"], change_type="update", name="z", product="z", data_version=2,
                         data=_blob("z", extv="9"))
    assert response.status_code == 400
    assert _json(response)["detail"] == "Failed to schedule change - Release 'z' is read only"
    assert _json(response)["data"] == ["Release 'z' is read only"]


def test_given_a_read_only_release_when_making_it_writable_is_scheduled_then_its_blob_is_kept(app_client, world):
    """Upstream: testAddScheduledChangeUpdateToReadWrite — ``read_only: false`` without data copies the blob."""
    response = _schedule(app_client, world["bill"], change_type="update", name="z", read_only=False, data_version=2)
    assert response.status_code == 200, response.body
    shown = _json(_get(app_client, world["bill"], f"/scheduled_changes/releases/{_json(response)['sc_id']}"))
    assert shown["scheduled_change"]["read_only"] is False
    assert shown["scheduled_change"]["data"] == _blob("z")


def test_given_an_unknown_sc_id_when_modified_then_404(app_client, world):
    """Upstream: testUpdateScheduledUnknownScheduledChangeID."""
    response = _post(app_client, world["bill"], "/scheduled_changes/releases/98765432",
                     {"data": json.dumps(_blob("a", extv="3.0")), "name": "a", "data_version": 1,
                      "sc_data_version": 1, "when": now_ms() + LATER, "change_type": "update"})
    assert response.status_code == 404


def test_given_an_update_when_modified_then_new_version_and_the_schedulers_signoff(app_client, world, scheduled):
    """Upstream: testUpdateScheduledChangeExistingRelease."""
    when = now_ms() + 2 * LATER
    response = _post(app_client, world["bill"], "/scheduled_changes/releases/2",
                     {"data": json.dumps(_blob("a", extv="3.0")), "name": "a", "data_version": 1,
                      "sc_data_version": 1, "when": when, "change_type": "update"})
    assert response.status_code == 200, response.body
    assert _json(response) == {"new_data_version": 2, "signoffs": {"bill": "releng"}}
    shown = _json(_get(app_client, world["bill"], "/scheduled_changes/releases/2"))["scheduled_change"]
    assert shown["data"] == _blob("a", extv="3.0") and shown["when"] == when and shown["sc_data_version"] == 2


def test_given_an_update_when_another_user_modifies_it_then_they_schedule_it_and_sign_alone(
        app_client, world, scheduled):
    """Upstream: testUpdateScheduleChangeExistingReleaseDiffUserResetSignOffs."""
    response = _post(app_client, world["julie"], "/scheduled_changes/releases/2",
                     {"data": json.dumps(_blob("a", extv="3.0")), "name": "a", "data_version": 1,
                      "sc_data_version": 1, "when": now_ms() + LATER, "change_type": "update"})
    assert response.status_code == 200, response.body
    assert _json(response) == {"new_data_version": 2, "signoffs": {"julie": "releng"}}
    shown = _json(_get(app_client, world["bill"], "/scheduled_changes/releases/2"))["scheduled_change"]
    assert shown["scheduled_by"] == "julie"


def test_given_a_signed_delete_when_modified_then_only_the_modifiers_signoff_stays(app_client, world, scheduled):
    """Upstream: testUpdateScheduledChangeExistingReleaseResetSignOffs and testUpdateScheduledChangeExisting-
    DeleteRelease (a name sent for a delete is ignored)."""
    for user, role in (("bill", "releng"), ("mary", "relman")):
        signed = _post(app_client, world[user], "/scheduled_changes/releases/3/signoffs", {"role": role})
        assert signed.status_code == 200
    response = _post(app_client, world["bill"], "/scheduled_changes/releases/3",
                     {"name": "c", "data_version": 1, "sc_data_version": 1, "when": now_ms() + LATER,
                      "change_type": "delete"})
    assert response.status_code == 200, response.body
    assert _json(response) == {"new_data_version": 2, "signoffs": {"bill": "releng"}}
    assert _json(_get(app_client, world["bill"], "/scheduled_changes/releases/3"))["scheduled_change"]["name"] == "ab"


def test_given_a_new_release_change_when_renamed_then_the_new_name_is_the_one_claimed(app_client, world, scheduled):
    """Upstream: testUpdateScheduledChangeNewRelease and testUpdateScheduledChangeNewReleaseChangeName."""
    response = _post(app_client, world["bill"], "/scheduled_changes/releases/1",
                     {"data": json.dumps(_blob("mm", appv="4.0")), "name": "mm", "product": "mm",
                      "sc_data_version": 1, "change_type": "insert"})
    assert response.status_code == 200, response.body
    assert _json(response) == {"new_data_version": 2, "signoffs": {}}
    shown = _json(_get(app_client, world["bill"], "/scheduled_changes/releases/1"))["scheduled_change"]
    assert (shown["name"], shown["product"], shown["data"]) == ("mm", "mm", _blob("mm", appv="4.0"))
    again = _schedule(app_client, world["bill"], change_type="insert", name="mm", product="mm", data=_blob("mm"))
    assert (again.status_code, _json(again)["detail"]) == (400, "ChangeScheduledError")
    freed = _schedule(app_client, world["bill"], change_type="insert", name="m", product="m", data=_blob("m"))
    assert freed.status_code == 200, freed.body


def test_given_a_completed_change_when_modified_then_400(app_client, world, scheduled):
    """Upstream: testUpdateCompletedScheduledChangeDeleteRelease and ...UpdatingTheRelease."""
    assert _post(app_client, world["bill"], "/scheduled_changes/releases/1/enact").status_code == 200
    response = _post(app_client, world["bill"], "/scheduled_changes/releases/1",
                     {"data": json.dumps(_blob("m", extv="3.0")), "sc_data_version": 2, "change_type": "insert"})
    assert response.status_code == 400


def test_given_a_change_when_deleted_then_gone(app_client, world, scheduled):
    """Upstream: testDeleteScheduledChange."""
    response = app_client.http.delete(f"{API}/scheduled_changes/releases/2?data_version=1", headers=world["bill"])
    assert response.status_code == 200, response.body
    assert _get(app_client, world["bill"], "/scheduled_changes/releases/2").status_code == 404


def test_given_signed_changes_when_enacted_then_the_release_is_updated_created_and_deleted(
        app_client, world, scheduled):
    """Upstream: testEnactScheduledChangeExistingRelease, testEnactScheduledChangeNewRelease and
    testEnactScheduledChangeDeleteRelease."""
    bill = world["bill"]
    for sc_id in (1, 2, 3):
        response = _post(app_client, bill, f"/scheduled_changes/releases/{sc_id}/enact")
        assert response.status_code == 200, response.body
    assert _json(app_client.http.get(f"{API}/releases/a", headers=bill)) == _blob("a", extv="2.0")
    assert app_client.http.get(f"{API}/releases/a", headers=bill).headers["X-Data-Version"] == "2"
    assert _json(app_client.http.get(f"{API}/releases/m", headers=bill)) == _blob("m")
    assert app_client.http.get(f"{API}/releases/ab", headers=bill).status_code == 404
    done = _json(_get(app_client, bill, "/scheduled_changes/releases?all=1"))
    assert [(c["sc_id"], c["complete"], c["sc_data_version"]) for c in done["scheduled_changes"]] == [
        (1, True, 2), (2, True, 2), (3, True, 2)]
    assert _json(_get(app_client, bill, "/scheduled_changes/releases")) == {"count": 0, "scheduled_changes": []}


def test_given_a_read_only_release_mapped_by_a_gated_rule_when_made_writable_then_its_rules_signoffs(
        app_client, world):
    """Upstream: testEnactScheduledChangeUpdateReadWrite — the blob and product stay, the flag goes."""
    refused = _schedule(app_client, world["bob"], change_type="update", name="z", read_only=False, data_version=2)
    assert refused.status_code == 403  # bob may set the flag on a and b, not unset it on z
    response = _schedule(app_client, world["bill"], change_type="update", name="z", read_only=False, data_version=2)
    sc_id = _json(response)["sc_id"]
    shown = _json(_get(app_client, world["bill"], f"/scheduled_changes/releases/{sc_id}"))["scheduled_change"]
    assert shown["required_signoffs"] == {"releng": 1, "relman": 1}
    for user, role in (("bill", "releng"), ("mary", "relman")):
        _post(app_client, world[user], f"/scheduled_changes/releases/{sc_id}/signoffs", {"role": role})
    assert _post(app_client, world["bill"], f"/scheduled_changes/releases/{sc_id}/enact").status_code == 200
    bill = world["bill"]
    assert _json(app_client.http.get(f"{API}/releases/z/read_only", headers=bill)) == {"read_only": False}
    assert _json(app_client.http.get(f"{API}/releases/z", headers=bill)) == _blob("z")


def test_given_a_read_only_release_no_rule_maps_when_made_writable_then_its_products_signoffs(app_client, world):
    """Upstream: testEnactScheduledChangesUpdateReadWrite_RequiredSignoffsForProduct and ..._NoSignoffsGiven."""
    bill = world["bill"]
    sc_id = _json(_schedule(app_client, bill, change_type="update", name="ZA", read_only=False,
                            data_version=2))["sc_id"]
    shown = _json(_get(app_client, bill, f"/scheduled_changes/releases/{sc_id}"))["scheduled_change"]
    assert shown["required_signoffs"] == {"releng": 2, "relman": 1}
    refused = _post(app_client, bill, f"/scheduled_changes/releases/{sc_id}/enact")
    assert (refused.status_code, _json(refused)["detail"]) == (400, "Signoff Required")
    assert _json(app_client.http.get(f"{API}/releases/ZA/read_only", headers=bill)) == {"read_only": True}
    for user, role in (("bill", "releng"), ("julie", "releng"), ("mary", "relman")):
        assert _post(app_client, world[user], f"/scheduled_changes/releases/{sc_id}/signoffs",
                     {"role": role}).status_code == 200
    assert _post(app_client, bill, f"/scheduled_changes/releases/{sc_id}/enact").status_code == 200
    assert _json(app_client.http.get(f"{API}/releases/ZA/read_only", headers=bill)) == {"read_only": False}


def test_given_a_completed_change_when_its_revisions_are_read_then_each_version_with_its_blob(
        app_client, world, scheduled):
    """Upstream: testGetScheduledChangeHistoryRevisions — newest first, ``sc_data_version`` per version."""
    _post(app_client, world["bill"], "/scheduled_changes/releases/2/enact")
    response = _get(app_client, world["bill"], "/scheduled_changes/releases/2/revisions")
    assert response.status_code == 200, response.body
    revisions = _json(response)
    assert revisions["count"] == 2
    assert [(r["sc_data_version"], r["complete"]) for r in revisions["revisions"]] == [(2, True), (1, False)]
    newest = revisions["revisions"][0]
    assert {k: newest[k] for k in ("sc_id", "scheduled_by", "change_type", "data_version", "name", "product",
                                   "data", "read_only", "when", "changed_by")} == {
        "sc_id": 2, "scheduled_by": "bill", "change_type": "update", "data_version": 1, "name": "a",
        "product": "a", "data": _blob("a", extv="2.0"), "read_only": False, "when": scheduled, "changed_by": "bill"}
    assert isinstance(newest["change_id"], int) and isinstance(newest["timestamp"], int)


def test_given_signoffs_when_given_refused_and_revoked_then_as_balrog(app_client, world, scheduled):
    """Upstream: testSignoffWithPermission, testSignoffWithoutPermission, testSignoffWithoutRole,
    testRevokeSignoff."""
    bill = world["bill"]
    assert _post(app_client, bill, "/scheduled_changes/releases/1/signoffs", {"role": "qa"}).status_code == 200
    assert _post(app_client, bill, "/scheduled_changes/releases/1/signoffs", {"role": "relman"}).status_code == 403
    assert _post(app_client, bill, "/scheduled_changes/releases/1/signoffs", {"lorem": "random"}).status_code == 400
    assert _json(_get(app_client, bill, "/scheduled_changes/releases/1"))["scheduled_change"]["signoffs"] == {
        "bill": "qa"}
    revoked = app_client.http.delete(f"{API}/scheduled_changes/releases/2/signoffs", headers=bill)
    assert revoked.status_code == 200
    assert _json(_get(app_client, bill, "/scheduled_changes/releases/2"))["scheduled_change"]["signoffs"] == {}


def test_given_a_release_with_a_pending_change_when_deleted_directly_then_400_change_scheduled(
        app_client, world, scheduled):
    """Upstream: tests/test_db.py TestScheduledChangesTable.testBaseTableDeletesFailsWithScheduledChange — any
    base table's row with an incomplete scheduled change is not deleted (``AUSTable.delete``)."""
    response = app_client.http.delete(f"{API}/releases/ab?data_version=1", headers=world["bill"])
    assert response.status_code == 400
    assert _json(response)["detail"] == "ChangeScheduledError"
    assert app_client.http.get(f"{API}/releases/ab", headers=world["bill"]).status_code == 200


def test_given_a_pending_blob_change_when_the_blob_is_written_directly_then_400_update_merge_error(
        app_client, world):
    """Upstream: tests/test_db.py TestScheduledChangesTable.testMergeUpdateWithConflict — Balrog's ``mergeUpdate``
    refuses a direct change of a column the pending change also changes (d: no rule gates it)."""
    made = _schedule(app_client, world["bill"], change_type="update", name="d", product="d", data_version=1,
                     data=_blob("d", extv="2.0"))
    assert made.status_code == 200, made.body
    response = app_client.http.put(f"{API}/releases/d", headers=world["bill"], body=json.dumps(
        {"name": "d", "product": "d", "data_version": 1, "blob": json.dumps(_blob("d", appv="9"))}))
    assert (response.status_code, _json(response)["detail"]) == (400, "UpdateMergeError")
    assert _json(app_client.http.get(f"{API}/releases/d", headers=world["bill"])) == _blob("d")


def test_given_a_pending_flag_change_when_the_blob_is_written_directly_then_it_is_carried_into_the_change(
        app_client, world):
    """Upstream: tests/test_db.py testMergeUpdateForDeleteScheduledChange and testMergeDontChangeScheduledby —
    a column the pending change leaves alone is merged into it with the new data_version, and enacting it
    later keeps the direct write."""
    bill = world["bill"]
    # given
    made = _schedule(app_client, bill, change_type="update", name="b", read_only=True, data_version=1)
    sc_id = _json(made)["sc_id"]
    # when
    written = app_client.http.put(f"{API}/releases/b", headers=bill, body=json.dumps(
        {"name": "b", "product": "b", "data_version": 1, "blob": json.dumps(_blob("b", appv="9"))}))
    assert written.status_code == 200, written.body
    # then
    shown = _json(_get(app_client, bill, f"/scheduled_changes/releases/{sc_id}"))["scheduled_change"]
    assert (shown["data"], shown["data_version"], shown["sc_data_version"]) == (_blob("b", appv="9"), 2, 2)
    assert shown["scheduled_by"] == "bill"
    assert _post(app_client, bill, f"/scheduled_changes/releases/{sc_id}/enact").status_code == 200
    assert _json(app_client.http.get(f"{API}/releases/b", headers=bill)) == _blob("b", appv="9")
    assert _json(app_client.http.get(f"{API}/releases/b/read_only", headers=bill)) == {"read_only": True}


def test_given_a_release_update_when_its_diff_is_read_then_current_against_scheduled(app_client, world, scheduled):
    """Upstream: testReleasesScheduledChangeViewDiff (views/releases.get_scheduled_change_diff): text, the current
    blob against the scheduled one."""
    response = app_client.http.get(f"{API}/scheduled_change/diff/release/2", headers=world["bill"])
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    text = response.body.decode()
    assert "--- Current Version (Data Version 1)" in text and "+++ Scheduled Update (sc_id 2)" in text
    assert '+  "extv": "2.0",' in text
    assert app_client.http.get(f"{API}/scheduled_change/diff/release/99", headers=world["bill"]).status_code == 404
