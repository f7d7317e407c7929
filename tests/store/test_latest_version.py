"""A product's latest version on a branch: the version of its newest run, whatever order runs load in.

Datazilla's ``metrics/<branch>/<revision>/`` defaults ``branch_version`` to the
product's most recent version on that branch (docs/datazilla.md); Shipyard keeps
it as one item, written by each loaded run that is the newest so far.
"""

from __future__ import annotations


def test_given_runs_loaded_out_of_date_order_when_noted_then_the_newest_runs_version_is_kept(aws):
    from chalicelib.store.refdata import LatestVersion, latest_version, note_version

    # Given no run yet
    assert latest_version("talos", "Mozilla-Inbound", "Firefox") is None
    # When runs are noted: a newer one, an older one, one at the same date, another product
    note_version("talos", "Mozilla-Inbound", "Firefox", "34.0a1", 2_000)
    note_version("talos", "Mozilla-Inbound", "Firefox", "33.0a1", 1_000)
    assert latest_version("talos", "Mozilla-Inbound", "Firefox") == "34.0a1"
    note_version("talos", "Mozilla-Inbound", "Firefox", "34.0a2", 2_000)
    note_version("talos", "Mozilla-Inbound", "Fennec", "31.0", 500)

    # Then the newest date's version wins (a tie goes to the later call), per product
    assert latest_version("talos", "Mozilla-Inbound", "Firefox") == "34.0a2"
    assert latest_version("talos", "Mozilla-Inbound", "Fennec") == "31.0"
    # and the item holds its key, the version and the date, nothing else
    item = LatestVersion.get("talos#latest_version", "Mozilla-Inbound#Firefox")
    assert item.attribute_values == {"kind": "talos#latest_version", "name": "Mozilla-Inbound#Firefox",
                                     "version": "34.0a2", "date_run": 2_000}
