"""The fleet page's traffic light (issue 22): one pure function, each rule on its own."""

from __future__ import annotations

from typing import Any

import pytest

from central_api.fleet_rules import REASON_LIGHT, FleetThresholds, assess, build_key, newest_build


def summary(**changes: Any) -> dict[str, Any]:
    """A healthy device's latest heartbeat."""
    base = {"build": "0.2.0", "printer": "ok", "camera": "ok", "queue_host": "reachable", "outbox_waiting": 0,
            "outbox_oldest_seconds": None, "clock_offset_seconds": 0.3, "disk_free_mb": 40_000}
    return {**base, **changes}


def judge(seen: float = 30, newest: str | None = "0.2.0", revoked: bool = False,
          **changes: Any) -> tuple[str, tuple[str, ...]]:
    result = assess(summary(**changes), seen_seconds_ago=seen, newest=newest, revoked=revoked)
    return result.light, result.reasons


def test_a_healthy_device_is_green() -> None:
    assert judge() == ("green", ())


@pytest.mark.parametrize(("changes", "expected"), [
    ({"seen": 601}, ("red", ("not_seen",))),
    ({"seen": 599}, ("green", ())),
    ({"printer": "paper_out"}, ("red", ("paper_out",))),
    ({"printer": "cover_open"}, ("red", ("cover_open",))),
    ({"printer": "offline"}, ("red", ("printer_offline",))),
    ({"printer": "paper_low"}, ("yellow", ("paper_low",))),
    ({"printer": "none"}, ("green", ())),
    ({"printer": "unknown"}, ("green", ())),
    ({"queue_host": "unreachable"}, ("red", ("queue_host_unreachable",))),
    ({"outbox_waiting": 51, "outbox_oldest_seconds": 60}, ("yellow", ("backlog",))),
    ({"outbox_waiting": 50, "outbox_oldest_seconds": 60}, ("green", ())),
    ({"outbox_waiting": 301, "outbox_oldest_seconds": 60}, ("red", ("backlog_high",))),
    ({"outbox_waiting": 1, "outbox_oldest_seconds": 25 * 3600}, ("red", ("backlog_high",))),
    ({"build": "0.1.9"}, ("yellow", ("old_build",))),
    ({"build": "0.10.0", "newest": "0.10.0"}, ("green", ())),
    ({"clock_offset_seconds": 121}, ("yellow", ("clock_off",))),
    ({"clock_offset_seconds": -121}, ("yellow", ("clock_off",))),
    ({"clock_offset_seconds": 119}, ("green", ())),
    ({"clock_offset_seconds": None}, ("green", ())),
    ({"disk_free_mb": 100}, ("yellow", ("disk_low",))),
    ({"camera": "missing"}, ("yellow", ("camera_missing",))),
    ({"camera": "unused"}, ("green", ())),
    ({"revoked": True}, ("red", ("revoked",))),
])
def test_each_rule_turns_its_light(changes: dict[str, Any], expected: tuple[str, tuple[str, ...]]) -> None:
    assert judge(**changes) == expected


def test_every_reason_is_listed_red_first() -> None:
    light, reasons = judge(seen=3600, printer="paper_low", clock_offset_seconds=500, queue_host="unreachable")
    assert light == "red"
    assert reasons == ("not_seen", "queue_host_unreachable", "paper_low", "clock_off")
    assert set(reasons) <= set(REASON_LIGHT)


def test_thresholds_change_the_rules() -> None:
    strict = FleetThresholds(not_seen_minutes=2, backlog_items=5, clock_seconds=10)
    assert assess(summary(), seen_seconds_ago=121, newest=None, thresholds=strict).reasons == ("not_seen",)
    assert assess(summary(outbox_waiting=6), seen_seconds_ago=0, newest=None, thresholds=strict).reasons == ("backlog",)
    assert assess(summary(clock_offset_seconds=11), seen_seconds_ago=0, newest=None,
                  thresholds=strict).reasons == ("clock_off",)


def test_thresholds_come_from_the_environment_and_refuse_nonsense() -> None:
    assert FleetThresholds.from_env({}) == FleetThresholds()
    read = FleetThresholds.from_env({"KIOSK_FLEET_NOT_SEEN_MINUTES": "15", "KIOSK_FLEET_BACKLOG_ITEMS": "80"})
    assert (read.not_seen_minutes, read.backlog_items) == (15.0, 80)
    with pytest.raises(ValueError, match="KIOSK_FLEET_BACKLOG_ITEMS"):
        FleetThresholds.from_env({"KIOSK_FLEET_BACKLOG_ITEMS": "many"})
    with pytest.raises(ValueError, match="more than 0"):
        FleetThresholds.from_env({"KIOSK_FLEET_CLOCK_SECONDS": "0"})


def test_builds_sort_by_their_numbers() -> None:
    assert build_key("0.10.0") > build_key("0.9.2") > build_key("0.9.1")
    assert newest_build(["0.9.2", "0.10.0", "0.1.0"]) == "0.10.0"
    assert newest_build([]) is None
