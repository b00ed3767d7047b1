"""What the complaint officer's console asks of the central API, and how it can fail.

The console (``kiosk.ui.complaints``) is handed a :class:`ComplaintDeskApi` built in ``kiosk.core``
(``kiosk.sync.complaint_desk.ComplaintDesk`` over the signed endpoints); it knows only this module, so
the UI never imports an HTTP client. An :class:`OfficerAction` carries its own id: sent again after a
lost answer or an outage, the central API applies it once (idempotent by ``action_id``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Literal, Protocol

from kiosk.complaints.record import ComplaintRecord
from kiosk.complaints.states import Outcome, State, allowed_actions

ListState = Literal["open", "closed", "all"]
ActionKind = Literal["respond", "forward", "close"]
#: Outcomes a complaint may be closed with (the domain's :class:`~kiosk.complaints.states.Outcome`).
OUTCOMES: tuple[str, ...] = tuple(outcome.value for outcome in Outcome)


class DeskError(Exception):
    """The console's request did not go through; the subclasses say why."""


class DeskOffline(DeskError):
    """The central API cannot be reached now: keep what was typed and try again."""


class DeskNotEnrolled(DeskError):
    """This device has no (or no longer valid) credentials at the central API: IT must enroll it."""


class ActionRefused(DeskError):
    """The rules refuse this action now (e.g. closing twice); ``code`` is the server's reason."""

    def __init__(self, message: str, code: str = "not_allowed") -> None:
        super().__init__(message)
        self.code = code


class ComplaintNotFound(DeskError):
    """The central API does not know this complaint (or it belongs to another MPP)."""


class DeskRejected(DeskError):
    """The central API refused the request for another reason (bad input); the message says which."""


@dataclass(frozen=True)
class OfficerAction:
    """One thing the officer does to a complaint. Built once when the officer presses the button and
    kept until the central API confirms it, so a retry reuses ``action_id``."""

    action: ActionKind
    text: str
    officer: str
    agency: str | None = None
    outcome: str | None = None
    action_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def to_json(self) -> dict[str, str]:
        body = {"action_id": self.action_id, "action": self.action, "text": self.text, "officer": self.officer}
        if self.agency is not None:
            body["agency"] = self.agency
        if self.outcome is not None:
            body["outcome"] = self.outcome
        return body


def offered_actions(state: str) -> tuple[str, ...]:
    """What the console offers for a complaint in ``state`` (an unknown state: nothing)."""
    try:
        return tuple(action.value for action in allowed_actions(State(state)))
    except ValueError:
        return ()


class ComplaintDeskApi(Protocol):
    """The officer's three calls; each blocks (run it off the GUI thread) and raises :class:`DeskError`."""

    def list(self, state: ListState = "open") -> list[ComplaintRecord]: ...

    def get(self, complaint_id: str) -> ComplaintRecord: ...

    def act(self, complaint_id: str, action: OfficerAction) -> ComplaintRecord: ...

    def close(self) -> None: ...
