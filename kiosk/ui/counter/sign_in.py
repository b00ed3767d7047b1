"""The counter's sign-in panel. Shared with the complaint officer's console, it lives in
:mod:`kiosk.ui.qt.sign_in`; this name stays for the counter's modules."""

from kiosk.ui.qt.sign_in import SignInPanel

__all__ = ["SignInPanel"]
