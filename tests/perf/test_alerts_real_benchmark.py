"""The real-data alert benchmark's own mechanics: its data, its pairing, its rebuild from the dataset's files."""

from __future__ import annotations

import csv
import gzip
import io
import json

import pytest

from benchmarks import alerts_real, alerts_real_tune, realise, realise_build
from benchmarks.realise import Alert, Window

HEADER = ("repository_name,signature_id,push_id,value,single_alert_status,alert_summary_status,"
          "single_alert_is_regression,alert_summary_status_general")


def test_the_shipped_windows_load_with_their_sheriffed_alerts():
    windows = realise.load()
    assert len(windows) >= 20 and all(len(w.push_ids) == len(w.pushes) == len(set(w.push_ids)) for w in windows)
    android = next(w for w in windows if w.key == "firefox-android/4654684")
    assert [(a.push_id, a.alert_status, a.summary_status, a.is_regression) for a in android.alerts] == [
        (1260911, 4, 4, False), (1269952, 1, 1, False)]
    assert all(android.pushes[a.index] and android.push_ids[a.index] == a.push_id for a in android.alerts)
    assert any(len(values) > 1 for w in windows for values in w.pushes)  # retriggers are kept as replicates


def test_a_signature_may_have_several_windows_each_with_its_own_rows():
    windows = [w for w in realise.load() if w.key == "autoland/3869639"]
    assert len(windows) == 2
    assert windows[0].push_ids[-1] < windows[1].push_ids[0]
    assert [(a.push_id, a.invalid) for w in windows for a in w.alerts] == [(1252485, False), (1283328, True)]


def test_the_held_out_split_is_fixed_by_the_signature_alone_and_holds_out_about_a_third():
    windows = realise.load()
    held = {w.key for w in windows if w.held_out}
    assert held and held != {w.key for w in windows}
    assert all(realise.held_out(w.repository, w.signature_id) == (w.key in held) for w in windows)


def test_pairing_is_one_to_one_and_nearest_first():
    # given two detections near one alert, then one far from the other alert
    assert alerts_real.pair([10, 11], [11], tolerance=2) == {0}
    assert alerts_real.pair([10, 40], [11, 30], tolerance=5) == {0}


def test_a_detection_near_a_sheriff_invalid_alert_is_counted_apart_and_as_a_false_positive():
    window = Window("autoland", 1, "linux", "suite", "test", True, push_ids=list(range(40)),
                    pushes=[[1.0]] * 40,
                    alerts=[Alert(10, 10, 4, 7, True), Alert(30, 30, 3, 3, True)])
    counts = alerts_real.count(window, [11, 28])
    assert (counts.tp, counts.fp, counts.fn) == ((1, 1, 1), (1, 1, 1), (0, 0, 0))
    assert (counts.invalid_hits, counts.regressions, counts.regressions_found) == (1, 1, 1)


def test_the_rebuild_keeps_a_windows_rows_and_only_the_alert_columns_it_needs():
    source = io.StringIO("\n".join([
        HEADER,
        "autoland,7,99,1.0,,,,TN",
        "autoland,7,100,2.0,,,,TN",
        "autoland,7,101,3.5,4.0,7.0,True,TP",
        "autoland,7,101,3.4,,,,TN",
        "autoland,7,102,3.6,,,,TN",
    ]))
    rows = realise_build.window_rows({"repository": "autoland", "signature_id": 7, "first_push_id": 100,
                                      "last_push_id": 101}, csv.DictReader(source))
    assert rows == [["autoland", "7", "100", "2.0", "", "", "", "", ""],
                    ["autoland", "7", "101", "3.5", "4", "7", "True", "TP", ""],
                    ["autoland", "7", "101", "3.4", "", "", "", "", ""]]


def test_the_rebuild_reads_the_aggregated_files_alert_columns_too():
    # given the aggregated file's names for the same facts (test_* is the alert, alert_* its summary)
    source = io.StringIO("\n".join([
        "revision,value,push_id,test_status,alert_status,test_is_regression,alert_status_general,test_status_general,"
        "alert_prev_push_id",
        "aa,1.0,100,,,,TN,TN,",
        "bb,2.5,101,3.0,3.0,True,FP,FP,100.0",
    ]))
    rows = realise_build.window_rows({"repository": "autoland", "signature_id": 7, "first_push_id": 100,
                                      "last_push_id": 101}, csv.DictReader(source))
    assert rows == [["autoland", "7", "100", "1.0", "", "", "", "", ""],
                    ["autoland", "7", "101", "2.5", "3", "3", "True", "FP", "100"]]


