"""The Treeherder face's pure parts: job message schema, job records, parameters, client policy, signatures."""

from __future__ import annotations

import pytest

from chalicelib.perf.series import SeriesGroup
from chalicelib.perf.signatures import Signature, signature_hash
from chalicelib.treeherder import jobs, push_query
from chalicelib.treeherder.client_policy import accept_refusal, user_agent_refusal
from chalicelib.treeherder.job_schema import InvalidJobMessage, validate
from chalicelib.treeherder.params import BadParameter, Params, int_value
from chalicelib.treeherder.reference import option_collection_hash
from tests.support.treeherder_data import job_message

TIP = "a" * 40


# --- job messages ----------------------------------------------------------------------------------


def test_a_complete_job_message_is_valid():
    message = job_message(TIP)
    assert validate(message) is message


def test_a_pending_job_needs_no_result_or_end():
    validate(job_message(TIP, state="pending"))


@pytest.mark.parametrize("path, change, reason", [
    (("job",), {"state": "finished"}, "$.job.state: must be one of pending, running, completed"),
    (("job",), {"result": "green"}, "$.job.result: must be one of success"),
    (("job",), {"tier": 4}, "$.job.tier"),
    (("job",), {"log_references": [{"name": "log", "url": "file:///etc/passwd"}]},
     "$.job.log_references[0].url: does not match"),
    (("job",), {"option_collection": {"opt": True, "debug": True}}, "$.job.option_collection"),
    ((), {"revision": "not-a-revision"}, "$.revision: does not match the expected form"),
    ((), {"extra": 1}, "$: unexpected property extra"),
])
def test_an_invalid_message_is_refused_naming_the_field(path, change, reason):
    message = job_message(TIP)
    target = message
    for key in path:
        target = target[key]
    target.update(change)
    with pytest.raises(InvalidJobMessage, match=None) as refused:
        validate(message)
    assert reason in str(refused.value)


def test_a_missing_field_is_named():
    message = job_message(TIP)
    del message["job"]["job_guid"]
    with pytest.raises(InvalidJobMessage, match=r"\$\.job: missing job_guid"):
        validate(message)


def test_every_missing_field_is_named_once():
    with pytest.raises(InvalidJobMessage) as refused:
        validate({"project": "mozilla-inbound", "revision": TIP, "job": {}})
    assert str(refused.value) == "$.job: missing job_guid, name, job_symbol, state, machine_platform, submit_timestamp"


def test_a_completed_job_must_say_its_result():
    message = job_message(TIP)
    del message["job"]["result"]
    with pytest.raises(InvalidJobMessage, match="missing result"):
        validate(message)


def test_a_running_job_cannot_claim_a_result():
    with pytest.raises(InvalidJobMessage, match=r"\$\.job\.result: must be 'unknown'"):
        validate(job_message(TIP, state="running", result="success"))


def test_a_refusal_never_echoes_the_value():
    with pytest.raises(InvalidJobMessage) as refused:
        validate(job_message(TIP, machine="s3cr3t-token-" + "x" * 300))
    assert "s3cr3t" not in str(refused.value)


def test_a_job_record_keeps_the_general_fields_and_defaults():
    message = job_message(TIP, state="pending")
    for optional in ("group_name", "group_symbol", "build_platform", "option_collection", "tier"):
        message["job"].pop(optional)
    fields = jobs.job_fields(message)
    assert (fields["job_type_name"], fields["state"], fields["result"]) == ("Mochitest Browser Chrome", "pending",
                                                                            "unknown")
    assert (fields["job_group_name"], fields["job_group_symbol"], fields["tier"]) == ("unknown", "?", 1)
    assert fields["build_platform"] == fields["platform"] == "linux64"
    assert fields["option_collection_hash"] == "102210fe594ee9b33d82058545b1ed14f4c8206e"  # Treeherder's "opt"
    assert (fields["who"], fields["reason"], fields["submit_timestamp"]) == ("sendchange-unittest", "scheduler",
                                                                             1_500_000_100)


def test_states_rank_forward():
    assert jobs.state_rank("pending") < jobs.state_rank("running") < jobs.state_rank("completed")


def test_option_collection_hash_is_treeherders():
    assert option_collection_hash(["debug"]) == "32faaecac742100f7753f0c1d0aa0add01b4046b"


# --- push list parameters --------------------------------------------------------------------------


def test_push_count_defaults_to_10_and_is_limited_to_1000():
    assert push_query.parse(Params({})).count == 10
    with pytest.raises(BadParameter, match="Specified count exceeds api limit: 1000"):
        push_query.parse(Params({"count": "1001"}))


def test_a_paged_push_request_may_ask_for_the_clients_page_of_2000():
    assert push_query.parse(Params({"count": "2000", "offset": "2000"})).count == 2000
    with pytest.raises(BadParameter, match="2000"):
        push_query.parse(Params({"count": "2001", "offset": "0"}))


def test_push_bounds_combine_to_the_narrowest_range():
    query = push_query.parse(Params({"id__gt": "10", "id__gte": "5", "id__lt": "20", "push_timestamp__gte": "100.5",
                                     "push_timestamp__lt": "200"}))
    assert (query.id_low, query.id_high, query.date_low, query.date_high) == (11, 19, 101, 199)


