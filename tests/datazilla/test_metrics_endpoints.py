"""GET /<project>/testdata/metrics/<branch>/<revision>/ and its summary and pushlog views.

Data goes through the real path: pushes stored, blobs uploaded with revisions
of those pushes, the processing worker then the metrics worker drained. The
endpoints only read, so every test reads one world built once for the module
(``world``, below): building it per test would cost the file over a minute.
"""

from __future__ import annotations

import copy
import json
import statistics
from dataclasses import dataclass
from pathlib import Path

import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib import config
from chalicelib.local import resources
from chalicelib.store import branches, clients, projects, pushes, queues
from chalicelib.store.pushes import Changeset, ChangesetRecord, PushRecord
from tests.support.datazilla_data import DEV_KEY, DEV_SECRET, signed_upload
from tests.support.paths import FIXTURES
from tests.support.pushlog_data import make_push

BRANCH = "Mozilla-Inbound"
ALTERNATIVE = "Mozilla-Inbound-Non-PGO"
START = 1343674800
PLATFORM = "linux Fedora 12 x86_64"
PAGE_FIELDS = {"mean", "stddev", "p", "h0_rejected", "fdr", "trend_mean", "trend_stddev", "n_replicates",
               "pushlog_id", "push_date", "test_evaluation", "threshold_revision"}
TEMPLATE: dict = json.loads(Path(FIXTURES / "talos_tp5n.json").read_text())


def rev(push: pushes.Push) -> str:
    return push.tip[:12]


def blob_for(revision: str, date: int, shift: dict[str, float] | None = None, **build: str) -> dict:
    """The fixture blob moved to ``revision`` and ``date``; ``shift`` slows pages down by that much."""
    blob = copy.deepcopy(TEMPLATE)
    blob["test_build"]["revision"] = revision
    blob["test_build"].update(build)
    blob["testrun"]["date"] = date
    for page, delta in (shift or {}).items():
        blob["results"][page] = [v + delta for v in blob["results"][page]]
    return blob


@dataclass
class World:
    client: Client
    history: dict[int, pushes.Push]


def _load(client: Client, pump, *blobs: dict, metrics: bool = True) -> None:
    for blob in blobs:
        assert signed_upload(client, json.dumps(blob)).status_code == 200
    pump.drain(config.queue_name(config.PROCESSING_QUEUE))
    if metrics:
        pump.drain(config.queue_name(config.METRICS_QUEUE))


@pytest.fixture(scope="module")
def world():
    """Pushes 1..12 on Mozilla-Inbound (ten minutes apart) and, in one series, Firefox 17.0a1 runs:

    - push 1: the first run (a baseline); push 2: cnn.com 200 ms slower (fails);
    - push 3: also a Firefox 16.0a1 run (older) and a Fennec run;
    - push 4: a run named by the alternative branch name;
    - pushes 5, 6, 7: unremarkable runs; push 8: cnn.com with too few replicates;
    - push 12: a run loaded but whose metrics are not computed yet;
    - runs whose push is unknown: revision ffffffffffff, and a run on branch ``Nowhere``.
    """
    from app import app
    from chalicelib.local.pump import Pump

    clients.reset()
    queues.reset()
    with mock_aws():
        resources.deploy(visibility_timeout=1, max_receive_count=3)
        projects.create("talos", DEV_KEY, DEV_SECRET)
        branches.put(BRANCH, "integration/mozilla-inbound", [ALTERNATIVE])
        history = {}
        for push_id in range(1, 13):
            p = make_push(push_id, START + 600 * push_id)
            history[push_id] = pushes.store(BRANCH, push_id, p["date"], p["user"], p["changesets"])[0]

        def at(push_id: int, **changes) -> dict:
            return blob_for(rev(history[push_id]), START + 600 * push_id + 100, **changes)

        too_few = at(8)
        too_few["results"]["cnn.com"] = [400.0, 410.0]  # one replicate left after the tp5 warm-up drop
        with Client(app, stage_name="test") as client:
            pump = Pump(app, schedules=False)
            _load(client, pump,
                  at(1), at(2, shift={"cnn.com": 200.0}),
                  at(3), blob_for(rev(history[3]), START + 1, version="16.0a1"), at(3, name="Fennec"),
                  at(4, branch=ALTERNATIVE), at(5), at(6), at(7), too_few,
                  blob_for("ffffffffffff", START + 100), blob_for("8a3d4b6e7c21", START + 100, branch="Nowhere"))
            _load(client, pump, at(12), metrics=False)
            yield World(client, history)
    clients.reset()
    queues.reset()


