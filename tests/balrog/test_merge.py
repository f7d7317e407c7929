"""Three-way merge of release blobs."""

from __future__ import annotations

import pytest

from chalicelib.balrog.merge import MergeConflict, merge


def test_given_changes_to_different_locales_then_both_are_kept():
    base = {"platforms": {"linux": {"locales": {}}}}
    tip = {"platforms": {"linux": {"locales": {"de": {"buildID": "1"}}}}}
    incoming = {"platforms": {"linux": {"locales": {"fr": {"buildID": "1"}}}}}
    merged = merge(base, tip, incoming)
    assert merged["platforms"]["linux"]["locales"] == {"de": {"buildID": "1"}, "fr": {"buildID": "1"}}


def test_given_the_same_key_changed_differently_then_conflict():
    with pytest.raises(MergeConflict):
        merge({"appVersion": "1"}, {"appVersion": "2"}, {"appVersion": "3"})


def test_given_a_key_removed_on_one_side_only_then_it_is_removed():
    assert merge({"a": 1, "b": 2}, {"a": 1, "b": 2}, {"a": 1}) == {"a": 1}


def test_given_the_same_change_on_both_sides_then_no_conflict():
    assert merge({"a": 1}, {"a": 2}, {"a": 2}) == {"a": 2}