def test_enddate_includes_its_whole_day():
    query = push_query.parse(Params({"startdate": "2017-07-14", "enddate": "2017-07-14"}))
    assert (query.date_low, query.date_high) == (1_499_990_400, 1_499_990_400 + 86_399)
    assert query.filter_params["push_timestamp__lt"] == 1_499_990_400 + 86_400
    assert query.meta == {"startdate": "2017-07-14", "enddate": "2017-07-14"}


@pytest.mark.parametrize("params, message", [
    ({"count": "ten"}, "Valid count value required"),
    ({"id__lt": "x"}, "Invalid value specified for id__lt"),
    ({"id__in": "1,b"}, "Invalid id__in specification"),
    ({"push_timestamp__gt": "soon"}, "Invalid timestamp specified for push_timestamp__gt"),
    ({"startdate": "14/07/2017"}, "Invalid date specified for startdate"),
    ({"revision": "xyz"}, "Invalid revision"),
    ({"offset": "1,2"}, "Invalid offset: must be an integer"),
    ({"count": " 5"}, "Valid count value required"),
    ({"id": "1_0"}, "Invalid value specified for id"),
    ({"id__gte": "\u0663"}, "Invalid value specified for id__gte"),  # an Arabic-Indic 3: Python's int takes it
])
def test_bad_push_parameters_are_refused_with_a_reason(params, message):
    with pytest.raises(BadParameter, match=message):
        push_query.parse(Params(params))


@pytest.mark.parametrize("raw", ["+5", "-5", "5", "007"])
def test_an_integer_parameter_is_ascii_digits_with_an_optional_sign(raw):
    assert int_value(raw, "n") == int(raw)


@pytest.mark.parametrize("raw", [" 5", "5 ", "5_0", "\u0665", "5.0", "0x5"])
def test_anything_else_is_not_an_integer_parameter(raw):
    with pytest.raises(BadParameter, match="Invalid n: must be an integer"):
        int_value(raw, "n")


# --- client policy ---------------------------------------------------------------------------------


@pytest.mark.parametrize("agent", ["python-requests/2.34.2", "Python-urllib/3.11", "libcurl/8.0", "Go-http-client/1.1",
                                   "Go 1.1 package http"])
def test_generic_http_library_agents_are_forbidden(agent):
    assert user_agent_refusal(agent) == "Forbidden user agent"


@pytest.mark.parametrize("agent", [None, "", "treeherder-pyclient/5.0.0", "curl/8.5.0", "PYTHON-REQUESTS/2.0"])
def test_named_clients_and_no_agent_are_allowed(agent):
    assert user_agent_refusal(agent) is None


def test_only_version_1_0_may_be_asked_for():
    assert accept_refusal("application/json; version=1.0") is None
    assert accept_refusal("application/json") is None
    assert accept_refusal(None) is None
    assert accept_refusal("application/json; version=2.0") == 'Invalid version in "Accept" header.'


# --- Perfherder signatures -------------------------------------------------------------------------


GROUP = SeriesGroup("talos", "Mozilla-Inbound", "Firefox", "linux", "Ubuntu 12.04", "x86_64", "opt", "Talos tp5n")


def test_a_signature_hash_is_stable_and_names_the_series():
    assert signature_hash(GROUP, "cnn.com") == signature_hash(GROUP, "cnn.com")
    assert len(signature_hash(GROUP, "cnn.com")) == 40
    assert signature_hash(GROUP, "cnn.com") != signature_hash(GROUP, "bbc.co.uk")


def test_a_signature_hash_does_not_depend_on_the_repository():
    other_branch = SeriesGroup(**{**GROUP.__dict__, "branch": "Firefox"})
    assert signature_hash(other_branch, "cnn.com") == signature_hash(GROUP, "cnn.com")


@pytest.mark.parametrize("field, value", [("os_version", "Ubuntu 14.04"), ("build_type", "debug"),
                                          ("test_name", "Talos tp5o"), ("product", "Fennec")])
def test_each_part_of_the_identity_changes_the_hash(field, value):
    changed = SeriesGroup(**{**GROUP.__dict__, field: value})
    assert signature_hash(changed, "cnn.com") != signature_hash(GROUP, "cnn.com")


def test_signature_properties_describe_suite_test_platform_and_options():
    props = Signature(GROUP, "cnn.com").properties()
    assert (props["suite"], props["test"], props["machine_platform"]) == ("Talos tp5n", "cnn.com",
                                                                         "linux-Ubuntu 12.04-x86_64")
    assert props["option_collection_hash"] == option_collection_hash(["opt"])
    assert props["framework_id"] == 1 and props["lower_is_better"] is True


def test_the_signature_interval_keeps_series_with_recent_data():
    from chalicelib.perf.perfherder_query import signature_filter
    from chalicelib.store.perf_signatures import StoredSignature

    recent = StoredSignature(1, "a" * 40, Signature(GROUP, "cnn.com"), last_updated=1_000_000)
    old = StoredSignature(2, "b" * 40, Signature(GROUP, "bbc.co.uk"), last_updated=1_000_000 - 90_000)
    keep = signature_filter(Params({"interval": "86400"}), now=1_000_100)
    assert [keep(recent), keep(old)] == [True, False]