@pytest.fixture
def history(world) -> dict[int, pushes.Push]:
    return world.history


@pytest.fixture
def app_client(world) -> Client:
    """The module's client (shadows conftest's, which would start a second, empty AWS)."""
    return world.client


def get(app_client, path: str):
    response = app_client.http.get(path)
    assert response.headers["Content-Type"] == "application/json"
    return response


def metrics_of(app_client, revision: str, query: str = "", branch: str = BRANCH) -> list[dict]:
    response = get(app_client, f"/talos/testdata/metrics/{branch}/{revision}/{query}")
    assert response.status_code == 200, response.body
    return response.json_body


# --- metrics/<branch>/<revision>/ -------------------------------------------------------------


def test_given_a_compared_run_when_read_then_it_has_the_datazilla_shape(app_client, history):
    [entry] = metrics_of(app_client, rev(history[2]))
    assert entry["test_machine"] == {"name": "talos-r3-fed-001", "os": "linux", "osversion": "Fedora 12",
                                     "platform": "x86_64"}
    assert entry["testrun"] == {"date": START + 1300, "suite": "Talos tp5n", "test_run_id": 2}
    assert entry["test_build"] == {"id": "20120730123456", "type": "opt", "version": "17.0a1", "name": "Firefox",
                                   "branch": BRANCH, "revision": rev(history[2])}
    assert entry["push_info"] == {"pushlog_id": history[2].pushlog_id, "push_date": history[2].date}
    assert sorted(entry["pages"]) == sorted(TEMPLATE["results"])
    page = entry["pages"]["amazon.com"]
    assert set(page) == PAGE_FIELDS
    assert page["threshold_revision"] == rev(history[1])
    assert page["n_replicates"] == 25
    assert (page["pushlog_id"], page["push_date"]) == (history[2].pushlog_id, history[2].date)


def test_given_a_compared_run_when_read_then_values_are_rounded_and_verdicts_are_booleans(app_client, history):
    [entry] = metrics_of(app_client, rev(history[2]))
    replicates = TEMPLATE["results"]["amazon.com"][1:]  # tp5: the warm-up replicate is dropped
    amazon, cnn = entry["pages"]["amazon.com"], entry["pages"]["cnn.com"]
    assert amazon["mean"] == round(statistics.mean(replicates), 1)
    assert amazon["stddev"] == round(statistics.stdev(replicates), 1)
    for page in entry["pages"].values():
        assert page["p"] == round(page["p"], 5)
        for name in ("mean", "stddev", "trend_mean", "trend_stddev"):
            assert page[name] is None or page[name] == round(page[name], 1)
        for name in ("h0_rejected", "fdr", "test_evaluation"):
            assert isinstance(page[name], bool)
    assert (cnn["h0_rejected"], cnn["fdr"], cnn["test_evaluation"]) == (True, True, False)
    assert cnn["trend_mean"] is None  # a failed page does not move the (still absent) trend
    assert amazon["test_evaluation"] is True and amazon["trend_mean"] is not None


def test_given_the_first_run_of_a_series_when_read_then_pages_are_baselines_without_verdict(app_client, history):
    [entry] = metrics_of(app_client, rev(history[1]))
    page = entry["pages"]["cnn.com"]
    assert set(page) == PAGE_FIELDS  # no "error": a baseline is not a failure
    assert page["mean"] is not None and page["n_replicates"] == 25
    assert all(page[name] is None for name in ("p", "h0_rejected", "fdr", "test_evaluation", "trend_mean",
                                                "trend_stddev", "threshold_revision"))


def test_given_a_page_that_cannot_be_compared_when_read_then_it_carries_its_error(app_client, history):
    page = metrics_of(app_client, rev(history[8]))[0]["pages"]["cnn.com"]
    assert page["error"] == "fewer than 2 replicates"
    assert (page["p"], page["n_replicates"], page["mean"]) == (None, 2, 410.0)


def test_given_no_product_filter_when_read_then_only_firefox_runs_are_shown(app_client, history):
    revision = rev(history[3])
    assert [e["test_build"]["name"] for e in metrics_of(app_client, revision)] == ["Firefox"]
    assert [e["test_build"]["name"] for e in metrics_of(app_client, revision, "?product=Fennec")] == ["Fennec"]
    both = metrics_of(app_client, revision, "?product=Firefox,Fennec")
    assert sorted(e["test_build"]["name"] for e in both) == ["Fennec", "Firefox"]


