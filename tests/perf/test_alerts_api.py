"""Alerts end to end on moto: detection after the metrics, listing with filters, triage with credentials."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from chalicelib import config
from chalicelib.perf import alerts
from chalicelib.perf.alerts import Detection
from chalicelib.perf.series import SeriesGroup
from chalicelib.services.perf import alerts_job
from chalicelib.store import alerts as alerts_store
from chalicelib.store import pushes
from chalicelib.store.alerts import AlertRecord
from tests.support.datazilla_data import DEV_KEY, DEV_SECRET, HOST, talos_run
from tests.support.oauth_signing import python_oauth2_header, requests_oauthlib_header
from tests.support.perf_series import BASE_DATE, BRANCH, INBOUND, seed
from tests.support.pushlog_data import make_push


@pytest.fixture
def regressed(talos):
    """30 pushes on Mozilla-Inbound; a.com regresses 20 % at the 16th; alerts detected."""
    runs = seed()
    alerts_job.detect(INBOUND)
    return runs


def _only_alert() -> AlertRecord:
    [alert] = [a for a in AlertRecord.query("talos") if not a.alert_id.startswith(alerts_store.SUMMARY_PREFIX)]
    return alert


def test_detection_stores_an_untriaged_regression_on_the_push_that_caused_it(regressed):
    alert = _only_alert()
    assert (alert.page, int(alert.push_id), int(alert.prev_push_id)) == ("a.com", 16, 15)
    assert alert.revision == regressed[15]["revision"]
    assert alert.status == "untriaged" and alert.direction == "regression"
    assert 15 < alert.magnitude < 25 and alert.confidence > 0.99
    assert alert.group_key == INBOUND.key and alert.test_name == "Talos tp5n"


def test_detecting_again_writes_nothing_new(regressed, aws_calls):
    before = [a.attribute_values for a in AlertRecord.query("talos")]
    aws_calls.clear()
    alerts_job.detect(INBOUND)
    writes = [op for _, op in aws_calls if op in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem")]
    assert writes == []
    assert [a.attribute_values for a in AlertRecord.query("talos")] == before


def test_a_triaged_alert_keeps_its_status_when_detection_runs_again(regressed):
    alert = _only_alert()
    alerts_store.triage("talos", alert.alert_id, "acknowledged", "admin", None)
    alerts_job.detect(INBOUND)
    assert _only_alert().status == "acknowledged"


def test_an_alert_raised_before_late_runs_arrived_is_withdrawn_once_they_show_no_change(regressed):
    """Given an untriaged alert on push 22, raised while pushes 17-21 had not arrived (runs out of push order),
    when detection runs on the whole series (fewer runs than its window: nothing further back to wait for),
    then the alert the full series does not show is withdrawn and the real one stays."""
    real = _only_alert()
    stale = Detection("a.com", 22, 22, BASE_DATE + 22 * 600, regressed[21]["revision"], 16,
                      100.0, 120.0, 20.0, "regression", 0.99, ("edivisive",))
    assert alerts_store.create(INBOUND, stale)
    alerts_job.detect(INBOUND)
    assert [a.alert_id for a in AlertRecord.query("talos")
            if not a.alert_id.startswith(alerts_store.SUMMARY_PREFIX)] == [real.alert_id]


def test_the_metrics_worker_raises_the_alert_from_uploaded_runs(upload, pump, talos_blob, inbound):
    # given 16 pushes, b.com 25 % slower from the 9th on, each run uploaded and pumped as in production
    nodes = []
    for push_id in range(1, 17):
        push = make_push(push_id, BASE_DATE + push_id * 600)
        pushes.store(BRANCH, push_id, push["date"], push["user"], push["changesets"])
        nodes.append(push["changesets"][-1]["node"])
    for i, node in enumerate(nodes):
        means = {"a.com": 100.0, "b.com": 250.0 if i >= 8 else 200.0}
        assert upload(talos_run(talos_blob, node, means, seed=i, date=BASE_DATE + i)).status_code == 200
        pump.drain(config.queue_name(config.PROCESSING_QUEUE))
        pump.drain(config.queue_name(config.METRICS_QUEUE))
    # then one regression alert sits on the 9th push of b.com
    alert = _only_alert()
    assert (alert.page, int(alert.push_id), alert.direction) == ("b.com", 9, "regression")
    assert alert.revision == nodes[8][:12]


# --- listing ---------------------------------------------------------------------------------------


def _list(app_client, query: str = "") -> dict:
    response = app_client.http.get(f"/talos/alerts/{query}")  # as the issue writes it; no slash works too
    assert response.status_code == 200, response.body
    return json.loads(response.body)


def test_alerts_are_listed_with_their_series_push_and_numbers(app_client, regressed):
    [alert] = _list(app_client)["alerts"]
    assert alert["series"] == INBOUND.key and alert["page"] == "a.com" and alert["push_id"] == 16
    assert alert["branch"] == BRANCH and alert["test"] == "Talos tp5n"
    assert alert["platform"] == {"os": "linux", "osversion": "Fedora 12", "processor": "x86_64", "build_type": "opt"}
    assert set(alert) >= {"id", "revision", "push_date", "prev_value", "new_value", "magnitude", "direction",
                          "confidence", "status", "detectors"}


FILTERS = [
    ("?branch=Mozilla-Inbound", 1), ("?branch=Try", 0), ("?test=Talos%20tp5n", 1), ("?test=Talos%20tsvg", 0),
    ("?branch=Mozilla-Inbound&test=Talos%20tp5n&status=untriaged", 1), ("?status=invalid", 0),
    ("?branch=Mozilla-Inbound&status=untriaged", 1), ("?test=Talos%20tp5n&status=invalid", 0),
    (f"?since={BASE_DATE + 16 * 600}", 1), (f"?since={BASE_DATE + 16 * 600 + 1}", 0),
]


def test_each_filter_narrows_the_listing(app_client, regressed):
    found = {query: len(_list(app_client, query)["alerts"]) for query, _ in FILTERS}
    assert found == dict(FILTERS)


def test_pages_follow_the_cursor_newest_first(app_client, talos):
    seed(steps={"a.com": 1.2, "b.com": 0.8, "c.com": 1.3})
    alerts_job.detect(INBOUND)
    first = _list(app_client, "?limit=2")
    assert len(first["alerts"]) == 2 and first["next"]
    rest = _list(app_client, f"?limit=2&cursor={first['next']}")
    assert len(rest["alerts"]) == 1 and rest["next"] is None
    pages = {a["page"] for a in first["alerts"] + rest["alerts"]}
    assert pages == {"a.com", "b.com", "c.com"}


@pytest.mark.parametrize("query, message", [
    ("?status=done", "'status' must be one of"), ("?since=yesterday", "'since' must be an integer"),
    ("?limit=0", "'limit' must be between 1 and 1000"), ("?cursor=bm9wZQ", "not a cursor"),
])
def test_bad_filters_are_a_400_in_datazillas_format(app_client, talos, query, message):
    response = app_client.http.get(f"/talos/alerts{query}")
    assert response.status_code == 400
    assert message in json.loads(response.body)["message"]


def test_an_unknown_project_has_no_alerts(app_client, aws):
    response = app_client.http.get("/nosuch/alerts")
    assert response.status_code == 404 and json.loads(response.body) == {"status": "Unknown project 'nosuch'"}


def test_listing_costs_the_same_calls_whatever_the_number_of_alerts(app_client, regressed, aws_calls):
    def calls() -> int:
        aws_calls.clear()
        assert len(_list(app_client, "?branch=Mozilla-Inbound&test=Talos%20tp5n&status=untriaged")["alerts"]) == 1
        return len([op for service, op in aws_calls if service == "dynamodb"])

    calls()  # a warm container, as every request after its first finds it: the project is cached (60 s)
    small = calls()
    # then 60 more alerts on other branches, tests and statuses
    [known] = alerts_store.of_group(INBOUND.key)
    detection = Detection("a.com", 5, 5, BASE_DATE, "r", 4, 100.0, 120.0, 20.0, "regression", 0.99, ())
    for n in range(60):
        group = SeriesGroup("talos", ("Try", "Fx-Team", BRANCH)[n % 3], "Firefox", "linux", "Fedora 12", "x86_64",
                            "opt", "Talos tp5n" if n % 3 else f"Talos t{n}")
        alerts_store.create(group, replace(detection, page=f"p{n}.com", push_id=100 + n))
        if n % 3 == 2:
            alerts_store.triage("talos", alerts.alert_id(group.key, f"p{n}.com", 100 + n), "invalid", "x", None)
    assert len(list(AlertRecord.query("talos", AlertRecord.alert_id < alerts_store.SUMMARY_PREFIX))) \
        == 61 and known["status"] == "untriaged"
    assert calls() == small


# --- triage ----------------------------------------------------------------------------------------


def _put(app_client, alert_id: str, body, headers: dict | None = None):
    text = body if isinstance(body, str) else json.dumps(body)
    return app_client.http.put(f"/talos/alerts/{alert_id}", body=text,
                               headers={"Content-Type": "application/json", "Host": HOST, **(headers or {})})


def test_an_admin_bearer_token_triages_an_alert(app_client, regressed, balrog_admin):
    alert = _only_alert()
    response = _put(app_client, alert.alert_id, {"status": "acknowledged", "note": "bug 123"}, balrog_admin)
    assert response.status_code == 200, response.body
    shown = json.loads(response.body)
    assert (shown["status"], shown["triaged_by"], shown["note"]) == ("acknowledged", "admin", "bug 123")
    assert _list(app_client, "?status=acknowledged")["alerts"][0]["id"] == alert.alert_id
    assert _list(app_client, "?status=untriaged")["alerts"] == []


def test_the_projects_oauth_credentials_triage_an_alert(app_client, regressed):
    # given a triage signed by python-oauth2 (Datazilla's signer), which hashes the JSON body into the signature
    alert = _only_alert()
    body = json.dumps({"status": "invalid"})
    header = python_oauth2_header(f"http://{HOST}/talos/alerts/{alert.alert_id}", "PUT", body, DEV_KEY, DEV_SECRET)
    # when it is sent, then it triages the alert in the project's name
    response = _put(app_client, alert.alert_id, body, {"Authorization": header})
    assert response.status_code == 200, response.body
    assert json.loads(response.body)["triaged_by"] == f"oauth:{DEV_KEY}"


def test_an_oauth_signed_json_body_without_its_body_hash_is_403(app_client, regressed):
    # given a valid OAuth signature that does not cover the JSON body: requests-oauthlib signs a body that is
    # not a form without oauth_body_hash
    alert = _only_alert()
    body = json.dumps({"status": "invalid"})
    header = requests_oauthlib_header(f"http://{HOST}/talos/alerts/{alert.alert_id}", "PUT", body, DEV_KEY,
                                      DEV_SECRET)
    # when it is sent, then it is refused: anyone on the path could have written that body
    response = _put(app_client, alert.alert_id, body, {"Authorization": header})
    assert response.status_code == 403 and json.loads(response.body) == {"status": "Oauth verification error."}
    assert _only_alert().status == "untriaged"


def test_a_json_body_changed_after_signing_is_403(app_client, regressed):
    # given a triage signed over one body
    alert = _only_alert()
    url = f"http://{HOST}/talos/alerts/{alert.alert_id}"
    header = python_oauth2_header(url, "PUT", json.dumps({"status": "acknowledged"}), DEV_KEY, DEV_SECRET)
    # when it is sent with another body, then the body hash refuses it
    response = _put(app_client, alert.alert_id, {"status": "invalid"}, {"Authorization": header})
    assert response.status_code == 403 and json.loads(response.body) == {"status": "Oauth verification error."}
    assert _only_alert().status == "untriaged"


def test_triage_without_credentials_is_401(app_client, regressed):
    response = _put(app_client, _only_alert().alert_id, {"status": "invalid"})
    assert response.status_code == 401
    assert json.loads(response.body)["status"] == "No credentials provided."
    assert _only_alert().status == "untriaged"


def test_an_unknown_bearer_token_is_401(app_client, regressed):
    response = _put(app_client, _only_alert().alert_id, {"status": "invalid"}, {"Authorization": "Bearer nope"})
    assert response.status_code == 401 and json.loads(response.body) == {"status": "Unknown bearer token."}


def test_a_user_without_the_admin_permission_is_403(app_client, regressed, balrog_user):
    headers = balrog_user("releaser", release=None)
    response = _put(app_client, _only_alert().alert_id, {"status": "invalid"}, headers)
    assert response.status_code == 403 and json.loads(response.body)["status"] == "Permission denied"
    assert _only_alert().status == "untriaged"


def test_a_bad_oauth_signature_is_403(app_client, regressed):
    alert = _only_alert()
    body = json.dumps({"status": "invalid"})
    header = python_oauth2_header(f"http://{HOST}/talos/alerts/{alert.alert_id}", "PUT", body, DEV_KEY,
                                  "not-the-secret")
    response = _put(app_client, alert.alert_id, body, {"Authorization": header})
    assert response.status_code == 403 and json.loads(response.body) == {"status": "Oauth verification error."}


def test_a_bad_triage_body_is_400(app_client, regressed, balrog_admin):
    for body in ({"status": "done"}, "{not json", [], {"status": "invalid", "extra": 1}):
        response = _put(app_client, _only_alert().alert_id, body, balrog_admin)
        assert response.status_code == 400, body
    assert _only_alert().status == "untriaged"


def test_triaging_an_unknown_alert_is_404(app_client, talos, balrog_admin):
    response = _put(app_client, "0123456789abcdef0123", {"status": "invalid"}, balrog_admin)
    assert response.status_code == 404
    assert json.loads(response.body) == {"status": "Unknown alert '0123456789abcdef0123'"}


# --- alert summaries (Perfherder's PerformanceAlertSummary: a push's alerts, triaged together) ---------------

def _summaries(app_client, query: str = "") -> dict:
    response = app_client.http.get(f"/talos/alertsummaries{query}")
    assert response.status_code == 200, response.body
    return json.loads(response.body)


def _put_summary(app_client, summary_id: str, body, headers: dict | None = None):
    text = body if isinstance(body, str) else json.dumps(body)
    return app_client.http.put(f"/talos/alertsummaries/{summary_id}", body=text,
                               headers={"Content-Type": "application/json", "Host": HOST, **(headers or {})})


def test_a_new_alert_opens_the_summary_of_its_push_which_shows_it(app_client, regressed):
    """treeherder/perf/alerts.py: an alert is created inside the summary of (repository, push, prev push)."""
    # given the detection of the regressed fixture
    alert = _only_alert()
    # when the project's summaries are listed and the alert's one is fetched
    [listed] = _summaries(app_client)["summaries"]
    response = app_client.http.get(f"/talos/alertsummaries/{listed['id']}")
    # then there is one untriaged summary, on the alert's push, holding the alert
    assert response.status_code == 200, response.body
    shown = json.loads(response.body)
    assert (shown["status"], shown["push_id"], shown["branch"]) == ("untriaged", int(alert.push_id), "Mozilla-Inbound")
    assert [a["id"] for a in shown["alerts"]] == [alert.alert_id] and shown["alerts"][0]["summary"] == listed["id"]
    assert shown["alerts"][0]["is_regression"] is True and shown["alerts"][0]["amount_abs"] > 0


def test_detecting_again_makes_no_second_summary(app_client, regressed):
    alerts_job.detect(INBOUND)
    assert len(_summaries(app_client)["summaries"]) == 1


@pytest.mark.parametrize("status", alerts.SUMMARY_STATUSES)
def test_every_perfherder_summary_status_is_settable(app_client, regressed, balrog_admin, status):
    """treeherder/perf/models.py PerformanceAlertSummary.STATUSES, less infra."""
    [listed] = _summaries(app_client)["summaries"]
    response = _put_summary(app_client, listed["id"], {"status": status, "note": "bug 1"}, balrog_admin)
    assert response.status_code == 200, response.body
    assert (json.loads(response.body)["status"], json.loads(response.body)["note"]) == (status, "bug 1")
    assert [s["id"] for s in _summaries(app_client, f"?status={status}")["summaries"]] == [listed["id"]]


def test_summary_triage_is_refused_without_credentials_with_a_bad_status_and_for_an_unknown_id(
        app_client, regressed, balrog_admin):
    [listed] = _summaries(app_client)["summaries"]
    assert _put_summary(app_client, listed["id"], {"status": "fixed"}).status_code == 401
    bad = _put_summary(app_client, listed["id"], {"status": "acknowledged"}, balrog_admin)  # an alert's status
    assert bad.status_code == 400 and "'status' must be one of" in json.loads(bad.body)["message"]
    assert _put_summary(app_client, "001300000000-0123456789ab", {"status": "fixed"}, balrog_admin).status_code == 404
    assert _put_summary(app_client, "not-an-id", {"status": "fixed"}, balrog_admin).status_code == 404
    assert app_client.http.get("/talos/alertsummaries?status=done").status_code == 400


def test_an_alert_takes_every_perfherder_alert_status(app_client, regressed, balrog_admin):
    """treeherder/perf/models.py PerformanceAlert.STATUSES, less infra; `fixed` belongs to summaries."""
    for status in alerts.STATUSES:
        assert _put(app_client, _only_alert().alert_id, {"status": status}, balrog_admin).status_code == 200
    assert _put(app_client, _only_alert().alert_id, {"status": "fixed"}, balrog_admin).status_code == 400
