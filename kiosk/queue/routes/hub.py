"""Fans committed engine events out to the connected event-stream clients (one asyncio queue each).

Each client reads one view of the events (:mod:`kiosk.queue.wire`): terminals the ticket without
its NIK or application, the lobby board only what it shows. Each view is serialised once per event,
and only when a client of that view is connected.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Iterator

from kiosk.queue.models import QueueEvent
from kiosk.queue.wire import board_event_to_json, event_to_json

QUEUE_SIZE = 1000  # events a client may lag behind before it gets one "resync" instead

Item = tuple[str, str]  # (event type, its JSON)
Client = tuple[asyncio.AbstractEventLoop, asyncio.Queue[Item], bool]  # (its loop, its queue, board view?)


class EventHub:
    """The engine's listener while the app runs; each stream client reads its own queue.

    The engine calls :meth:`on_event` on the committing thread (the event loop's own, since the
    handlers run there; any thread works): events are handed to each client's loop with
    ``call_soon_threadsafe``. It also notes, per thread, which ticket the
    last ``issued`` event created, so the issue endpoint can tell a new ticket from a retry.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: set[Client] = set()
        self.issuing = threading.local()

    def on_event(self, event: QueueEvent) -> None:
        if event.type.value == "issued":
            self.issuing.created = event.ticket.id
        with self._lock:
            clients = list(self._clients)
        if not clients:
            return
        items: dict[bool, Item] = {}
        try:
            current = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        for loop, queue, board in clients:
            item = items.get(board)
            if item is None:
                view = board_event_to_json(event) if board else event_to_json(event)
                item = items[board] = (event.type.value, json.dumps(view, ensure_ascii=False, default=str))
            if loop is current:  # the usual case (handlers run on the loop): no wake-up through the loop's pipe
                self._offer(queue, item)
                continue
            with contextlib.suppress(RuntimeError):  # that client's loop is closing
                loop.call_soon_threadsafe(self._offer, queue, item)

    @staticmethod
    def _offer(queue: asyncio.Queue[Item], item: Item) -> None:
        if queue.full():
            # A client this far behind gets one "resync" instead of the backlog (the host keeps its
            # memory; the client redraws from the board, which is what counts, and misses no call
            # on screen). Its listeners are told, so nothing is silently lost.
            while not queue.empty():
                queue.get_nowait()
            queue.put_nowait(("resync", "{}"))
            return
        queue.put_nowait(item)

    @property
    def client_count(self) -> int:
        with self._lock:
            return len(self._clients)

    @contextlib.contextmanager
    def client(self, *, board: bool = True) -> Iterator[asyncio.Queue[Item]]:
        """A client's queue while it is connected; ``board``: it reads the lobby board's view (the least)."""
        queue: asyncio.Queue[Item] = asyncio.Queue(maxsize=QUEUE_SIZE)
        entry: Client = (asyncio.get_running_loop(), queue, board)
        with self._lock:
            self._clients.add(entry)
        try:
            yield queue
        finally:
            with self._lock:
                self._clients.discard(entry)