def test_a_detection_inside_a_backfilled_alert_range_counts_at_range_but_not_at_the_alerts_push():
    """Perfherder names a push range (prev_push_id, push_id]; backfills later fill it (treeherder
    ``PerformanceAlertSummary.prev_push``), so the culprit may sit several pushes before the alert's push."""
    # given an alert at position 20 whose previous push was at position 12 (backfilled pushes 13..19 between)
    window = Window("autoland", 1, "linux", "suite", "test", True, push_ids=list(range(40)), pushes=[[1.0]] * 40,
                    alerts=[Alert(20, 20, 4, 7, True, prev_push_id=12, first_index=13)])
    # when a detector finds the step at 14
    counts = alerts_real.count(window, [14])
    # then it misses at ±2 and ±5 of the alert's push, and hits within the range
    assert (counts.tp, counts.fn) == ((0, 0, 1), (1, 1, 0))


def test_the_loader_places_an_alerts_range_after_its_previous_push():
    windows = {w.key: w for w in realise.load()}
    alert = windows["autoland/4361218"].alerts[0]
    assert alert.prev_push_id == 1257512 and windows["autoland/4361218"].push_ids[alert.first_index - 1] == 1257512
    started_before = windows["autoland/4375244"].alerts[0]  # its previous push precedes the window
    assert started_before.span == (0, started_before.index)


def test_the_bootstrap_interval_brackets_the_point_estimate():
    windows = realise.load()
    row = alerts_real.summarise("perfherder", alerts_real.evaluate(windows, {
        "perfherder": alerts_real.DETECTORS["perfherder"]})["perfherder"], resamples=400)
    for f1, (low, high) in zip(row.f1, row.f1_interval, strict=True):
        assert low <= f1 <= high


def test_the_paired_difference_is_zero_for_one_detector_and_positive_for_one_better_on_every_window():
    worse = [alerts_real.Counts((1, 1, 1), (1, 1, 1), (1, 1, 1), 0, 0, 0)] * 10
    better = [alerts_real.Counts((2, 2, 2), (0, 0, 0), (0, 0, 0), 0, 0, 0)] * 10
    assert alerts_real.paired_difference(worse, worse, 200) == (0.0, 0.0, 0.0)
    delta, low, high = alerts_real.paired_difference(better, worse, 200)
    assert delta == low == high == 0.5  # 1.0 against 2/4 on every resample


def test_a_hits_direction_is_read_through_the_series_lower_is_better_and_checked_against_perfherders():
    """Perfherder's is_regression: for a lower-is-better series a rise is a regression, for a higher-is-better
    one a fall (``treeherder/perf/alerts.py``: ``is_regression = (delta > 0 and lower_is_better) or ...``)."""
    alerts = [Alert(10, 10, 4, 7, True)]
    times = Window("autoland", 1, "linux", "suite", "test", True, push_ids=list(range(40)), pushes=[[1.0]] * 40,
                   alerts=alerts)
    score = Window("autoland", 2, "macos", "speedometer3", "", False, push_ids=list(range(40)), pushes=[[1.0]] * 40,
                   alerts=alerts)
    def checked_agreed(window: Window, detected: list[int], rises: list[bool]) -> tuple[int, int]:
        counts = alerts_real.count(window, detected, rises)
        return counts.directions_checked, counts.directions_agreed

    assert checked_agreed(times, [11], [True]) == (1, 1)
    assert checked_agreed(score, [11], [True]) == (1, 0)
    assert checked_agreed(score, [11, 30], [False, True]) == (1, 1)  # the unpaired detection is not checked


def test_cross_validation_scores_a_signature_with_the_choice_made_without_it():
    """The real-data tuning's promise (benchmarks/alerts_real_tune.py): no window is scored by a choice that saw it."""
    hit = alerts_real.Counts((1, 1, 1), (0, 0, 0), (0, 0, 0), 0, 0, 0)
    miss = alerts_real.Counts((0, 0, 0), (1, 1, 1), (1, 1, 1), 0, 0, 0)
    # given grid point 1 that finds signature "a" (two windows) and "c", and point 0 that finds "b" and "c"
    keys = ["a", "a", "b", "c"]
    counts = [[miss, miss, hit, hit], [hit, hit, miss, hit]]
    scored, chosen = alerts_real_tune.leave_one_signature_out(keys, counts)
    # then "a" is scored by point 0 (all "b" and "c" can tell), "b" and "c" by point 1 (what "a" adds)
    assert chosen == [0, 0, 1, 1] and scored == [miss, miss, miss, hit]


