"""The one ``QApplication`` of the process, named for the window system and the settings."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from kiosk import __version__


def application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setApplicationName("MPP Kiosk")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("MPP Kiosk")
    return app  # type: ignore[return-value]  # instance() is typed QCoreApplication; ours is a QApplication


def running_application() -> QApplication:
    """The application a widget lives in (it exists whenever a widget does); for application-wide hooks."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("no QApplication: create one with kiosk.ui.qt.application.application() first")
    return app
