"""The application path of the kiosk: form, document photos, summary, receipt.

For a service with an application form the citizen's walk is one path: service → requirements →
NIK (→ face) → the form, one question per page with our own keyboard → photos of the required
documents → a summary to confirm → one receipt with the queue number, the application number and
a QR code to check the status later. A citizen came for the service, not for "a ticket and then an
application", so the kiosk asks once and hands out one paper's worth of numbers at the end.

One module per page (:mod:`.form`, :mod:`.documents`, :mod:`.summary`, :mod:`.receipt`); screens
only show and emit, and :class:`~.flow.ApplicationFlow` does the slow work off the GUI thread and
tells the window where to go. Everything the citizen entered lives in ``session.application``; the
kiosk's wipe replaces the session and resets these screens, so nothing is left for the next person.
The window is handed its :class:`~kiosk.applications.services.ApplicationServices` by the
composition root (:func:`kiosk.core.application_services`).
"""
