"""A run's index copies hold what the metrics views show, not its page names.

Every index copy of an item costs as many write units as it holds (DynamoDB's
"Provisioned throughput considerations for Global Secondary Indexes"); a tp5
run's hundred page names are most of its item, so ``by_revision`` and
``by_push`` leave them out and the views read them elsewhere
(``chalicelib.services.datazilla.revision_metrics``).
"""

from __future__ import annotations

RUN = {"date_run": 1_343_675_400, "test_name": "Talos tp5n", "test_version": 1, "product": "Firefox",
       "branch": "Mozilla-Inbound", "branch_version": "17.0a1", "os_name": "linux", "os_version": "Fedora 12",
       "machine": "qm-pxp01", "build_id": "20120730", "revision": "d27fb6c58f34", "processor": "x86_64",
       "build_type": "opt", "options": {"tp_cycles": "25"}, "page_names": [f"{i}.cnn.com" for i in range(100)]}


def test_given_a_linked_run_when_read_through_either_index_then_it_has_every_shown_field_but_no_page_names(aws):
    from chalicelib.store import test_runs

    # Given a run saved with its push
    link = test_runs.PushLink("Mozilla-Inbound", push_id=7, pushlog_id=70, push_date=1_343_675_000)
    test_runs.save("talos", 5, RUN, "Mozilla-Inbound", link)

    # When it is read by revision and by push
    [by_revision] = test_runs.for_revision("talos", "Mozilla-Inbound", "d27fb6c58f34")
    [by_push] = test_runs.on_pushes("talos", "Mozilla-Inbound", 7, 7)

    # Then both copies hold the fields the views show and the run's place, and no page names or options
    for found in (by_revision, by_push):
        values = found.attribute_values
        assert {name: values[name] for name in test_runs.RUN_FIELDS if name in RUN} == {
            name: RUN[name] for name in test_runs.RUN_FIELDS if name in RUN}
        assert (values["push_id"], values["pushlog_id"], values["canonical_branch"]) == (7, 70, "Mozilla-Inbound")
        assert list(values["page_names"]) == [] and not values["options"].as_dict()  # PynamoDB's defaults
    # and the names are one BatchGetItem away, for the runs asked about only
    assert test_runs.page_names_of("talos", [5, 6]) == {5: RUN["page_names"]}
