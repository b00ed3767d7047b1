"""The privacy notice (UU 27/2022) where personal data is first asked for: the NIK step and an application.

Layered, as notices on small screens are: one line always shown ("Data pribadi Anda dilindungi
UU 27/2022") with a button that opens the full notice in place — who holds the data, why, on what
legal basis, for how long, where to ask (texts in ``privacy.toml``; sources in docs/privacy.md). The
full notice is part of what "Bacakan" reads on the screen, so a citizen who cannot read hears it.
The words sit in the screen's reading area; the button (``toggle``) is placed by the screen among its
controls, low, within a seated person's reach.
"""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.i18n import Translator
from kiosk.ui.qt.widgets import button, label


class PrivacyNotice(QWidget):
    """The summary line and the notice itself (hidden until asked for); ``toggle`` opens and closes it."""

    def __init__(self, which: str, site: str, retention_days: int, parent: QWidget | None = None) -> None:
        """``which``: ``identify`` or ``application`` (the key under ``privacy.notice``)."""
        super().__init__(parent)
        self.setObjectName(f"privacyNotice_{which}")
        self.which, self.site, self.retention_days = which, site, retention_days
        self.summary = label("", "note")
        self.summary.setAccessibleName("privacySummary")
        self.toggle = button("", "small", self._toggle, name="privacyToggle")
        self.toggle.setCheckable(True)
        self.text = label("", "note")
        self.text.setAccessibleName("privacyText")
        self.text.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.summary)
        layout.addWidget(self.text)
        self.t = Translator()

    def retranslate(self, t: Translator) -> None:
        self.t = t
        self.summary.setText(t("privacy.summary"))
        self.text.setText(self.notice(t))
        self._show_toggle_text()

    def notice(self, t: Translator) -> str:
        return t(f"privacy.notice.{self.which}", site=self.site, days=self.retention_days)

    def close_notice(self) -> None:
        """Back to the one line (a new citizen, or the screen shown again)."""
        self.toggle.setChecked(False)
        self.text.hide()
        self._show_toggle_text()

    def spoken_text(self) -> str:
        """The summary and the whole notice: read aloud whether or not it is opened on screen."""
        return f"{self.summary.text()} {self.notice(self.t)}"

    def _toggle(self) -> None:
        self.text.setVisible(self.toggle.isChecked())
        self._show_toggle_text()

    def _show_toggle_text(self) -> None:
        self.toggle.setText(self.t("privacy.close" if self.toggle.isChecked() else "privacy.open"))