def test_a_step_found_early_in_a_backfilled_range_is_binned_as_such_both_as_miss_and_as_false_alarm():
    # given a clean 20 % step at push 12 and an alert on push 25 whose range starts at 10 (backfilled since)
    level = [100.0 + (k % 3) * 0.5 for k in range(40)]
    pushes = [[v * (1.2 if k >= 12 else 1.0)] for k, v in enumerate(level)]
    window = Window("autoland", 1, "android", "suite", "test", True, push_ids=list(range(40)), pushes=pushes,
                    alerts=[Alert(25, 25, 4, 7, True, prev_push_id=9, first_index=10)])
    # then production finds the step, too far from the alert's push for ±5, inside its range, and the listing
    # says where: the 20 % step on push 12, nothing left at the alert's push once it is placed
    assert alerts_real.why([window]).splitlines() == [
        "production's misses at ±5: {'backfilled range': 1}",
        "production's false alarms at ±5: {'in a backfilled range': 1}",
        "  backfilled range: autoland/1 alert on push 25 (range from push 10), step found on push 12, 13 pushes "
        "before it; step test there z +5.0, 20.0 %; at the alert's push after it z +0.2, 0.0 %"]


def test_a_backfilled_range_miss_whose_step_is_another_alerts_hit_says_so():
    # given a 20 % step at push 12 that a sheriff alerted there after backfilling, and Perfherder's original alert
    # on push 16 whose range starts at 10 (reassigned to the new one: two alerts, one change)
    level = [100.0 + (k % 3) * 0.5 for k in range(40)]
    pushes = [[v * (1.2 if k >= 12 else 1.0)] for k, v in enumerate(level)]
    window = Window("autoland", 1, "android", "suite", "test", True, push_ids=list(range(40)), pushes=pushes,
                    alerts=[Alert(12, 12, 4, 5, True, prev_push_id=11, first_index=12),
                            Alert(16, 16, 2, 2, True, prev_push_id=9, first_index=10)])
    # then the step is the sheriff's alert's hit, and the original alert's miss names it
    lines = alerts_real.why([window]).splitlines()
    assert lines[:2] == ["production's misses at ±5: {'backfilled range': 1}", "production's false alarms at ±5: {}"]
    assert "step found on push 12 (a hit of the alert on push 12), 4 pushes before it" in lines[2]


def test_an_aggregated_windows_push_becomes_its_measurements_with_their_arrival_ids():
    # given a push the aggregated file holds as the mean of three measurements, the alert's columns on it
    aggregated = [["autoland", "7", "100", "2.0", "", "", "", "", ""],
                  ["autoland", "7", "101", "3.5", "4", "7", "True", "TP", "100"]]
    source = io.StringIO("\n".join([
        "signature_id,entry_id,value,push_id",
        "7,11,2.0,100",
        "7,12,3.0,101",
        "7,19,4.5,101.0",
        "7,20,3.0,101",
        "7,13,9.9,102",
    ]))
    found = realise_build.measurements({"first_push_id": 100, "last_push_id": 101}, csv.DictReader(source))

    # when the window is expanded
    rows = realise_build.expand(aggregated, found)

    # then each measurement is a row, in file order, with its entry id and the push's alert columns
    assert rows == [["autoland", "7", "100", "2.0", "", "", "", "", "", "11"],
                    ["autoland", "7", "101", "3.0", "4", "7", "True", "TP", "100", "12"],
                    ["autoland", "7", "101", "4.5", "4", "7", "True", "TP", "100", "19"],
                    ["autoland", "7", "101", "3.0", "4", "7", "True", "TP", "100", "20"]]


@pytest.mark.parametrize("found", [{100: [("2.0", "11")]}, {100: [("2.0", "11")], 101: [("3.0", "12")]}],
                         ids=["a push missing", "measurements of another version"])
def test_measurements_that_are_not_the_aggregated_files_are_refused(found):
    aggregated = [["autoland", "7", "100", "2.0", "", "", "", "", ""],
                  ["autoland", "7", "101", "3.5", "", "", "", "", ""]]

    with pytest.raises(ValueError, match="push 101"):
        realise_build.expand(aggregated, found)


def test_the_shipped_data_keeps_every_transcribed_measurement_with_its_arrival_id():
    manifest = json.loads((realise.DATA / "manifest.json").read_text())
    transcribed = [w for w in manifest["windows"] if "measurements" in w]
    with gzip.open(realise.DATA / "windows.csv.gz", "rt", newline="") as f:
        rows = list(csv.DictReader(f))

    assert transcribed and all(w["measurements"]["path"].startswith("data/all-datasets-annotated/")
                               for w in transcribed)
    keys = {(w["repository"], str(w["signature_id"]), w["first_push_id"], w["last_push_id"]) for w in transcribed}
    inside = [r for r in rows if any((r["repository"], r["signature_id"]) == k[:2] and k[2] <= int(r["push_id"]) <= k[3]
                                     for k in keys)]
    assert inside and all(r["entry_id"] for r in inside)
    assert len({r["entry_id"] for r in inside}) == len(inside)
