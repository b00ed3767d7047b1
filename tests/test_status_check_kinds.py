""""Cek status" looks up only our own codes: the screens' question (can_look_up) and the checker's answer agree."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from kiosk.visit.qr_codes import QrKind, QrReading
from kiosk.visit.status_check import LOOKUP_KINDS, StatusChecker, can_look_up


class UnknownTickets:
    """A queue that knows no ticket: enough to see which codes the checker tries to answer."""

    def status(self, token: str) -> dict[str, Any] | None:
        return None


@pytest.mark.parametrize("kind", get_args(QrKind))
def test_the_screens_look_up_exactly_what_the_checker_answers(kind: QrKind) -> None:
    reading = QrReading(kind, "3171014501900001" if kind == "ikd" else "abc")
    queue: Any = UnknownTickets()  # only status() is asked for
    answered = StatusChecker(queue).check(reading).kind != "not_ours"
    assert can_look_up(reading) is answered


def test_an_ikd_or_a_strangers_code_is_not_looked_up() -> None:
    assert set(LOOKUP_KINDS) == {"ticket_status", "application_status"}
    assert not can_look_up(QrReading("ikd", "3171014501900001"))
    assert not can_look_up(QrReading("unknown"))
