"""What the queue host's routes share: the engine and its helpers, and the path parameters' rules."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Annotated

from fastapi import Path as PathParam

from kiosk.queue.engine import QueueEngine
from kiosk.queue.routes.hub import EventHub
from kiosk.queue.routes.types import MAX_CODE_LENGTH, MAX_COUNTER
from kiosk.queue.status import StatusIndex

TicketId = Annotated[str, PathParam(min_length=1, max_length=100)]
CounterNo = Annotated[int, PathParam(ge=1, le=MAX_COUNTER)]
CodeParam = Annotated[str, PathParam(min_length=1, max_length=MAX_CODE_LENGTH, description="A service code")]


@dataclasses.dataclass(frozen=True)
class HostContext:
    """One app's engine, event hub and status index; ``counters_serving`` refines wait estimates."""

    engine: QueueEngine
    hub: EventHub
    status_index: StatusIndex
    counters_serving: Callable[[str], int] | None
    keepalive_seconds: float

    def serving(self, service_code: str) -> int:
        """How many counters serve ``service_code`` (at least 1; 1 when the site did not say)."""
        return max(1, self.counters_serving(service_code)) if self.counters_serving is not None else 1
