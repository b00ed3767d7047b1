"""The complaint officer's console's client: D's signed complaint endpoints of the central API.

``GET /v1/complaints?mpp_code=X&state=open|closed|all``, ``GET /v1/complaints/{id}`` and
``POST /v1/complaints/{id}/actions``, signed like every device call (:mod:`kiosk.sync.signing`).
The central client's two kinds of failure become the console's (:mod:`kiosk.complaints.desk`):
unreachable → :class:`DeskOffline`; not enrolled, revoked → :class:`DeskNotEnrolled`; 409
``not_allowed`` → :class:`ActionRefused` with the server's reason; 404 → :class:`ComplaintNotFound`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from kiosk.complaints.desk import (
    ActionRefused,
    ComplaintNotFound,
    DeskNotEnrolled,
    DeskOffline,
    DeskRejected,
    ListState,
    OfficerAction,
)
from kiosk.complaints.record import ComplaintRecord, RecordError, records_from_json
from kiosk.config.schema import Config
from kiosk.sync.central_client import CentralAuthError, CentralClient, CentralRejected, CentralUnavailable, NotEnrolled

log = logging.getLogger(__name__)
T = TypeVar("T")
#: The most the central API lists at once (its newest): a year of a large MPP's complaints fits.
LIST_LIMIT = 5000


class ComplaintDesk:
    """One console's calls for one MPP. Not thread-safe: the console runs them on one worker thread."""

    def __init__(self, client: CentralClient, mpp_code: str) -> None:
        self.client, self.mpp_code = client, mpp_code

    def list(self, state: ListState = "open") -> list[ComplaintRecord]:
        query = {"mpp_code": self.mpp_code, "state": state, "limit": str(LIST_LIMIT)}
        answer = self._call(lambda: self.client.get_json("/complaints", query))
        try:
            return records_from_json(answer.get("complaints") if isinstance(answer, dict) else None)
        except RecordError as exc:
            raise DeskRejected(f"the central API's complaint list cannot be read: {exc}") from None

    def get(self, complaint_id: str) -> ComplaintRecord:
        answer = self._call(lambda: self.client.get_json(f"/complaints/{quote(complaint_id, safe='')}"))
        return _record(answer)

    def act(self, complaint_id: str, action: OfficerAction) -> ComplaintRecord:
        """Respond, forward or close; the same ``action.action_id`` again is applied once."""
        path = f"/complaints/{quote(complaint_id, safe='')}/actions"
        answer, _status = self._call(lambda: self.client.post_json(path, action.to_json(),
                                                                   idempotency_key=action.action_id))
        log.info("complaint %s: %s by %s", complaint_id, action.action, action.officer)
        return _record(answer)

    def close(self) -> None:
        self.client.close()

    @staticmethod
    def _call(call: Callable[[], T]) -> T:
        try:
            return call()
        except NotEnrolled as exc:
            raise DeskNotEnrolled(str(exc)) from exc
        except CentralUnavailable as exc:
            raise DeskOffline(str(exc)) from exc
        except CentralAuthError as exc:
            raise DeskNotEnrolled(exc.message or str(exc)) from exc
        except CentralRejected as exc:
            if exc.status == 409:
                raise ActionRefused(exc.message, exc.code or "not_allowed") from exc
            if exc.status == 404:
                raise ComplaintNotFound(exc.message) from exc
            raise DeskRejected(exc.message or str(exc)) from exc


def _record(answer: Any) -> ComplaintRecord:
    try:
        return ComplaintRecord.from_json(answer)
    except RecordError as exc:
        raise DeskRejected(f"the central API's complaint cannot be read: {exc}") from None


def desk_for_config(config: Config) -> tuple[ComplaintDesk | None, str]:
    """The desk for this site's MPP, and what stands in its way: ``""``, ``"no_central"`` (no
    ``[central] api_url``: no desk) or ``"not_enrolled"`` (a desk whose calls raise
    :class:`DeskNotEnrolled`). Raises CentralError for a damaged credentials file."""
    if not config.central.api_url:
        return None, "no_central"
    client = CentralClient.from_data_dir(config.central.api_url, config.data_dir,
                                         ca_file=config.central.ca_file or None, timeout=config.central.timeout_seconds)
    return ComplaintDesk(client, config.site.mpp_code), "" if client.credentials is not None else "not_enrolled"
