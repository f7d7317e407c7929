"""KernelCI domain rules as pure functions: bodies, queries, dates, tokens, regressions, multipart, versions."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from chalicelib.api.kernelci.family import KERNELCI, paths, wanted_version
from chalicelib.api.kernelci.multipart import MalformedForm
from chalicelib.api.kernelci.multipart import parse as parse_form
from chalicelib.api.kit.storage import storage_refusal
from chalicelib.kernelci import keys, regressions, tokens
from chalicelib.kernelci.documents import derived_id, shown
from chalicelib.kernelci.query import BadQuery, created_window, matcher, ordered, parse, project
from chalicelib.kernelci.test_results import InvalidResults, case_document, group_documents

DAY = 86_400_000
TODAY = dt.date(2020, 8, 10)
MIDNIGHT = int(dt.datetime(2020, 8, 10, tzinfo=dt.UTC).timestamp() * 1000)


# --- bodies ---------------------------------------------------------------------------------------

def test_check_body_keeps_accepted_keys_and_reports_the_others():
    checked = keys.check_body({"job": "j", "kernel": "k", "git_branch": "b", "x": 1}, keys.POST_KEYS[keys.JOB])
    assert checked.ok and checked.body == {"job": "j", "kernel": "k", "git_branch": "b"}
    assert checked.errors == ["Unknown keys dropped: x"]


def test_check_body_refuses_what_is_not_an_object():
    assert not keys.check_body(["job"], keys.POST_KEYS[keys.JOB]).ok


def test_every_plural_and_singular_root_name_is_reserved():
    assert {"job", "jobs", "build", "builds", "test", "tests", "count", "counts", "token", "tokens", "upload",
            "uploads", "version", "versions"} == keys.RESERVED_ROOT_NAMES


def test_paths_are_singular_and_plural_with_and_without_an_id():
    assert paths("test/group") == ["/test/group", "/test/groups", "/tests/group", "/tests/groups",
                                   "/test/group/{doc_id}", "/test/groups/{doc_id}", "/tests/group/{doc_id}",
                                   "/tests/groups/{doc_id}"]


# --- dates and queries ----------------------------------------------------------------------------

@pytest.mark.parametrize("date_range,created_on,window", [
    ("5", None, (MIDNIGHT - 5 * DAY, MIDNIGHT + DAY - 1000)),
    ("0", None, (MIDNIGHT, MIDNIGHT + DAY - 1000)),
    ("-2", None, (MIDNIGHT - 2 * DAY, MIDNIGHT + DAY - 1000)),
    ("soon", None, (MIDNIGHT - 5 * DAY, MIDNIGHT + DAY - 1000)),
    (None, "2020-08-09", (MIDNIGHT - DAY, MIDNIGHT - 1000)),
    (None, "20200809", (MIDNIGHT - DAY, MIDNIGHT - 1000)),
    ("1", "2020-08-09", (MIDNIGHT - 2 * DAY, MIDNIGHT - 1000)),
    (None, "not a date", (None, None)),
    (None, None, (None, None)),
])
def test_created_windows(date_range, created_on, window):
    assert created_window(date_range, created_on, TODAY) == window


def test_parse_reads_paging_sort_and_projection():
    query = parse({"limit": ["10"], "skip": ["2"], "sort": ["kernel", "arch"], "sort_order": ["1"],
                   "field": ["kernel"], "nfield": ["_id"], "job": ["a", "b"], "colour": ["x"]}, {"job", "kernel"})
    assert (query.limit, query.skip, query.sort, query.descending) == (10, 2, ("kernel", "arch"), False)
    assert query.filters == {"job": ("a", "b")} and query.fields == ("kernel",) and query.nfields == ("_id",)


@pytest.mark.parametrize("order,descending", [("-1", True), ("1", False), ("7", True), ("x", True)])
def test_sort_order_is_descending_unless_1(order, descending):
    assert parse({"sort_order": [order]}, ()).descending is descending


@pytest.mark.parametrize("params", [{"limit": ["x"]}, {"skip": ["-1"]}])
def test_bad_paging_is_a_bad_query(params):
    with pytest.raises(BadQuery):
        parse(params, ())


def test_matcher_filters_any_of_null_numbers_and_booleans():
    match = matcher(parse({"status": ["PASS", "FAIL"], "warnings": ["2"], "private": ["true"],
                           "git_describe": ["null"]}, {"status", "warnings", "private", "git_describe"}))
    assert match({"status": "FAIL", "warnings": 2, "private": True})
    assert not match({"status": "FAIL", "warnings": 3, "private": True})
    assert not match({"status": "FAIL", "warnings": 2, "private": True, "git_describe": "v1"})


def test_ordered_sorts_mixed_values_without_failing():
    docs = [{"k": "b", "created_on": 1}, {"k": None, "created_on": 2}, {"k": 3, "created_on": 3}]
    assert [d["k"] for d in ordered(docs, parse({"sort": ["k"], "sort_order": ["1"]}, ()))] == [None, 3, "b"]


def test_project_keeps_the_id_with_fields_unless_nfield_drops_it():
    doc = {"_id": "i", "a": 1, "b": 2}
    assert project(doc, parse({"field": ["a"]}, ())) == {"_id": "i", "a": 1}
    assert project(doc, parse({"field": ["a"], "nfield": ["_id"]}, ())) == {"a": 1}


def test_shown_wraps_ids_and_dates():
    assert shown({"_id": "a" * 24, "created_on": 5, "test_cases": ["b" * 24], "kernel": "v1"}) == {
        "_id": {"$oid": "a" * 24}, "created_on": {"$date": 5}, "test_cases": [{"$oid": "b" * 24}], "kernel": "v1"}


def test_derived_ids_are_24_hex_and_stable():
    assert derived_id("job", "a", "b") == derived_id("job", "a", "b") != derived_id("job", "a", "c")
    assert len(derived_id("job", "a")) == 24 and int(derived_id("job", "a"), 16) >= 0


# --- tokens ---------------------------------------------------------------------------------------

def test_admin_sets_the_admin_bundle():
    props = tokens.apply({"email": "e", "admin": True})["properties"]
    assert [i for i, v in enumerate(props) if v] == [0, 1, 2, 3, 4, 6, 8]


def test_superuser_clears_admin_and_token_creation():
    props = tokens.apply({"email": "e", "superuser": 1, "get": 1})["properties"]
    assert [i for i, v in enumerate(props) if v] == [1, 2, 3, 4, 8]


@pytest.mark.parametrize("change", [
    {"email": 0}, {"email": []}, {"username": 7}, {"username": {}}, {"expires_on": 0}, {"expires_on": {}},
    {"expires_on": "2030-1-5"}, {"ip_restricted": 1, "ip_address": {}}, {"ip_restricted": 1, "ip_address": [1]},
])
def test_token_fields_of_the_wrong_type_are_refused_even_when_empty(change):
    """Found by schemathesis: an empty value of the wrong type (``{}``, ``0``) used to be taken as absent."""
    current = tokens.apply({"email": "e"})
    with pytest.raises(tokens.InvalidToken):
        tokens.apply(change, current)


def test_token_fields_given_as_null_or_empty_text_leave_the_token_as_it_is():
    current = tokens.apply({"email": "e", "username": "u"})
    assert tokens.apply({"email": "", "username": None, "expires_on": "", "ip_address": None}, current) == current


def test_rules_per_resource():
    lab = tokens.Token.of(tokens.apply({"email": "e", "get": 1, "delete": 1, "lab": 1, "test_lab": 1}))
    assert tokens.general(lab, "GET") and not tokens.general(lab, "DELETE") and not tokens.general(lab, "POST")
    assert tokens.tests(lab, "POST") and not tokens.upload(lab, "POST")
    assert not tokens.token_management(lab, "GET")


@pytest.mark.parametrize("allowed,remote,ok", [
    (["10.0.0.0/8"], "10.1.2.3", True), (["10.0.0.1"], "10.0.0.2", False), (["10.0.0.1"], "::ffff:10.0.0.1", True),
    (["2001:db8::/32"], "2001:db8::1", True), (["10.0.0.1"], None, False), (["10.0.0.1"], "garbage", False),
])
def test_ip_restriction(allowed, remote, ok):
    record = tokens.apply({"email": "e", "get": 1, "ip_restricted": 1, "ip_address": allowed})
    assert tokens.permits(record, "GET", remote, tokens.general, now_ms=0) is ok


def test_expiry_is_checked_before_properties():
    record = tokens.apply({"email": "e", "admin": 1, "expires_on": "2020-01-01"})
    assert not tokens.permits(record, "GET", None, tokens.general, now_ms=MIDNIGHT)
    assert tokens.permits(record, "GET", None, tokens.general, now_ms=0)


def test_put_keeps_what_it_does_not_change():
    before = tokens.apply({"email": "e", "get": 1, "username": "lab"})
    after = tokens.apply({"post": 1}, before)
    assert after["properties"][2:4] == [1, 1] and after["email"] == "e" and after["username"] == "lab"


# --- regressions ----------------------------------------------------------------------------------

GROUP = {"name": "baseline", "job": "mainline", "git_branch": "master", "arch": "arm64", "device_type": "kevin",
         "defconfig_full": "defconfig", "build_environment": "gcc-8", "lab_name": "lab"}


def _case(name, status, kernel):
    return {"_id": derived_id("case", name, kernel), "name": name, "status": status, "created_on": 1}


def test_pass_then_fail_is_a_regression_with_both_results():
    previous, now = {**GROUP, "kernel": "v1"}, {**GROUP, "kernel": "v2"}
    found = regressions.find(now, [_case("login", "FAIL", "v2"), _case("boot", "PASS", "v2")], previous,
                             [_case("login", "PASS", "v1"), _case("boot", "PASS", "v1")], lambda _: None, 9)
    assert [(d["test_case_path"], [r["status"] for r in d["regressions"]]) for d in found] == [
        ("baseline.login", ["PASS", "FAIL"])]
    assert found[0]["_id"] == regressions.regression_id(now, "login", "v2")


def test_fail_then_fail_goes_on_only_when_tracked():
    previous, now = {**GROUP, "kernel": "v2"}, {**GROUP, "kernel": "v3"}
    earlier = {"regressions": [{"status": "PASS"}, {"status": "FAIL"}]}
    cases, before = [_case("login", "FAIL", "v3")], [_case("login", "FAIL", "v2")]
    assert regressions.find(now, cases, previous, before, lambda _: None, 9) == []
    tracked = {regressions.regression_id(now, "login", "v2"): earlier}
    found = regressions.find(now, cases, previous, before, tracked.get, 9)
    assert [r["status"] for r in found[0]["regressions"]] == ["PASS", "FAIL", "FAIL"]


# --- multipart, versions, storage failures --------------------------------------------------------

def test_multipart_fields_and_files_survive_binary_content():
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\ntree/v1\r\n"
            b"--XyZ\r\nContent-Disposition: form-data; name=\"file0\"; filename=\"dtbs/a.dtb\"\r\n"
            b"Content-Type: application/octet-stream\r\n\r\n\x00\r\n\xff--X\r\n"
            b"--XyZ--\r\n")
    form = parse_form("multipart/form-data; boundary=XyZ", body)
    assert form.value("path") == "tree/v1"
    assert [(f.field, f.filename, f.body) for f in form.files] == [("file0", "dtbs/a.dtb", b"\x00\r\n\xff--X")]


def test_a_body_without_boundary_is_malformed():
    with pytest.raises(MalformedForm):
        parse_form("multipart/form-data", b"plain")


@pytest.mark.parametrize("accept,version", [(None, "1"), ("*/*", "1"), ("application/v1", "1"),
                                            ("application/v2", "2"), ("application/v2, application/v1", "1"),
                                            ("application/json", "1")])
def test_wanted_version(accept, version):
    assert wanted_version(accept) == version


@pytest.mark.parametrize("error,status", [
    (EndpointConnectionError(endpoint_url="http://x"), 503),
    (ClientError({"Error": {"Code": "ThrottlingException"}}, "Query"), 503),
    (ClientError({"Error": {"Code": "Boom"}, "ResponseMetadata": {"HTTPStatusCode": 500}}, "Query"), 503),
    (ClientError({"Error": {"Code": "ResourceNotFoundException"}}, "Query"), 500),
    (ClientError({"Error": {"Code": "ValidationException"}}, "Query"), 400),  # the request's values: no retry helps
])
def test_storage_failures_that_may_pass_are_503_refused_values_400_the_others_500(error, status):
    assert storage_refusal(error, KERNELCI.storage, "GET /job").status == status


@pytest.mark.parametrize("cases", [{}, 0, "", False])
def test_a_group_whose_test_cases_is_not_a_list_is_refused_even_when_empty(cases):
    """Found by schemathesis: ``"test_cases": {}`` used to be taken as no cases."""
    body = {"name": "baseline", "kernel": "v1", "job": "j", "git_branch": "b", "arch": "a", "defconfig": "d",
            "build_environment": "e", "device_type": "t", "lab_name": "l", "git_commit": "c", "test_cases": cases}
    with pytest.raises(InvalidResults):
        group_documents(body, 0)


@pytest.mark.parametrize("given", [{}, {"status": None}])
def test_a_case_without_a_status_or_with_null_is_stored_as_unknown(given):
    """Found by schemathesis: ``"status": null`` used to be stored as null, which no status filter finds."""
    group = {"_id": "g" * 24, "name": "baseline", "kernel": "v1"}
    assert case_document({"name": "login", **given}, group, 0)["status"] == "UNKNOWN"