def test_given_no_branch_version_when_read_then_the_latest_version_on_the_branch_is_shown(app_client, history):
    revision = rev(history[3])
    assert [e["test_build"]["version"] for e in metrics_of(app_client, revision)] == ["17.0a1"]
    older = metrics_of(app_client, revision, "?branch_version=16.0a1")
    assert [e["test_build"]["version"] for e in older] == ["16.0a1"]


def test_each_filter_selects_runs_and_page_name_trims_pages(app_client, history):
    revision = rev(history[2])
    matching = {"os_name": "linux", "os_version": "Fedora 12", "processor": "x86_64", "build_type": "opt",
                "test_name": "Talos tp5n", "page_name": "cnn.com", "branch_version": "17.0a1"}
    for name, value in matching.items():
        assert len(metrics_of(app_client, revision, f"?{name}=nope,{value}")) == 1, name
        assert metrics_of(app_client, revision, f"?{name}=nope") == [], name
    [entry] = metrics_of(app_client, revision, "?page_name=cnn.com,bbc.co.uk")
    assert sorted(entry["pages"]) == ["bbc.co.uk", "cnn.com"]


@pytest.mark.parametrize("branch", [BRANCH, ALTERNATIVE])
def test_given_a_run_named_by_the_alternative_branch_when_read_by_either_name_then_it_is_found(
        app_client, history, branch):
    [entry] = metrics_of(app_client, rev(history[4]), branch=branch)
    assert entry["test_build"]["branch"] == ALTERNATIVE
    assert entry["pages"]["cnn.com"]["threshold_revision"] == rev(history[3])  # one series with the canonical runs


def test_given_a_run_of_the_canonical_name_when_read_by_the_alternative_name_then_it_is_found(app_client, history):
    assert [e["test_build"]["branch"] for e in metrics_of(app_client, rev(history[5]), branch=ALTERNATIVE)] == [BRANCH]


def test_given_a_run_whose_push_is_not_synced_when_read_then_each_page_says_so(app_client):
    response = get(app_client, f"/talos/testdata/metrics/{BRANCH}/ffffffffffff")
    assert response.status_code == 200
    [entry] = response.json_body
    assert entry["push_info"] is None
    assert len(entry["pages"]) == 10
    assert entry["pages"]["cnn.com"] == {"error": f"no push for revision ffffffffffff on branch {BRANCH} yet"}


def test_given_a_run_on_an_unknown_branch_when_read_then_each_page_says_so(app_client):
    [entry] = metrics_of(app_client, "8a3d4b6e7c21", branch="Nowhere")
    assert entry["push_info"] is None
    assert entry["pages"]["cnn.com"] == {"error": "no push for revision 8a3d4b6e7c21 on branch Nowhere yet"}


def test_given_a_linked_run_before_the_metrics_worker_when_read_then_pages_say_not_computed(app_client, history):
    [entry] = metrics_of(app_client, rev(history[12]))
    assert entry["push_info"] == {"pushlog_id": history[12].pushlog_id, "push_date": history[12].date}
    assert len(entry["pages"]) == 10
    assert all(page == {"error": "metrics not computed yet"} for page in entry["pages"].values())


@pytest.mark.parametrize("revision", ["ffffffffffff", "twelve"])
def test_given_runs_without_metrics_when_filtered_by_page_name_then_their_pages_are_trimmed(
        app_client, history, revision):
    """The page_name filter reads a run's page names; a run without metrics has no metrics item to take
    them from (the indexes leave them out, ``store.test_runs``), so they are read from its record."""
    revision = rev(history[12]) if revision == "twelve" else revision
    [entry] = metrics_of(app_client, revision, "?page_name=cnn.com,nope")
    assert list(entry["pages"]) == ["cnn.com"]
    assert "error" in entry["pages"]["cnn.com"]
    assert metrics_of(app_client, revision, "?page_name=nope") == []


def test_given_an_unknown_project_when_read_then_404(app_client):
    response = get(app_client, f"/nosuch/testdata/metrics/{BRANCH}/8a3d4b6e7c21/")
    assert response.status_code == 404
    assert response.json_body == {"status": "Unknown project 'nosuch'"}


# --- summary ----------------------------------------------------------------------------------


def summary_of(app_client, revision: str, query: str = "") -> dict:
    response = get(app_client, f"/talos/testdata/metrics/{BRANCH}/{revision}/summary{query}")
    assert response.status_code == 200, response.body
    return response.json_body


