"""Parsing json-pushes answers and building their URLs (pure, no AWS, no network)."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.pushlog import json_pushes
from chalicelib.pushlog.json_pushes import PushlogFormatError

NODE_A = "a" * 40
NODE_B = "0123456789abcdef0123456789abcdef01234567"


def changeset(node: str = NODE_A, **extra) -> dict:
    return {"node": node, "author": "Dev <dev@example.com>", "desc": "Bug 1 - fix", "branch": "default",
            "tags": ["tip"], "files": ["a.cpp"], **extra}


def push(date: int = 1_300_000_000, changesets: list | None = None, user: str = "dev@example.com") -> dict:
    return {"date": date, "user": user, "changesets": [changeset()] if changesets is None else changesets}


def test_version_2_answer_gives_pushes_sorted_by_id_and_lastpushid():
    # given a version 2 answer whose push ids are not in order
    body = json.dumps({"lastpushid": 12, "pushes": {"11": push(2), "9": push(1), "10": push(3)}})

    # when it is parsed
    page = json_pushes.parse(body)

    # then the pushes come by ascending id, with the host's last push id
    assert [p.push_id for p in page.pushes] == [9, 10, 11]
    assert page.last_push_id == 12


def test_version_2_push_keeps_date_user_and_changeset_fields():
    body = json.dumps({"lastpushid": 1, "pushes": {"1": push(1_300_000_000, [changeset(NODE_B)], "a@b.c")}})

    record = json_pushes.parse(body).pushes[0]

    assert (record.push_id, record.date, record.user) == (1, 1_300_000_000, "a@b.c")
    cs = record.changesets[0]
    assert (cs.node, cs.author, cs.desc, cs.branch, cs.tags, cs.files) == (
        NODE_B, "Dev <dev@example.com>", "Bug 1 - fix", "default", ("tip",), ("a.cpp",))


def test_version_1_answer_has_pushes_and_no_lastpushid():
    # given the older shape: push ids at the top level
    body = json.dumps({"5": push(5), "4": push(4)})

    page = json_pushes.parse(body)

    assert [p.push_id for p in page.pushes] == [4, 5]
    assert page.last_push_id is None


def test_bare_node_changesets_of_older_hg_become_changesets_with_node_only():
    # given older hg without full=1: changesets are node strings
    body = json.dumps({"3": push(changesets=[NODE_A, NODE_B])})

    cs = json_pushes.parse(body).pushes[0].changesets

    assert [c.node for c in cs] == [NODE_A, NODE_B]
    assert (cs[0].author, cs[0].desc, cs[0].branch) == ("", "", None)


def test_uppercase_node_is_stored_lowercase():
    body = json.dumps({"lastpushid": 1, "pushes": {"1": push(changesets=[changeset(NODE_B.upper())])}})

    assert json_pushes.parse(body).pushes[0].changesets[0].node == NODE_B


def test_fields_hg_adds_are_ignored():
    body = json.dumps({"lastpushid": 1, "pushes": {"1": {**push(changesets=[changeset(
        parents=["0" * 40], precursors=[])]), "obsoletechangesets": []}}})

    assert json_pushes.parse(body).pushes[0].changesets[0].node == NODE_A


def test_empty_version_2_answer_is_an_empty_page():
    page = json_pushes.parse(json.dumps({"lastpushid": 42, "pushes": {}}))

    assert page.pushes == [] and page.last_push_id == 42


def test_stored_changeset_leaves_files_out():
    cs = json_pushes.parse(json.dumps({"1": push()})).pushes[0].changesets[0]

    assert cs.as_stored() == {"node": NODE_A, "author": "Dev <dev@example.com>", "desc": "Bug 1 - fix",
                              "branch": "default", "tags": ["tip"]}


@pytest.mark.parametrize("bad_node", ["abc", "g" * 40, "a" * 41, 12, None])
def test_node_that_is_not_40_hex_is_rejected(bad_node):
    body = json.dumps({"lastpushid": 1, "pushes": {"1": push(changesets=[changeset(bad_node)])}})

    with pytest.raises(PushlogFormatError, match="push 1 changeset 0 node"):
        json_pushes.parse(body)


@pytest.mark.parametrize("bad_date", ["1300000000", 1.5, True, None, [1300000000, 0]])
def test_date_that_is_not_an_integer_is_rejected(bad_date):
    body = json.dumps({"lastpushid": 7, "pushes": {"7": push(date=bad_date)}})

    with pytest.raises(PushlogFormatError, match="push 7 date"):
        json_pushes.parse(body)


def test_truncated_json_is_rejected_without_quoting_the_body():
    body = json.dumps({"lastpushid": 1, "pushes": {"1": push(user="secret-looking-user")}})[:40]

    with pytest.raises(PushlogFormatError, match="not JSON") as caught:
        json_pushes.parse(body)
    assert "secret-looking-user" not in str(caught.value) and '"pushes"' not in str(caught.value)


def test_html_error_page_is_rejected():
    with pytest.raises(PushlogFormatError, match="not JSON"):
        json_pushes.parse(b"<html><body>Service Unavailable</body></html>")


@pytest.mark.parametrize("document", [[1, 2], "pushes", 42, None])
def test_answer_that_is_not_an_object_is_rejected(document):
    with pytest.raises(PushlogFormatError, match="not a JSON object"):
        json_pushes.parse(json.dumps(document))


def test_version_2_answer_without_pushes_is_rejected():
    with pytest.raises(PushlogFormatError, match="both 'lastpushid' and 'pushes'"):
        json_pushes.parse(json.dumps({"lastpushid": 3}))


@pytest.mark.parametrize("key", ["abc", "0", "-2"])
def test_push_id_that_is_not_a_positive_integer_is_rejected(key):
    with pytest.raises(PushlogFormatError, match="push id"):
        json_pushes.parse(json.dumps({key: push()}))


def test_changesets_that_are_not_a_list_are_rejected():
    with pytest.raises(PushlogFormatError, match="push 2 changesets is not a list"):
        json_pushes.parse(json.dumps({"2": {**push(), "changesets": {"node": NODE_A}}}))


def test_user_that_is_not_a_string_is_rejected():
    with pytest.raises(PushlogFormatError, match="push 2 user"):
        json_pushes.parse(json.dumps({"2": push(user=["x"])}))


def test_by_id_url_asks_version_2_full_pushes_in_the_id_range():
    url = json_pushes.by_id_url("https://hg.mozilla.org/integration/mozilla-inbound", 400, 600)

    parts = urlsplit(url)
    assert parts.path == "/integration/mozilla-inbound/json-pushes"
    assert parse_qs(parts.query) == {"version": ["2"], "full": ["1"], "startID": ["400"], "endID": ["600"]}


def test_by_id_url_does_not_repeat_json_pushes():
    url = json_pushes.by_id_url("http://127.0.0.1:9/try/json-pushes/", 0, 10)

    assert urlsplit(url).path == "/try/json-pushes"


def test_by_id_url_refuses_a_backwards_range():
    with pytest.raises(ValueError, match="range"):
        json_pushes.by_id_url("https://hg.mozilla.org/try", 10, 5)


def test_since_date_url_uses_the_month_day_year_form():
    url = json_pushes.since_date_url("https://hg.mozilla.org/mozilla-central", dt.date(2012, 3, 7))

    assert url == "https://hg.mozilla.org/mozilla-central/json-pushes?full=1&startdate=03/07/2012"


def test_recent_url_uses_maxhours():
    url = json_pushes.recent_url("https://hg.mozilla.org/mozilla-central", 24)

    assert url == "https://hg.mozilla.org/mozilla-central/json-pushes?full=1&maxhours=24"
