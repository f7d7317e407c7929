"""Pushlog reference endpoints: list, branches, db_size, not_referenced."""

from __future__ import annotations

import json
import time

from chalicelib import config
from chalicelib.store import pushes
from tests.support.pushlog_data import make_push

NOW = int(time.time())
DAY = 86400


def _store(branch: str, push: dict):
    return pushes.store(branch, push["push_id"], push["date"], push["user"], push["changesets"])[0]


def test_list_returns_pushes_of_the_window_keyed_by_pushlog_id(app_client, inbound):
    recent = _store("Mozilla-Inbound", make_push(2, NOW - 3600, revisions=3))
    _store("Mozilla-Inbound", make_push(1, NOW - 10 * DAY))
    body = app_client.http.get("/refdata/pushlog/list?days_ago=1").json_body
    assert body == {str(recent.pushlog_id): {
        "branch_name": "Mozilla-Inbound", "push_id": 2, "date": recent.date,
        "revisions": [c["node"][:12] for c in recent.changesets]}}


def test_list_numdays_bounds_the_window(app_client, inbound):
    _store("Mozilla-Inbound", make_push(1, NOW - 10 * DAY))
    _store("Mozilla-Inbound", make_push(2, NOW - 5 * DAY))
    body = app_client.http.get("/refdata/pushlog/list?days_ago=11&numdays=2").json_body
    assert [v["push_id"] for v in body.values()] == [1]


def test_list_filters_by_branch_names_including_alternatives(app_client, inbound):
    from chalicelib.store import branches

    branches.put("Try", "try")
    _store("Mozilla-Inbound", make_push(1, NOW - 60))
    _store("Try", make_push(1, NOW - 60, seed="try"))
    body = app_client.http.get("/refdata/pushlog/list?days_ago=1&branches=Mozilla-Inbound-Non-PGO").json_body
    assert {v["branch_name"] for v in body.values()} == {"Mozilla-Inbound"}
    both = app_client.http.get("/refdata/pushlog/list?days_ago=1&branches=Try,Mozilla-Inbound").json_body
    assert {v["branch_name"] for v in both.values()} == {"Mozilla-Inbound", "Try"}


def test_list_is_also_served_under_a_project(app_client, talos, inbound):
    _store("Mozilla-Inbound", make_push(1, NOW - 60))
    assert len(app_client.http.get("/talos/refdata/pushlog/list?days_ago=1").json_body) == 1


def test_list_without_days_ago_is_400(app_client, inbound):
    response = app_client.http.get("/refdata/pushlog/list")
    assert response.status_code == 400
    assert "days_ago" in response.json_body["message"]


def test_list_with_a_non_integer_days_ago_is_400(app_client, inbound):
    assert app_client.http.get("/refdata/pushlog/list?days_ago=x").status_code == 400


def test_list_with_an_unknown_branch_is_404(app_client, inbound):
    response = app_client.http.get("/refdata/pushlog/list?days_ago=1&branches=Nope")
    assert response.status_code == 404
    assert response.json_body == {"status": "Unknown branch 'Nope'"}


def test_branches_lists_branch_names(app_client, inbound):
    from chalicelib.store import branches

    branches.put("Firefox", "mozilla-central")
    assert app_client.http.get("/refdata/pushlog/branches").json_body == ["Firefox", "Mozilla-Inbound"]


def test_pushlog_db_size_reports_megabytes(app_client, inbound):
    body = app_client.http.get("/refdata/pushlog/db_size").json_body
    assert body[0]["db_name"] == "pushlog" and "size_mb" in body[0]


def test_not_referenced_splits_pushes_by_matching_test_run(app_client, upload, pump, inbound, talos_blob):
    tested = _store("Mozilla-Inbound", make_push(1, NOW - 60))
    untested = _store("Mozilla-Inbound", make_push(2, NOW - 30))
    talos_blob["test_build"]["revision"] = tested.changesets[-1]["node"][:12]
    upload(json.dumps(talos_blob))
    pump.drain(config.queue_name(config.PROCESSING_QUEUE))
    body = app_client.http.get("/talos/refdata/pushlog/not_referenced?days_ago=1").json_body
    with_run = body["with_matching_test_run"]["Mozilla-Inbound"]["pushlogs"]
    without = body["without_matching_test_run"]["Mozilla-Inbound"]["pushlogs"]
    assert [p["push_id"] for p in with_run] == [1]
    assert [p["push_id"] for p in without] == [2]
    assert without[0]["revisions"] == [c["node"][:12] for c in untested.changesets]


def test_not_referenced_needs_days_ago(app_client, talos, inbound):
    assert app_client.http.get("/talos/refdata/pushlog/not_referenced").status_code == 400
