"""When a citizen with a booking arrives, relative to the booked slot: early, on time or late.

A pure rule shared by the queue host (which decides what the check-in answers) and anyone who
explains it (the kiosk's choice screen, reports). The window is configured (``[bookings]
early_minutes`` / ``late_minutes``); its edges count as on time, so "15 minutes early" with a
15-minute window is on time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum


class Arrival(str, Enum):
    """Where an arrival falls against the booked slot's window."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


def classify_arrival(slot_start: datetime, now: datetime, early_minutes: int, late_minutes: int) -> Arrival:
    """Early when more than ``early_minutes`` before the slot, late when more than ``late_minutes`` after.

    Both times must be alike (both aware, or both naive local): the host passes aware times. Negative
    windows are refused (a configuration error, caught at load time too)."""
    if early_minutes < 0 or late_minutes < 0:
        raise ValueError("the arrival window's minutes cannot be negative")
    if now < slot_start - timedelta(minutes=early_minutes):
        return Arrival.EARLY
    if now > slot_start + timedelta(minutes=late_minutes):
        return Arrival.LATE
    return Arrival.ON_TIME