def test_given_one_failing_page_of_ten_when_summarised_then_counts_and_percents_match(app_client, history):
    body = summary_of(app_client, rev(history[2]))
    expected = {"pass": {"percent": 90, "value": 9}, "fail": {"percent": 10, "value": 1}, "total_tests": 10}
    assert body["summary"] == expected
    assert body["summary_by_platform"] == {PLATFORM: expected}
    assert body["summary_by_test"] == {"Talos tp5n": expected}
    cell = body["tests"]["Talos tp5n"][PLATFORM]
    assert (cell["pass"], cell["fail"], cell["total_tests"]) == (9, 1, 10)
    assert {"cnn.com": False} in cell["pages"] and {"amazon.com": True} in cell["pages"]
    assert cell["platform_info"] == {"operating_system_name": "linux", "operating_system_version": "Fedora 12",
                                     "processor": "x86_64", "type": "opt"}


def test_given_a_revision_when_summarised_then_its_push_is_described(app_client, history):
    body = summary_of(app_client, rev(history[2]))
    assert body["product_info"] == {"version": "17.0a1", "name": "Firefox", "branch": BRANCH,
                                    "revision": rev(history[2])}
    push = history[2]
    assert body["push_data"] == {"node": push.tip, "name": BRANCH, "date": push.date, "user": push.user,
                                 "pushlog_id": push.pushlog_id, "push_id": 2, "desc": push.changesets[-1]["desc"]}


def test_given_several_products_when_summarised_then_all_are_listed_and_filters_apply(app_client, history):
    body = summary_of(app_client, rev(history[3]))
    assert body["products"] == [{"product": "Fennec", "version": "17.0a1", "branch": BRANCH},
                                {"product": "Firefox", "version": "16.0a1", "branch": BRANCH},
                                {"product": "Firefox", "version": "17.0a1", "branch": BRANCH}]
    assert body["summary"]["total_tests"] == 10  # the Firefox 17.0a1 run only
    assert summary_of(app_client, rev(history[3]), "?product=Fennec")["summary"]["total_tests"] == 0  # a baseline


def test_given_only_baselines_when_summarised_then_nothing_is_counted(app_client, history):
    body = summary_of(app_client, rev(history[1]))
    assert body["summary"] == {"pass": {"percent": 0, "value": 0}, "fail": {"percent": 0, "value": 0},
                               "total_tests": 0}
    assert body["tests"] == {} and body["summary_by_platform"] == {} and body["summary_by_test"] == {}


def test_given_a_revision_without_push_when_summarised_then_push_data_is_null(app_client):
    body = summary_of(app_client, "ffffffffffff")
    assert body["push_data"] is None
    assert body["summary"]["total_tests"] == 0


# --- pushlog ----------------------------------------------------------------------------------

PUSHLOG = "/talos/testdata/metrics/{branch}/{revision}/pushlog?test_name=Talos%20tp5n&page_name=cnn.com"


def pushlog(app_client, revision: str, query: str = "", branch: str = BRANCH):
    return get(app_client, PUSHLOG.format(branch=branch, revision=revision) + query)


def test_given_pushes_before_and_after_when_read_then_that_window_is_listed_oldest_first(app_client, history):
    response = pushlog(app_client, rev(history[6]), "&pushes_before=2&pushes_after=3")
    assert response.status_code == 200, response.body
    body = response.json_body
    assert [p["push_id"] for p in body] == [4, 5, 6, 7, 8, 9]
    assert [len(p["metrics_data"]) for p in body] == [1, 1, 1, 1, 1, 0]
    six = body[2]
    assert six["branch_name"] == BRANCH
    assert (six["pushlog_id"], six["date"], six["dz_revision"]) == (history[6].pushlog_id, history[6].date,
                                                                    rev(history[6]))
    assert six["revisions"] == [{"revision": c["node"][:12], "desc": c["desc"], "author": c["author"]}
                                for c in history[6].changesets]
    assert body[-1]["dz_revision"] == rev(history[9])  # no runs: the push's tip
    [run] = six["metrics_data"]
    assert run["testrun"]["suite"] == "Talos tp5n" and list(run["pages"]) == ["cnn.com"]
    assert run["pages"]["cnn.com"]["test_evaluation"] is True


def test_given_no_window_when_read_then_five_pushes_each_side(app_client, history):
    body = pushlog(app_client, rev(history[6])).json_body
    assert [p["push_id"] for p in body] == list(range(1, 12))
    assert [len(p["metrics_data"]) for p in body][:3] == [1, 1, 1]  # Firefox 17.0a1 only on push 3


