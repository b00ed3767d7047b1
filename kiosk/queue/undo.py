"""Taking back a no-show pressed by mistake: the citizen walks up a second after the clerk gave up.

For a few seconds after a no-show the counter offers "Urungkan"; taking it back puts the ticket in
line again at its arrival time and calls it to the same counter (the board says it again). Only the
latest no-show can be taken back, only while the counter holds no other ticket, and a new call to
the counter ends the offer. No Qt here: the console shows the offer and runs :meth:`NoShowUndo.take_back`
on its worker thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from kiosk.queue.actions import CounterAction, allowed_at_counter
from kiosk.queue.models import Ticket, TicketState

UNDO_SECONDS = 10.0  # how long a no-show can be taken back


class CallsBack(Protocol):
    """The two queue calls an undo needs (a :class:`kiosk.queue.client.QueueClient` has them)."""

    def reactivate(self, ticket_id: str, *, actor: str) -> Ticket: ...
    def call_specific(self, counter: int, number: str, *, actor: str) -> Ticket: ...


class NoShowUndo:
    """The one no-show a counter may still take back, and until when.

    Its state is kept on one thread (the console's GUI thread); :meth:`take_back` runs on the worker
    and touches none of it.
    """

    def __init__(self, queue: CallsBack, *, seconds: float = UNDO_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.queue, self.seconds, self._clock = queue, seconds, clock
        self._ticket: Ticket | None = None
        self._until = 0.0

    def offer(self, ticket: Ticket) -> None:
        """``ticket`` was just marked no-show: it can be taken back for :attr:`seconds` (an earlier one no longer)."""
        self._ticket, self._until = ticket, self._clock() + self.seconds

    def forget(self) -> None:
        self._ticket = None

    @property
    def pending(self) -> Ticket | None:
        """The ticket that can still be taken back; None once the time is up."""
        if self._ticket is not None and self._clock() >= self._until:
            self._ticket = None
        return self._ticket

    def after(self, action: CounterAction, ticket: Ticket | None) -> None:
        """A counter action ended: a no-show opens the offer; another ticket called here ends it."""
        if ticket is None:
            return  # "nobody waiting": the offer still helps
        if action is CounterAction.NO_SHOW:
            self.offer(ticket)
        elif action.spec.calls:
            self.forget()

    def claim(self, in_hand: TicketState | None) -> Ticket | None:
        """The ticket to take back now, if any (the offer ends either way).

        None when the time is up or the counter already holds another ticket: calling the no-show
        back would leave two citizens at one counter.
        """
        ticket = self.pending
        self.forget()
        if ticket is None or not allowed_at_counter(CounterAction.UNDO_NO_SHOW, in_hand):
            return None
        return ticket

    def take_back(self, ticket: Ticket, counter: int, *, actor: str) -> Ticket:
        """Back in line with its arrival time, then called to ``counter`` again. Blocking: run it off the GUI."""
        self.queue.reactivate(ticket.id, actor=actor)
        return self.queue.call_specific(counter, ticket.number, actor=actor)
