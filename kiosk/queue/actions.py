"""What a clerk can do at a counter, and from which ticket state: one table for the engine and the console.

The engine refuses a move whose ticket is in a state the table does not list (``IllegalTransition``);
the counter console enables a button by the same table, so the two cannot drift apart
(tests/queue/test_counter_actions.py checks every state against the engine).

Two kinds of action:

* actions on the ticket **in hand** (called to this counter or being served): recall, start, finish,
  no-show, transfer. The states listed are those of that ticket. Finishing a called ticket records
  its start implicitly (at the call): a clerk who serves at once needs no "Mulai layani".
* actions that **call** a ticket to this counter: call next, call priority, call a number, and undo a
  no-show (which calls the ticket back). The states listed are those of the ticket being called; the
  counter itself must hold no ticket (:data:`IN_HAND`) first, except for the two "next" calls, which
  finish the ticket in hand first in the same transaction (one key per citizen).
* undo a finish (pressed by mistake, usually with "Panggil berikutnya"): the finished ticket is
  served again and the ticket the same key called goes back to its place in line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType

from kiosk.queue.models import TicketState

S = TicketState

IN_HAND: frozenset[TicketState] = frozenset({S.CALLED, S.SERVING})  # a counter holding one of these is busy
# Not a counter action (the citizen gives up, or the building's admin tidies the line): listed here so
# every state rule of the engine lives in this module.
CANCELLABLE: frozenset[TicketState] = frozenset({S.ISSUED, S.CALLED})


class CounterAction(str, Enum):
    """A clerk's action at the counter; the value names its texts and its button (objectName)."""

    CALL_NEXT = "call_next"
    CALL_PRIORITY = "call_priority"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no_show"
    TRANSFER = "transfer"
    CALL_NUMBER = "call_number"
    UNDO_NO_SHOW = "undo_no_show"
    UNDO_FINISH = "undo_finish"

    @property
    def label_key(self) -> str:
        """The i18n key of its button's text."""
        return f"counter.action.{self.value}"

    @property
    def done_key(self) -> str:
        """The i18n key of what the console says once it is done ("A-001 selesai.")."""
        return f"counter.did.{self.value}"

    @property
    def spec(self) -> ActionSpec:
        return ACTIONS[self]


@dataclass(frozen=True)
class ActionSpec:
    """One row of the table."""

    shortcut: str  # as Qt's QKeySequence reads it
    from_states: frozenset[TicketState]  # states of the ticket the action moves
    calls: bool  # calls a ticket to this counter, so the counter must hold none
    on_grid: bool = True  # one of the console's big buttons (an undo appears only after its action)
    finishes_first: bool = False  # a call that finishes the ticket in hand first (both or neither)


ACTIONS: Mapping[CounterAction, ActionSpec] = MappingProxyType({
    CounterAction.CALL_NEXT: ActionSpec("F1", frozenset({S.ISSUED}), calls=True, finishes_first=True),
    CounterAction.CALL_PRIORITY: ActionSpec("F2", frozenset({S.ISSUED}), calls=True, finishes_first=True),
    CounterAction.RECALL: ActionSpec("F3", frozenset({S.CALLED}), calls=False),
    CounterAction.START: ActionSpec("F4", frozenset({S.CALLED}), calls=False),
    CounterAction.FINISH: ActionSpec("F5", frozenset({S.CALLED, S.SERVING}), calls=False),
    CounterAction.NO_SHOW: ActionSpec("F6", frozenset({S.CALLED}), calls=False),
    # The engine also transfers a waiting ticket; at a counter the ticket in hand is called or served.
    CounterAction.TRANSFER: ActionSpec("F7", frozenset({S.ISSUED, S.CALLED, S.SERVING}), calls=False),
    # A no-show called by its number is taken back into the line and called (the citizen came back).
    CounterAction.CALL_NUMBER: ActionSpec("F8", frozenset({S.ISSUED, S.NO_SHOW}), calls=True),
    CounterAction.UNDO_NO_SHOW: ActionSpec("Ctrl+Z", frozenset({S.NO_SHOW}), calls=True, on_grid=False),
    # Shares Ctrl+Z: the console offers one undo at a time (the latest action's).
    CounterAction.UNDO_FINISH: ActionSpec("Ctrl+Z", frozenset({S.DONE}), calls=False, on_grid=False),
})

GRID: tuple[CounterAction, ...] = tuple(action for action in CounterAction if ACTIONS[action].on_grid)


def allowed_from(action: CounterAction) -> frozenset[TicketState]:
    """The states from which the engine lets ``action`` move a ticket."""
    return ACTIONS[action].from_states


def allowed_at_counter(action: CounterAction, in_hand: TicketState | None) -> bool:
    """Whether a counter whose current ticket is in state ``in_hand`` (None: no ticket) may do ``action``."""
    spec = ACTIONS[action]
    if action is CounterAction.UNDO_FINISH:
        # The counter holds nothing, or only the ticket the same key called (not yet being served).
        return in_hand is not S.SERVING
    if spec.calls:
        return in_hand not in IN_HAND or (spec.finishes_first and in_hand in ACTIONS[CounterAction.FINISH].from_states)
    return in_hand in IN_HAND and in_hand in spec.from_states
