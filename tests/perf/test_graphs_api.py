"""The graph page and its data, served by the app itself (Chalice test client on moto)."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from chalicelib.services.perf import alerts_job
from tests.support.perf_series import BRANCH, INBOUND, seed


@pytest.fixture
def graphed(talos):
    runs = seed()
    alerts_job.detect(INBOUND)
    return runs


def _get(app_client, path: str, status: int = 200):
    response = app_client.http.get(path)
    assert response.status_code == status, response.body
    return response


def test_the_page_is_html_naming_the_project_and_its_own_assets(app_client, talos):
    response = _get(app_client, "/talos/graphs")
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.body.decode()
    assert 'data-project="talos"' in page
    assert "/static/graphs/graphs.js" in page and "/static/graphs/graphs.css" in page
    assert "https://" not in page and "cdn" not in page.lower()


@pytest.mark.parametrize("name, kind", [("graphs.js", "application/javascript"), ("graphs.css", "text/css")])
def test_the_assets_are_served_with_their_types(app_client, aws, name, kind):
    response = _get(app_client, f"/static/graphs/{name}")
    assert response.headers["Content-Type"].startswith(kind) and len(response.body) > 500


def test_an_unknown_asset_or_project_is_404(app_client, aws):
    _get(app_client, "/static/graphs/secrets.py", 404)
    _get(app_client, "/static/graphs/..%2F..%2Fapp.py", 404)
    assert json.loads(_get(app_client, "/nosuch/graphs", 404).body) == {"status": "Unknown project 'nosuch'"}


def test_the_options_list_each_series_group_with_its_pages(app_client, graphed):
    [group] = json.loads(_get(app_client, "/talos/graphs/options").body)["series"]
    assert group == {"series": INBOUND.key, "branch": BRANCH, "product": "Firefox", "test": "Talos tp5n",
                     "platform": {"os": "linux", "osversion": "Fedora 12", "processor": "x86_64",
                                  "build_type": "opt"},
                     "pages": ["a.com", "b.com"]}


def test_a_series_has_its_points_with_their_pushes_and_its_alerts(app_client, graphed):
    body = json.loads(_get(app_client, f"/talos/graphs/series?series={quote(INBOUND.key)}&page=a.com").body)
    points = body["points"]
    assert len(points) == 30 and [p["push_id"] for p in points] == list(range(1, 31))
    first = points[0]
    assert first["revision"] == graphed[0]["revision"]
    changeset = graphed[0]["push"]["changesets"][-1]
    assert (first["author"], first["desc"]) == (changeset["author"], changeset["desc"])
    assert first["summary_url"] == f"/talos/testdata/metrics/{BRANCH}/{first['revision']}/summary"
    assert first["stddev"] is not None and first["trend_mean"] == 100.0
    [alert] = body["alerts"]
    assert (alert["push_id"], alert["page"], alert["direction"]) == (16, "a.com", "regression")
    other = json.loads(_get(app_client, f"/talos/graphs/series?series={quote(INBOUND.key)}&page=b.com").body)
    assert other["alerts"] == [] and len(other["points"]) == 30


def test_a_clicked_point_leads_to_a_summary_that_exists(app_client, graphed):
    body = json.loads(_get(app_client, f"/talos/graphs/series?series={quote(INBOUND.key)}&page=a.com").body)
    summary = json.loads(_get(app_client, body["points"][20]["summary_url"]).body)
    assert summary["push_data"]["push_id"] == 21


@pytest.mark.parametrize("query, status", [("", 400), ("?series=x", 400), ("?series=nope&page=a.com", 404),
                                           (f"?series={quote(INBOUND.key)}&page=a.com&runs=0", 400)])
def test_a_bad_series_request_is_an_error_in_datazillas_format(app_client, talos, query, status):
    assert "status" in json.loads(_get(app_client, f"/talos/graphs/series{query}", status).body)


def test_a_series_costs_the_same_calls_whatever_else_the_tables_hold(app_client, graphed, aws_calls):
    from chalicelib.perf.series import SeriesGroup

    def calls() -> int:
        aws_calls.clear()
        _get(app_client, f"/talos/graphs/series?series={quote(INBOUND.key)}&page=a.com")
        return len([op for service, op in aws_calls if service == "dynamodb"])

    calls()  # a warm container, as every request after its first finds it: the project is cached (60 s)
    small = calls()
    other = SeriesGroup("talos", "Try", "Firefox", "linux", "Fedora 12", "x86_64", "opt", "Talos tp5n")
    seed(other, steps={"a.com": 1.3, "b.com": 0.7})
    alerts_job.detect(other)
    assert calls() == small
