"""Which runs the raw endpoint's filters select, and how pages are trimmed."""

from chalicelib.datazilla.raw import RawFilter

REFERENCE = {
    "product": "Firefox", "os_name": "linux", "os_version": "Fedora 12", "branch_version": "17.0a1",
    "processor": "x86_64", "build_type": "opt", "test_name": "Talos tp5n", "page_names": ["a.com", "b.com"],
}


def test_no_filter_accepts_everything():
    assert RawFilter.from_params(None).matches(REFERENCE)


def test_a_comma_list_accepts_any_of_its_values():
    assert RawFilter.from_params({"os_name": "mac,linux"}).matches(REFERENCE)
    assert not RawFilter.from_params({"os_name": "mac,win"}).matches(REFERENCE)


def test_every_filter_must_match():
    assert not RawFilter.from_params({"os_name": "linux", "product": "Fennec"}).matches(REFERENCE)


def test_page_name_selects_runs_having_one_of_the_pages():
    assert RawFilter.from_params({"page_name": "z.com,b.com"}).matches(REFERENCE)
    assert not RawFilter.from_params({"page_name": "z.com"}).matches(REFERENCE)


def test_page_name_trims_results_to_those_pages():
    blob = {"results": {"a.com": [1], "b.com": [2]}, "test_build": {}}
    assert RawFilter.from_params({"page_name": "b.com"}).trim(blob) == {"results": {"b.com": [2]}, "test_build": {}}


def test_unknown_values_do_not_exclude_a_failed_run():
    assert RawFilter.from_params({"test_name": "Talos ts"}).matches({"test_name": None})


def test_given_a_loaded_blob_when_page_name_filtered_then_its_results_keys_are_its_pages():
    # a loaded objectstore row keeps no page names: the raw endpoint asks the blob it serves
    blob = {"results": {"a.com": [1], "b.com": [2]}, "test_build": {}}
    assert RawFilter.from_params({"page_name": "z.com,b.com"}).matches_pages(blob)
    assert not RawFilter.from_params({"page_name": "z.com"}).matches_pages(blob)
    assert RawFilter.from_params({}).matches_pages(blob)