def test_given_a_window_at_the_start_of_the_pushlog_when_read_then_it_stops_at_the_first_push(app_client, history):
    body = pushlog(app_client, rev(history[2]), "&pushes_before=1000&pushes_after=0").json_body
    assert [p["push_id"] for p in body] == [1, 2]


def test_given_a_test_name_that_matches_nothing_when_read_then_pushes_have_no_metrics(app_client, history):
    response = get(app_client, f"/talos/testdata/metrics/{BRANCH}/{rev(history[6])}/pushlog"
                               "?test_name=Talos%20ts&page_name=cnn.com&pushes_before=1&pushes_after=1")
    assert [p["metrics_data"] for p in response.json_body] == [[], [], []]


@pytest.mark.parametrize("query", ["?test_name=Talos%20tp5n", "?page_name=cnn.com", "", "?test_name=&page_name="])
def test_given_test_or_page_name_missing_when_read_then_400(app_client, history, query):
    response = get(app_client, f"/talos/testdata/metrics/{BRANCH}/{rev(history[6])}/pushlog{query}")
    assert response.status_code == 400
    assert response.json_body["status"] == "Bad request" and "required" in response.json_body["message"]


@pytest.mark.parametrize("query", ["&pushes_before=1001", "&pushes_after=-1", "&pushes_before=five"])
def test_given_a_window_out_of_bounds_when_read_then_400(app_client, history, query):
    response = pushlog(app_client, rev(history[6]), query)
    assert response.status_code == 400
    assert set(response.json_body) == {"status", "message"}


def test_given_an_unknown_revision_when_read_then_404(app_client):
    response = pushlog(app_client, "ffffffffffff")
    assert response.status_code == 404
    assert response.json_body == {"status": f"Unknown revision 'ffffffffffff' on branch '{BRANCH}'"}


def test_given_an_unknown_branch_when_read_then_404(app_client, history):
    response = pushlog(app_client, rev(history[6]), branch="Nowhere")
    assert response.status_code == 404
    assert response.json_body == {"status": "Unknown branch 'Nowhere'"}


def test_given_the_alternative_branch_name_when_read_then_the_canonical_pushes_are_listed(app_client, history):
    response = pushlog(app_client, rev(history[6]), "&pushes_before=1&pushes_after=1", branch=ALTERNATIVE)
    assert [(p["branch_name"], p["push_id"]) for p in response.json_body] == [(BRANCH, 5), (BRANCH, 6), (BRANCH, 7)]


# --- cost ---------------------------------------------------------------------------------------


def _bulk_store(first: int, last: int) -> None:
    """Pushes first..last on Mozilla-Inbound written directly: only the size of the table matters here."""
    with PushRecord.batch_write() as push_batch, ChangesetRecord.batch_write() as cs_batch:
        for push_id in range(first, last + 1):
            p = make_push(push_id, START + 600 * push_id)
            pushlog_id = 10_000 + push_id  # clear of the ids the counter gave pushes 1..12
            push_batch.save(PushRecord(BRANCH, push_id, pushlog_id=pushlog_id, date=p["date"], user=p["user"],
                                       changesets=[Changeset(**c) for c in p["changesets"]]))
            for c in p["changesets"]:
                cs_batch.save(ChangesetRecord(BRANCH, c["node"], push_id=push_id, pushlog_id=pushlog_id,
                                              date=p["date"]))


def test_pushlog_view_costs_the_same_dynamodb_calls_with_20_and_200_pushes(app_client, history, aws_calls):
    """Runs sit on pushes 1..12 only; pushes 13..200 are added between the two reads (later pushes
    change nothing any other test reads). Four Queries in all: the revision's changeset, the pushes
    before, the pushes after, the runs of the window; one BatchGetItem for their metrics."""
    path = PUSHLOG.format(branch=BRANCH, revision=rev(history[6]))

    def calls() -> list[str]:
        from chalicelib.store import projects

        projects.forget_cached()  # the project lookup is cached a minute: both reads counted from the same start
        aws_calls.clear()
        response = app_client.http.get(path)
        assert response.status_code == 200, response.body
        assert [p["push_id"] for p in response.json_body] == list(range(1, 12))
        return sorted(op for service, op in aws_calls if service == "dynamodb")

    _bulk_store(13, 20)
    small = calls()
    _bulk_store(21, 200)
    large = calls()
    assert small == large
    assert small.count("Query") == 4
    assert small.count("BatchGetItem") == 1
