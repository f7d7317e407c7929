"""Alerts as pure data: detections placed on pushes, stored alerts reconciled with them, triage parsed."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from chalicelib.perf import alerts
from chalicelib.perf.alerts import Detection, Point
from chalicelib.perf.detectors import Change

GROUP = "talos#Mozilla-Inbound#Firefox#linux#Fedora 12#x86_64#opt#Talos tp5n"


def _detection(push_id: int = 40, page: str = "a.com", **changes) -> Detection:
    base = Detection(page, push_id, push_id + 1000, 1_300_000_000 + push_id, f"rev{push_id}", push_id - 1,
                     100.0, 110.0, 10.0, "regression", 0.999, ("edivisive",))
    return replace(base, **changes)


def _stored(detection: Detection, status: str = "untriaged") -> dict:
    return {"alert_id": alerts.alert_id(GROUP, detection.page, detection.push_id), "page": detection.page,
            "push_id": detection.push_id, "status": status, "prev_value": detection.prev_value,
            "new_value": detection.new_value, "magnitude": detection.magnitude, "direction": detection.direction,
            "confidence": detection.confidence, "detectors": list(detection.detectors),
            "amount_abs": detection.amount_abs, "t_value": detection.t_value}


def test_an_alert_id_is_the_same_for_the_same_series_and_push_only():
    assert alerts.alert_id(GROUP, "a.com", 40) == alerts.alert_id(GROUP, "a.com", 40)
    assert len({alerts.alert_id(GROUP, "a.com", 40), alerts.alert_id(GROUP, "b.com", 40),
                alerts.alert_id(GROUP, "a.com", 41)}) == 3


def test_slower_is_a_regression_and_faster_an_improvement():
    assert alerts.direction_of(100.0, 110.0) == "regression"
    assert alerts.direction_of(100.0, 90.0) == "improvement"
    assert alerts.direction_of(100.0, 110.0, lower_is_better=False) == "improvement"


def test_a_detection_lands_on_the_first_push_at_the_new_level():
    points = [Point(10 + i, 100 + i, 1000 + i, f"r{i}", 1.0) for i in range(6)]
    points.insert(4, Point(13, 103, 1003, "r3-retrigger", 1.0))  # a retriggered run of push 13

    def detector(pushes):
        assert [len(p) for p in pushes] == [1, 1, 1, 2, 1, 1]
        return [Change(3, 100.0, 90.0, 0.97, -4.1, ("shipyard",))]

    [found] = alerts.detect_series("a.com", points, detect=detector)
    assert (found.push_id, found.prev_push_id, found.pushlog_id, found.revision) == (13, 12, 103, "r3")
    assert found.direction == "improvement" and found.magnitude == 10.0


def test_a_new_detection_is_created_and_a_known_one_left_alone():
    known, new = _detection(40), _detection(70)
    plan = alerts.reconcile(GROUP, [known, new], [_stored(known)], {"a.com": (30, 90)})
    assert plan.create == [new] and plan.refresh == [] and plan.withdraw == []


def test_changed_numbers_refresh_the_alert():
    old = _detection(40)
    better = replace(old, new_value=111.0, magnitude=11.0)
    plan = alerts.reconcile(GROUP, [better], [_stored(old)], {"a.com": (30, 90)})
    assert plan.refresh == [(alerts.alert_id(GROUP, "a.com", 40), better)] and plan.create == []


def test_an_untriaged_alert_no_longer_found_where_the_detector_looked_is_withdrawn():
    gone = _detection(40)
    plan = alerts.reconcile(GROUP, [], [_stored(gone)], {"a.com": (30, 90)})
    assert plan.withdraw == [alerts.alert_id(GROUP, "a.com", 40)]


@pytest.mark.parametrize("status, span", [("acknowledged", (30, 90)), ("untriaged", (41, 90)),
                                          ("untriaged", None)])
def test_triaged_alerts_and_alerts_outside_the_examined_span_stay(status, span):
    kept = _detection(40)
    examined = {} if span is None else {"a.com": span}
    assert alerts.reconcile(GROUP, [], [_stored(kept, status)], examined).withdraw == []


def test_the_examined_span_starts_a_judging_window_into_the_points():
    points = [Point(i, i, i, "r", 1.0) for i in range(1, 51)]
    assert alerts.examined_span(points, window=30) == (31, 50)
    assert alerts.examined_span(points[:30], window=30) is None


def test_a_series_seen_from_its_first_run_is_examined_whole():
    """Points that start at the series' first run have nothing further back to wait for: every push is examined."""
    points = [Point(i, i, i, "r", 1.0) for i in range(1, 21)]
    assert alerts.examined_span(points, window=30, from_series_start=True) == (1, 20)


