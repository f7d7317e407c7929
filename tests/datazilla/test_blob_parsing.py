"""Reading a Talos blob into a perftest run."""

from __future__ import annotations

import copy

import pytest

from chalicelib.datazilla.blob import MalformedJson, TestDataError, decode, parse_run, partial_reference


def test_a_complete_blob_yields_its_reference_data_and_replicates(talos_blob):
    run = parse_run(talos_blob)
    assert (run.test_name, run.test_version, run.product) == ("Talos tp5n", 1, "Firefox")
    assert (run.branch, run.branch_version, run.revision) == ("Mozilla-Inbound", "17.0a1", "8a3d4b6e7c21")
    assert (run.os_name, run.os_version, run.processor) == ("linux", "Fedora 12", "x86_64")
    assert (run.machine, run.build_id, run.build_type) == ("talos-r3-fed-001", "20120730123456", "opt")
    assert run.date_run == 1343674800
    assert len(run.pages) == 10 and all(len(v) == 25 for v in run.pages.values())
    assert run.options["tpcycles"] == 10
    assert len(run.aux_data["totals"]) == 25


@pytest.mark.parametrize(
    "remove, message",
    [
        (("testrun", "suite"), "Missing data: ['testrun']['suite']."),
        (("test_build", "revision"), "Missing data: ['test_build']['revision']."),
        (("test_machine", "os"), "Missing data: ['test_machine']['os']."),
        (("testrun",), "Missing data: ['testrun']."),
        (("results",), "Missing data: ['results']."),
    ],
)
def test_a_missing_key_is_named_by_its_path(talos_blob, remove, message):
    blob = copy.deepcopy(talos_blob)
    node = blob
    for key in remove[:-1]:
        node = node[key]
    del node[remove[-1]]
    with pytest.raises(TestDataError) as err:
        parse_run(blob)
    assert str(err.value) == message


def test_a_non_integer_suite_version_is_refused(talos_blob):
    talos_blob["testrun"]["suite_version"] = "two"
    with pytest.raises(TestDataError, match=r"\['testrun'\]\['suite_version'\] is not an integer"):
        parse_run(talos_blob)


def test_a_non_integer_date_is_refused(talos_blob):
    talos_blob["testrun"]["date"] = "yesterday"
    with pytest.raises(TestDataError, match=r"\['testrun'\]\['date'\] is not an integer"):
        parse_run(talos_blob)


def test_replicates_must_be_numbers(talos_blob):
    talos_blob["results"]["cnn.com"] = [1, "two", 3]
    with pytest.raises(TestDataError, match=r"\['results'\]\['cnn.com'\]"):
        parse_run(talos_blob)


def test_revision_is_kept_to_sixteen_characters(talos_blob):
    talos_blob["test_build"]["revision"] = "0123456789abcdef0123456789abcdef01234567"
    assert parse_run(talos_blob).revision == "0123456789abcdef"


def test_build_type_comes_from_the_blob_when_given(talos_blob):
    talos_blob["test_build"]["type"] = "debug"
    assert parse_run(talos_blob).build_type == "debug"


def test_a_json_array_is_not_a_test_run():
    with pytest.raises(TestDataError):
        parse_run([1, 2, 3])


def test_malformed_json_reports_the_parser_message():
    with pytest.raises(MalformedJson, match="Expecting"):
        decode(b'{"a": ')


def test_invalid_utf8_is_malformed():
    with pytest.raises(MalformedJson):
        decode(b"\xff\xfe{}")


def test_partial_reference_names_branch_and_revision_of_a_broken_blob():
    named = {"test_build": {"branch": "Try", "revision": "abc"}}
    assert partial_reference(named) == {"branch": "Try", "revision": "abc"}
    assert partial_reference({"test_build": "nonsense"}) == {}


@pytest.mark.parametrize("values", [[1.5, "2"], [1.5, True], [1.5, None], [1.5, float("nan")], [[1.5]], "1.5"])
def test_given_replicates_that_are_not_all_numbers_when_parsed_then_the_page_is_named(talos_blob, values):
    """A boolean is no number here (JSON's true is not a replicate), nor is NaN in an already parsed blob."""
    blob = copy.deepcopy(talos_blob)
    page = next(iter(blob["results"]))
    blob["results"][page] = values
    with pytest.raises(TestDataError, match=r"Bad value: \['results'\]\['" + page.replace(".", r"\.")
                       + r"'\] is not a list of numbers\."):
        parse_run(blob)


def test_given_replicates_of_int_float_and_float_subclasses_when_parsed_then_kept_as_given(talos_blob):
    class Measured(float):
        pass

    blob = copy.deepcopy(talos_blob)
    page = next(iter(blob["results"]))
    blob["results"][page] = [3, 2.5, Measured(4.25)]
    kept = parse_run(blob).pages[page]
    assert kept == [3, 2.5, 4.25] and [type(v) for v in kept] == [int, float, Measured]


@pytest.mark.parametrize(("where", "kind"), [
    (lambda b: b.update(results={"p" * 256: [1.0] * 25}), "pages"),
    (lambda b: b["testrun"].update(suite="t" * 256), "tests"),
    (lambda b: b["test_machine"].update(name="\u00e9" * 256), "machines"),
    (lambda b: b["test_machine"].update(os="o" * 300), "operating_systems"),
], ids=["page", "test", "machine", "os"])
def test_given_a_name_longer_than_datazillas_columns_when_parsed_then_it_is_test_data_error(talos_blob, where, kind):
    """Given a run naming a page, test, machine or OS past 255 characters (Datazilla's widest name column,
    perftest ``pages.url`` varchar(255), where its loader failed the blob), then a test data error, so the
    row is marked with it; the long fuzz run found such a blob stored (200), then its load failing on every
    delivery into the dead-letter queue (a sort key past DynamoDB's 1024 bytes)."""
    where(talos_blob)

    with pytest.raises(TestDataError, match=f"a name of {kind} is longer than 255 characters"):
        parse_run(talos_blob)


def test_a_name_of_255_characters_is_kept(talos_blob):
    talos_blob["results"] = {"\u00e9" * 255: [1.0] * 25}

    assert list(parse_run(talos_blob).pages) == ["\u00e9" * 255]
