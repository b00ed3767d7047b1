"""Taking back a no-show or a finish pressed by mistake (the citizen walks up a second after the clerk
gave up; "Panggil berikutnya" pressed while the citizen still had a question).

For a few seconds after a no-show the counter offers "Urungkan"; taking it back puts the ticket in
line again at its arrival time and calls it to the same counter (the board says it again). Only the
latest no-show can be taken back, only while the counter holds no other ticket, and a new call to
the counter ends the offer. No Qt here: the console shows the offer and runs :meth:`NoShowUndo.take_back`
on its worker thread.

A finish (alone, or the first half of "Panggil berikutnya") is taken back the same way
(:class:`FinishUndo`): the ticket is served again at this counter and the ticket the same key called
goes back to its place in line, in one queue transaction (``QueueClient.undo_finish``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from kiosk.queue.actions import IN_HAND, CounterAction, allowed_at_counter
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


class TakesBackFinish(Protocol):
    """The queue call a finish's undo needs (a :class:`kiosk.queue.client.QueueClient` has it)."""

    def undo_finish(self, counter: int, finished_id: str, called_id: str | None, *, actor: str) -> Ticket: ...


class FinishUndo:
    """The one finish a counter may still take back (with the ticket the same key called), and until when.

    Kept on the console's GUI thread like :class:`NoShowUndo`; :meth:`take_back` runs on the worker.
    """

    def __init__(self, queue: TakesBackFinish, *, seconds: float = UNDO_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.queue, self.seconds, self._clock = queue, seconds, clock
        self._offer: tuple[Ticket, Ticket | None] | None = None
        self._until = 0.0

    def offer(self, finished: Ticket, called: Ticket | None) -> None:
        """``finished`` was just done (and ``called`` called by the same key): it can be taken back for a while."""
        self._offer, self._until = (finished, called), self._clock() + self.seconds

    def forget(self) -> None:
        self._offer = None

    @property
    def pending(self) -> tuple[Ticket, Ticket | None] | None:
        """(finished, called) that can still be taken back; None once the time is up."""
        if self._offer is not None and self._clock() >= self._until:
            self._offer = None
        return self._offer

    def claim(self, in_hand: Ticket | None) -> tuple[Ticket, Ticket | None] | None:
        """What to take back now, if anything (the offer ends either way).

        None when the time is up, or the counter holds another ticket than the one the same key
        called, or serves it already: taking back would leave two citizens at one counter.
        """
        offer = self.pending
        self.forget()
        if offer is None:
            return None
        called = offer[1]
        held = in_hand if in_hand is not None and in_hand.state in IN_HAND else None
        if held is not None and (called is None or held.id != called.id):
            return None
        if not allowed_at_counter(CounterAction.UNDO_FINISH, held.state if held is not None else None):
            return None
        return offer[0], called if held is not None else None

    def take_back(self, offer: tuple[Ticket, Ticket | None], counter: int, *, actor: str) -> Ticket:
        """Served again, the called ticket back in line. Blocking: run it off the GUI."""
        finished, called = offer
        return self.queue.undo_finish(counter, finished.id, called.id if called is not None else None, actor=actor)


class Undoes(CallsBack, TakesBackFinish, Protocol):
    """What both undos need from the queue."""


class CounterUndo:
    """The one undo a counter offers at a time: for the latest no-show or finish (one Ctrl+Z, one button).

    The console tells it what each action did and asks what to offer; GUI thread only, like its parts.
    """

    def __init__(self, queue: Undoes, *, seconds: float = UNDO_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.no_show = NoShowUndo(queue, seconds=seconds, clock=clock)
        self.finish = FinishUndo(queue, seconds=seconds, clock=clock)

    def after(self, action: CounterAction, ticket: Ticket | None) -> None:
        """A counter action ended with ``ticket``: a no-show or a finish opens its offer and ends the other."""
        self.no_show.after(action, ticket)
        if ticket is None:
            return
        if action is CounterAction.FINISH:
            self.finish.offer(ticket, None)
            self.no_show.forget()
        elif action is not CounterAction.RECALL:
            self.finish.forget()  # the counter moved on: the finish stands

    def after_finish_and_call(self, finished: Ticket | None, called: Ticket | None) -> None:
        """ "Panggil berikutnya" finished ``finished`` and called ``called`` (None: nobody waited)."""
        self.no_show.forget()
        if finished is not None:
            self.finish.offer(finished, called)

    def offered(self) -> tuple[CounterAction, Ticket, bool] | None:
        """The undo to show now: its action, the ticket it brings back, and whether a ticket just called
        stays in sight (the button must not hide its number); None when nothing can be taken back."""
        finish = self.finish.pending
        if finish is not None:
            return CounterAction.UNDO_FINISH, finish[0], finish[1] is not None
        no_show = self.no_show.pending
        return (CounterAction.UNDO_NO_SHOW, no_show, False) if no_show is not None else None

    def forget(self) -> None:
        self.no_show.forget()
        self.finish.forget()

    def claim(self, in_hand: Ticket | None) -> tuple[CounterAction, Callable[[int, str], Ticket]] | None:
        """The undo to run now and its blocking call ``(counter, actor) -> ticket``; every offer ends."""
        if self.finish.pending is not None:
            offer = self.finish.claim(in_hand)
            self.no_show.forget()
            if offer is None:
                return None
            return CounterAction.UNDO_FINISH, lambda counter, actor: self.finish.take_back(offer, counter, actor=actor)
        ticket = self.no_show.claim(in_hand.state if in_hand is not None else None)
        if ticket is None:
            return None
        return CounterAction.UNDO_NO_SHOW, lambda counter, actor: self.no_show.take_back(ticket, counter, actor=actor)
