"""What the kiosk's application screens are handed: forms, the local store, the camera, the STR lookup.

The composition root (:func:`kiosk.core.application_services`) builds one from the site config; the
screens never open a store or a client themselves. The counter's views of filed applications
(:class:`~kiosk.applications.views.CounterViews`) live beside the store and are opened with it.
No Qt here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.applications.drafts import RegistrationLookup
from kiosk.applications.filing import ApplicationFiling, TicketIssuer
from kiosk.applications.views import PUSH_INTERVAL_SECONDS, CounterViews, PushReport, open_counter_views
from kiosk.camera.sources import FrameSource
from kiosk.catalog.forms import Form, FormSet
from kiosk.catalog.services import Service


@dataclass
class ApplicationServices:
    """What the kiosk needs for applications; the window gets one when the site files applications.

    ``store`` is the local ``kiosk.sync.outbox.ApplicationStore``; ``camera`` makes a fresh frame
    source each time the document step opens (None: no camera, documents go to the counter);
    ``lookup_registration`` asks the central platform for a health worker's STR by NIK (may block).
    ``views`` defaults to the counter's views beside ``store`` (None when they cannot be opened).
    """

    forms: FormSet
    store: Any
    camera: Callable[[], FrameSource] | None = None
    lookup_registration: RegistrationLookup | None = None
    owns_store: bool = False  # close the store when the kiosk shuts down
    on_close: Callable[[], None] | None = None  # e.g. the central API client of the lookup
    views: CounterViews | None = None
    push_interval_seconds: int = PUSH_INTERVAL_SECONDS

    def __post_init__(self) -> None:
        if self.views is None:
            self.views = open_counter_views(self.store, self.forms)

    def form_for(self, service: Service | None) -> Form | None:
        return self.forms.form_for(service.code) if service is not None else None

    def filing(self, queue: TicketIssuer) -> ApplicationFiling:
        """Filing through ``queue`` (the kiosk's) into this store."""
        return ApplicationFiling(queue, self.store, self.views)

    def push_views(self, queue: Any) -> PushReport | None:
        """Give ``queue`` the counter's views it lacks (blocking; never raises for a queue problem)."""
        return self.views.push(queue) if self.views is not None else None

    def close(self) -> None:
        if self.views is not None:
            self.views.close()
            self.views = None
        if self.owns_store:
            self.store.close()
        if self.on_close is not None:
            self.on_close()
            self.on_close = None
