"""A series group's registry: ``last_updated`` on an item of its own, its pages on another.

Every run rewrites the group's ``last_updated`` (Perfherder's signatures list
filters on it), and DynamoDB bills a write on the whole item: beside a tp5
group's hundred page names that was two write units a run; alone it is one.
"""

from __future__ import annotations

PAGES = [f"{i}.www.example-news-site.com" for i in range(100)]


def _group():
    from chalicelib.perf.series import SeriesGroup

    return SeriesGroup("talos", "Firefox", "Firefox", "linux", "Fedora 12", "x86_64", "opt", "Talos tp5n")


def test_given_a_registered_group_when_a_run_moves_last_updated_then_the_item_written_is_under_a_kilobyte(aws):
    from chalicelib.store import perf_signatures
    from chalicelib.store.item_size import KB, item_bytes
    from chalicelib.store.perf_signatures import SeriesGroupRecord

    # Given a group whose hundred pages are registered
    group = _group()
    assert perf_signatures.register(group, PAGES, 1_000) == 100

    # When a later run of it is registered by a container that has not seen it
    perf_signatures._known.clear()
    assert perf_signatures.register(group, PAGES, 2_000) == 0

    # Then last_updated moved on an item of its own, small enough for one write unit
    pk = perf_signatures._pk(group.branch)
    stored = SeriesGroupRecord.get(pk, perf_signatures._group_sk(group), consistent_read=True)
    assert int(stored.last_updated) == 2_000 and not stored.pages
    assert item_bytes(stored.serialize()) < KB
    assert SeriesGroupRecord.get(pk, perf_signatures._pages_sk(group)).pages == set(PAGES)
    assert {s.last_updated for s in perf_signatures.in_repository(group.branch)} == {2_000}


def test_given_a_group_registered_before_the_split_when_a_run_comes_then_its_pages_move_and_keep_their_ids(aws):
    from chalicelib.store import perf_signatures
    from chalicelib.store.perf_signatures import SeriesGroupRecord

    # Given a group registered as it was before the split: pages and last_updated on one group# item
    group = _group()
    perf_signatures.register(group, PAGES, 1_000)
    pk, group_sk = perf_signatures._pk(group.branch), perf_signatures._group_sk(group)
    SeriesGroupRecord(pk, group_sk, pages=set(PAGES), last_updated=1_000).save()
    SeriesGroupRecord(pk, perf_signatures._pages_sk(group)).delete()
    ids = {s.signature.page: s.id for s in perf_signatures.in_repository(group.branch)}
    perf_signatures._known.clear()

    # When a run of the group with one new page is registered
    assert perf_signatures.register(group, [*PAGES, "new.example.com"], 2_000) == 1

    # Then no old page got a second signature, every page is on the pages item, the group item is small
    after = {s.signature.page: s.id for s in perf_signatures.in_repository(group.branch)}
    assert {page: after[page] for page in ids} == ids and len(after) == 101
    assert SeriesGroupRecord.get(pk, perf_signatures._pages_sk(group)).pages == {*PAGES, "new.example.com"}
    stored = SeriesGroupRecord.get(pk, group_sk, consistent_read=True)
    assert not stored.pages and int(stored.last_updated) == 2_000
