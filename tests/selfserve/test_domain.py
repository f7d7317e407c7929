"""Self-serve's pure parts: format and method negotiation, parameters, the job views, is_done, results."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from chalicelib.selfserve import negotiation, params, views
from chalicelib.selfserve.results import InvalidResult, check


@dataclass
class Job:
    id: int
    fields: dict = field(default_factory=dict)
    job_guid: str = "g"
    repository: str = "b"


def finished(job_id: int, result: str = "success", end: int = 1000) -> Job:
    return Job(job_id, {"state": "completed", "result": result, "start_timestamp": 500, "end_timestamp": end})


def test_format_parameter_wins_over_accept():
    assert negotiation.answer_format({"format": "html"}, "application/json") == "html"


def test_accept_json_without_format_means_json():
    assert negotiation.answer_format({}, "text/html, application/json;q=0.9") == "json"


def test_no_format_and_no_accept_means_html():
    assert negotiation.answer_format({}, None) == "html"


def test_an_unknown_format_is_refused():
    with pytest.raises(negotiation.BadFormat):
        negotiation.answer_format({"format": "xml"}, None)


@pytest.mark.parametrize(("method", "query", "form", "expected"), [
    ("POST", {"_method": "delete"}, {}, "DELETE"),
    ("POST", {}, {"_method": "PUT"}, "PUT"),
    ("POST", {"_method": "PUT"}, {"_method": "DELETE"}, "PUT"),
    ("POST", {"_method": "PATCH"}, {}, "POST"),
    ("GET", {"_method": "DELETE"}, {}, "GET"),
])
def test_only_a_post_is_overridden_and_only_to_put_or_delete(method, query, form, expected):
    assert negotiation.effective_method(method, query, form) == expected


@pytest.mark.parametrize(("form", "expected"), [({}, 0), ({"priority": ""}, 0), ({"priority": "-3"}, -3)])
def test_priority_defaults_to_zero(form, expected):
    assert params.priority(form) == expected


@pytest.mark.parametrize("raw", ["1.5", "x", "10000000000000000000000", True])
def test_a_bad_priority_is_refused(raw):
    with pytest.raises(params.BadParameter, match="Bad priority"):
        params.priority({"priority": raw})


def test_a_required_priority_must_be_given():
    with pytest.raises(params.BadParameter, match="Bad priority"):
        params.priority({}, required=True)


@pytest.mark.parametrize("raw", ["0", "-1", "", "abc", None])
def test_ids_are_positive_integers(raw):
    with pytest.raises(params.BadParameter, match="Bad build_id"):
        params.required_id(raw, "Bad build_id")


@pytest.mark.parametrize(("result", "code"), [("success", 0), ("testfailed", 1), ("busted", 2), ("exception", 4),
                                              ("retry", 5), ("usercancel", 6), ("unknown", -1)])
def test_treeherder_results_map_to_buildbot_status_codes(result, code):
    assert views.status(finished(1, result)) == code


def test_a_running_job_has_no_status():
    assert views.status(Job(1, {"state": "running"})) is None


def test_a_job_cancelled_before_it_started_is_no_build():
    assert not views.is_build(Job(1, {"state": "completed", "result": "usercancel", "start_timestamp": 0}))


def test_a_revision_is_done_when_every_build_ended_stable_delay_ago():
    jobs = [finished(1, end=1000), finished(2, "retry", end=1100)]

    assert views.is_done(jobs, now=1100 + 179)["job_complete"] is False
    assert views.is_done(jobs, now=1100 + 180) == {"stableDelay": 180, "job_complete": True, "job_passed": True}


def test_a_done_revision_with_a_failure_did_not_pass():
    assert views.is_done([finished(1), finished(2, "busted")], now=10_000)["job_passed"] is False


def test_a_revision_with_a_pending_request_is_not_done():
    assert views.is_done([finished(1), Job(2, {"state": "pending"})], now=10_000)["job_complete"] is False


def test_the_day_asked_for_defaults_to_today_and_must_be_a_real_date():
    assert views.day("2020-01-02", dt.date(2000, 1, 1)) == "2020-01-02"
    assert views.day(None, dt.date(2000, 1, 1)) == "2000-01-01"
    for bad in ("2020-1-2", "2020-02-30", "yesterday"):
        with pytest.raises(ValueError):
            views.day(bad, dt.date(2000, 1, 1))


def test_a_result_needs_a_request_id_and_a_status():
    with pytest.raises(InvalidResult, match="request_id"):
        check({"status": "OK"})
    with pytest.raises(InvalidResult, match="status"):
        check({"request_id": 1, "status": "DONE"})


def test_a_result_keeps_what_the_ci_said_as_complete_data():
    result = check({"request_id": 3, "status": "OK", "msg": "made", "job_guids": ["a"], "completed_at": 9})

    assert (result.request_id, result.job_guids, result.completed_at) == (3, ["a"], 9)
    assert result.data == {"status": "OK", "msg": "made", "job_guids": ["a"]}
