"""Whether each service can issue a ticket now (``GET /v1/services/availability``), for the kiosk's service list.

One read for every service, so the list shows "Kuota habis", "Tutup" and "Segera tutup (15:00)" before
the citizen types anything (issue 17); computed by the checks ``issue()`` makes
(:mod:`kiosk.queue.availability`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from kiosk.config.schema import SiteSection
from kiosk.queue.availability import snapshot_to_json
from kiosk.queue.routes.access import Reader
from kiosk.queue.routes.context import HostContext

MAX_CLOSING_SOON_MINUTES = 240  # the config key's own limit ([site] closing_soon_minutes)


def router(host: HostContext) -> APIRouter:
    routes = APIRouter()

    @routes.get("/v1/services/availability", tags=["read"])
    async def availability(
            _grant: Reader,
            closing_soon_minutes: Annotated[int, Query(
                ge=0, le=MAX_CLOSING_SOON_MINUTES,
                description="An open service closing within this many minutes is `closing_soon`.")]
            = SiteSection.closing_soon_minutes) -> dict[str, Any]:
        """Every service: `open`, `closing_soon` (`closes_at`), `closed` or `quota_full` (`next_open`), and
        tickets `remaining` today. Priority tickets count against the quota too: `quota_full` is for everyone.
        Times carry the building's UTC offset."""
        return snapshot_to_json(host.engine.availability(closing_soon_minutes))

    return routes
