"""Where a complaint stands and what an officer may do next: one table, used by the central API and
the officer's console (so a button the console shows is never refused, and the other way round).

``received`` → (respond) ``responded`` → (forward) ``forwarded`` → (close, with an outcome) ``closed``.
Respond and forward may repeat (a further answer, another agency); close ends it, and nothing is
allowed after. Any first action (respond, forward or close) stops the first-response clock; close
stops the resolution clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from kiosk.complaints.model import I18N_TABLE, MAX_TEXT_CHARS, clean_text

MAX_AGENCY_CHARS = 120
MAX_OFFICER_CHARS = 64


class State(str, Enum):
    RECEIVED = "received"
    RESPONDED = "responded"
    FORWARDED = "forwarded"
    CLOSED = "closed"


class Action(str, Enum):
    RESPOND = "respond"
    FORWARD = "forward"    # to the agency that can act (e.g. Dukcapil, a regional office), named in ``agency``
    CLOSE = "close"        # with an :class:`Outcome`


class Outcome(str, Enum):
    RESOLVED = "resolved"
    NOT_SUBSTANTIATED = "not_substantiated"
    REFERRED = "referred"            # referred to SP4N-LAPOR!
    WITHDRAWN = "withdrawn"          # the citizen withdrew it


OPEN_STATES = (State.RECEIVED, State.RESPONDED, State.FORWARDED)

# action -> (states it is allowed from, the state it leads to)
TRANSITIONS: dict[Action, tuple[tuple[State, ...], State]] = {
    Action.RESPOND: (OPEN_STATES, State.RESPONDED),
    Action.FORWARD: (OPEN_STATES, State.FORWARDED),
    Action.CLOSE: (OPEN_STATES, State.CLOSED),
}


@dataclass(frozen=True)
class ActionRequest:
    """What the officer asks for. ``text`` goes to the citizen (the answer, why it was forwarded or closed)."""

    action: Action
    text: str
    officer: str
    agency: str | None = None
    outcome: Outcome | None = None


def allowed_actions(state: State) -> tuple[Action, ...]:
    """The actions the console offers in ``state`` (none once closed)."""
    return tuple(action for action, (sources, _) in TRANSITIONS.items() if state in sources)


def is_allowed(state: State, action: Action) -> bool:
    return state in TRANSITIONS[action][0]


def next_state(state: State, action: Action) -> State:
    """The state after ``action``; raises :class:`ValueError` when the rules refuse it (check first)."""
    sources, target = TRANSITIONS[action]
    if state not in sources:
        raise ValueError(f"{action.value} is not allowed when a complaint is {state.value}")
    return target


def action_problems(request: ActionRequest) -> list[tuple[str, str]]:
    """What is wrong with the request itself, as (field, i18n key); the state is checked apart."""
    problems: list[tuple[str, str]] = []
    text = clean_text(request.text)
    if not text:
        problems.append(("text", f"{I18N_TABLE}.action_problem.text_empty"))
    elif len(text) > MAX_TEXT_CHARS:
        problems.append(("text", f"{I18N_TABLE}.action_problem.text_too_long"))
    if not request.officer.strip() or len(request.officer) > MAX_OFFICER_CHARS:
        problems.append(("officer", f"{I18N_TABLE}.action_problem.officer_missing"))
    agency = (request.agency or "").strip()
    if request.action == Action.FORWARD and not agency:
        problems.append(("agency", f"{I18N_TABLE}.action_problem.agency_missing"))
    elif request.action != Action.FORWARD and agency:
        problems.append(("agency", f"{I18N_TABLE}.action_problem.agency_unexpected"))
    if len(agency) > MAX_AGENCY_CHARS:
        problems.append(("agency", f"{I18N_TABLE}.action_problem.agency_too_long"))
    if request.action == Action.CLOSE and request.outcome is None:
        problems.append(("outcome", f"{I18N_TABLE}.action_problem.outcome_missing"))
    elif request.action != Action.CLOSE and request.outcome is not None:
        problems.append(("outcome", f"{I18N_TABLE}.action_problem.outcome_unexpected"))
    return problems