@pytest.mark.parametrize("body, message", [
    ([], "JSON object"), ({"status": "done"}, "must be one of"), ({}, "must be one of"),
    ({"status": "invalid", "colour": "red"}, "unknown field"), ({"status": "invalid", "note": 5}, "'note'"),
])
def test_a_triage_body_must_name_a_known_status(body, message):
    with pytest.raises(ValueError, match=message):
        alerts.parse_status(body)


def test_every_status_can_be_set():
    assert [alerts.parse_status({"status": s}) for s in alerts.STATUSES] == list(alerts.STATUSES)


def _step_points(before: float, after: float, pushes: int = 40) -> list[alerts.Point]:
    values = [before + (i % 3) * 0.2 if i < pushes // 2 else after + (i % 3) * 0.2 for i in range(pushes)]
    return [alerts.Point(i, 1000 + i, 1_300_000_000 + i, f"rev{i}", v) for i, v in enumerate(values)]


@pytest.mark.parametrize(("lower_is_better", "direction"), [(True, "regression"), (False, "improvement")])
def test_a_rise_is_a_regression_only_where_lower_is_better(lower_is_better, direction):
    """treeherder/perf/alerts.py get_alert_properties: is_regression = (delta > 0 and lower_is_better) or ..."""
    [found] = alerts.detect_series("a.com", _step_points(100.0, 120.0), lower_is_better=lower_is_better)
    assert (found.push_id, found.direction) == (20, direction)
    assert found.amount_abs == pytest.approx(20.0, abs=0.5) and found.magnitude == pytest.approx(20.0, abs=0.5)
    assert found.t_value > 0


@pytest.mark.parametrize("lower_is_better", [True, False])
def test_a_direction_applied_after_detection_is_the_one_detected_with(lower_is_better):
    """The alerts job reads a signature's lower_is_better only for pages with a change, then applies it."""
    points = _step_points(100.0, 120.0)
    assert (alerts.with_direction(alerts.detect_series("a.com", points), lower_is_better)
            == alerts.detect_series("a.com", points, lower_is_better=lower_is_better))


def test_a_summary_id_sorts_by_push_date_and_names_one_push_of_one_branch():
    first = alerts.summary_id("talos", "Mozilla-Inbound", 7, 1_300_000_000)
    assert first == alerts.summary_id("talos", "Mozilla-Inbound", 7, 1_300_000_000)
    assert first != alerts.summary_id("talos", "Fx-Team", 7, 1_300_000_000)
    assert first < alerts.summary_id("talos", "Mozilla-Inbound", 3, 1_300_000_001)


def test_the_production_detector_alerts_a_quiet_series_three_percent_drop_of_a_higher_is_better_score():
    """As the speedometer3 alerts on macOS 14 in the real-data benchmark (autoland/5042134, 3.3 %, a regression):
    below the 5 % floor, but the series is quiet enough for the noise-adaptive floor; its direction is read through
    the series' lower_is_better (Perfherder's is_regression: a fall of a higher-is-better score)."""
    rng = np.random.default_rng(11)
    values = [32.5 * (1 + rng.normal(0, 0.002)) * (0.967 if i >= 40 else 1.0) for i in range(80)]
    points = [Point(100 + i, 5000 + i, 1_700_000_000 + i, f"r{i}", v) for i, v in enumerate(values)]
    [found] = alerts.detect_series("speedometer3", points, lower_is_better=False)
    assert abs(found.push_id - 140) <= 1 and 2.5 < found.magnitude < 4.5
    assert found.direction == "regression" and found.confidence > 0.99
