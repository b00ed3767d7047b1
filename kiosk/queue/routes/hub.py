"""Fans committed engine events out to the connected event-stream clients (one asyncio queue each)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Iterator

from kiosk.queue.models import QueueEvent
from kiosk.queue.wire import event_to_json

QUEUE_SIZE = 1000  # events a client may lag behind before it gets one "resync" instead

Item = tuple[str, str]  # (event type, its JSON)


class EventHub:
    """The engine's listener while the app runs; each stream client reads its own queue.

    The engine calls :meth:`on_event` on the committing thread (the event loop's own, since the
    handlers run there; any thread works): events are handed to each client's loop with
    ``call_soon_threadsafe``. It also notes, per thread, which ticket the
    last ``issued`` event created, so the issue endpoint can tell a new ticket from a retry.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Item]]] = set()
        self.issuing = threading.local()

    def on_event(self, event: QueueEvent) -> None:
        if event.type.value == "issued":
            self.issuing.created = event.ticket.id
        with self._lock:
            clients = list(self._clients)
        if not clients:
            return
        item = (event.type.value, json.dumps(event_to_json(event), ensure_ascii=False, default=str))
        try:
            current = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        for loop, queue in clients:
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
    def client(self) -> Iterator[asyncio.Queue[Item]]:
        queue: asyncio.Queue[Item] = asyncio.Queue(maxsize=QUEUE_SIZE)
        entry = (asyncio.get_running_loop(), queue)
        with self._lock:
            self._clients.add(entry)
        try:
            yield queue
        finally:
            with self._lock:
                self._clients.discard(entry)
