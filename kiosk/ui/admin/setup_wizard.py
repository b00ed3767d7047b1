"""First-run setup: role, building, queue host, central API, printer, camera, language, admin PIN.

Runs when a real install has no site configuration yet (``kiosk setup``, or ``kiosk run`` without
any configuration) and again from the admin menu. Slow steps (test connection, enroll, test print,
hashing the PIN, writing the file) run on a worker thread. The result is validated by the same
:func:`kiosk.config.schema.parse_config` as at start-up and written atomically
(:func:`kiosk.config.site_file.write_site_config`); keys the wizard does not ask about are kept.
"""

from __future__ import annotations

import dataclasses
import logging
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.camera.sources import source_from_config
from kiosk.config.schema import Config, ConfigError, PrinterKind, PrinterSection, Role, parse_config
from kiosk.config.site_file import dumps, merge, read_document, write_site_config
from kiosk.i18n import Translator
from kiosk.setup.actions import NotAvailable, detect_printers, enroll_device, list_cameras, test_print, test_queue_host
from kiosk.staff.admin_gate import make_pin_hash, pin_problem
from kiosk.ui.admin.style import admin_style
from kiosk.ui.admin.sync_status import sync_problem
from kiosk.ui.qt.application import application
from kiosk.ui.qt.camera_view import CameraFeed, CameraPreview
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.qt.theme import Scale
from kiosk.ui.qt.widgets import button, label

log = logging.getLogger(__name__)

_SETUP_KINDS = frozenset({"server", "tls", "not_accepted", "refused"})  # kinds with a setup.problem sentence


def setup_problem(exc: BaseException, area: str, t: Translator) -> str:
    """Why the queue host test or the enrollment failed, in the screen's language.

    The kind comes from the sync panel's sorting (:func:`sync_problem`), so one list of error shapes
    serves both; the sentences are the wizard's own (they speak of this address and this code, not of
    data waiting to be sent). The English reaches the screen only as the detail line of a kind IT
    must quote (a refusal's code, an unknown error); it is always in the log.
    """
    if isinstance(exc, ValueError) and "https://" in str(exc):
        return t("setup.problem.https")
    problem = sync_problem(exc)
    kind = problem.kind
    if kind == "offline":
        key = f"setup.problem.offline_{area}"
    else:
        key = f"setup.problem.{kind}" if kind in _SETUP_KINDS else "setup.problem.unknown"
    sentence = t(key, **({"status": "-", "code": "-"} | problem.params))
    detail = problem.detail(t)
    return f"{sentence}\n{detail[:300]}" if detail else sentence

ROLES: tuple[str, ...] = typing.get_args(Role)
PRINTER_KINDS: tuple[str, ...] = typing.get_args(PrinterKind)
PAGES = ("role", "site", "queue", "central", "printer", "camera", "language", "pin", "summary")


def _field(text: str, name: str, value: str = "", *, password: bool = False) -> tuple[QWidget, QLineEdit]:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    layout.addWidget(label(text, "fieldLabel"))
    edit = QLineEdit(value)
    edit.setObjectName(name)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
    layout.addWidget(edit)
    return box, edit


class Choice(QWidget):
    """Big exclusive toggle buttons (touch friendly), one per value. ``columns=0``: as many columns as
    the widest button fits in the width, so a long list fits a landscape screen without scrolling."""

    changed = Signal(str)

    def __init__(self, options: list[tuple[str, str]], value: str, name: str, columns: int = 1) -> None:
        super().__init__()
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(10)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        self.fit_width = columns == 0
        for key, text in options:
            widget = button(text, "toggle", name=f"{name}_{key}")
            widget.setCheckable(True)
            widget.setChecked(key == value)
            widget.clicked.connect(lambda _c=False, k=key: self.changed.emit(k))
            self.group.addButton(widget)
            self.buttons[key] = widget
        self.columns = 0
        self._place(max(columns, 1))

    def _place(self, columns: int) -> None:
        if columns == self.columns:
            return
        for widget in self.buttons.values():
            self.grid.removeWidget(widget)
        for i, widget in enumerate(self.buttons.values()):
            self.grid.addWidget(widget, i // columns, i % columns)
        for column in range(max(columns, self.columns)):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        self.columns = columns

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # a new style changed the buttons' widths
            self._fit()
        return super().event(event)

    def _fit(self) -> None:
        if self.fit_width:
            widest = max(b.sizeHint().width() for b in self.buttons.values()) + self.grid.spacing()
            fits = (self.width() + self.grid.spacing()) // max(widest, 1)
            self._place(max(1, min(len(self.buttons), fits)))

    @property
    def value(self) -> str:
        return next((k for k, b in self.buttons.items() if b.isChecked()), "")

    def select(self, key: str) -> None:
        self.buttons[key].setChecked(True)


class SetupWizard(QWidget):
    saved = Signal(object)  # the new Config
    cancelled = Signal()

    def __init__(self, config: Config, config_path: Path | str | None, t: Translator | None = None) -> None:
        super().__init__()
        self.setObjectName("setupWizard")
        self.config = config
        self.path = Path(config_path) if config_path else None
        self.t = t or Translator(config.device.language)
        self.runner = TaskRunner("setup", self)
        self.result: Config | None = None
        self.cameras: list[str] = []
        self._preview: CameraPreview | None = None
        self._feed: Any = None
        t = self.t
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 30, 40, 20)
        outer.setSpacing(12)
        head = QHBoxLayout()
        head.addWidget(label(t("setup.title"), "adminTitle"), 1)
        self.step_label = label("", "adminNote", wrap=False)
        head.addWidget(self.step_label)
        outer.addLayout(head)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)
        self.message = label("", "adminMessage")
        outer.addWidget(self.message)
        nav = QHBoxLayout()
        self.cancel_button = button(t("setup.cancel"), "", self.cancel, name="setupCancel")
        self.back_button = button(t("setup.back"), "", self.back, name="setupBack")
        self.next_button = button(t("setup.next"), "primary", self.next, name="setupNext")
        for widget in (self.cancel_button, self.back_button, self.next_button):
            nav.addWidget(widget)
        outer.addLayout(nav)
        self.pages: dict[str, QWidget] = {}
        for name in PAGES:
            page = QWidget()
            page.setObjectName(f"setupPage_{name}")
            layout = QVBoxLayout(page)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.setSpacing(14)
            title_key = f"setup.{name}.title"
            layout.addWidget(label(t(title_key), "sectionTitle"))
            getattr(self, f"_build_{name}")(layout)
            layout.addStretch(1)
            self.pages[name] = page
            scroll = QScrollArea()  # a small screen scrolls the page instead of growing the window
            scroll.setWidgetResizable(True)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            scroll.setWidget(page)
            self.stack.addWidget(scroll)
        self.go_to(0)

    # -- pages ---------------------------------------------------------------------------------
    def _build_role(self, layout: QVBoxLayout) -> None:
        self.role = Choice([(r, self.t(f"setup.role.{r}")) for r in ROLES], self.config.device.role, "role",
                           columns=0)  # six roles: two columns where they fit (a landscape screen)
        layout.addWidget(self.role)

    def _build_site(self, layout: QVBoxLayout) -> None:
        c = self.config
        box, self.site_name = _field(self.t("setup.site.name"), "siteName", c.site.name)
        layout.addWidget(box)
        box, self.site_code = _field(self.t("setup.site.code"), "siteCode", c.site.mpp_code)
        layout.addWidget(box)
        box, self.device_id = _field(self.t("setup.site.device_id"), "deviceId", c.device.id)
        layout.addWidget(box)
        layout.addWidget(label(self.t("setup.keyboard_note"), "adminNote"))

    def _build_queue(self, layout: QVBoxLayout) -> None:
        box, self.queue_url = _field(self.t("setup.queue.url"), "queueUrl", self.config.queue.host_url)
        layout.addWidget(box)
        box, self.queue_token = _field(self.t("setup.queue.token"), "queueToken", self.config.queue.device_token)
        layout.addWidget(box)
        self.queue_test = button(self.t("setup.queue.test"), "", self.test_queue_host, name="queueTest")
        layout.addWidget(self.queue_test)
        self.queue_result = label("", "adminMessage")
        layout.addWidget(self.queue_result)

    def _build_central(self, layout: QVBoxLayout) -> None:
        box, self.central_url = _field(self.t("setup.central.url"), "centralUrl", self.config.central.api_url)
        layout.addWidget(box)
        box, self.enroll_code = _field(self.t("setup.central.code"), "enrollCode")
        layout.addWidget(box)
        self.enroll_button = button(self.t("setup.central.enroll"), "", self.enroll, name="enrollButton")
        layout.addWidget(self.enroll_button)
        self.central_result = label("", "adminMessage")
        layout.addWidget(self.central_result)

    def _build_printer(self, layout: QVBoxLayout) -> None:
        self.printer_kind = Choice([(k, self.t(f"setup.printer.kinds.{k}")) for k in PRINTER_KINDS],
                                   self.config.printer.kind, "printerKind", columns=2)
        layout.addWidget(label(self.t("setup.printer.kind"), "fieldLabel"))
        layout.addWidget(self.printer_kind)
        box, self.printer_target = _field(self.t("setup.printer.target"), "printerTarget", self.config.printer.target)
        layout.addWidget(box)
        row = QHBoxLayout()
        row.addWidget(button(self.t("setup.printer.detect"), "", self.detect_printers, name="printerDetect"))
        self.printer_test = button(self.t("setup.printer.test"), "", self.test_print, name="printerTest")
        row.addWidget(self.printer_test)
        layout.addLayout(row)
        self.printer_result = label("", "adminMessage")
        layout.addWidget(self.printer_result)

    def _build_camera(self, layout: QVBoxLayout) -> None:
        self.camera_box = QVBoxLayout()
        layout.addLayout(self.camera_box)
        self.camera_note = label("", "adminNote")
        layout.addWidget(self.camera_note)
        self.camera_choice: Choice | None = None
        self.preview_holder = QVBoxLayout()
        layout.addLayout(self.preview_holder, 1)

    def _build_language(self, layout: QVBoxLayout) -> None:
        self.language = Choice([(lang, self.t(f"setup.language.{lang}")) for lang in ("id", "en")],
                               self.config.device.language, "language")
        layout.addWidget(self.language)

    def _build_pin(self, layout: QVBoxLayout) -> None:
        box, self.pin_first = _field(self.t("setup.pin.first"), "pinFirst", password=True)
        layout.addWidget(box)
        box, self.pin_second = _field(self.t("setup.pin.second"), "pinSecond", password=True)
        layout.addWidget(box)
        self.pin_note = label(self.t("setup.pin.keep") if self.config.admin.pin_hash else "", "adminNote")
        layout.addWidget(self.pin_note)

    def _build_summary(self, layout: QVBoxLayout) -> None:
        self.summary_where = label("", "adminNote")
        layout.addWidget(self.summary_where)
        self.summary = label("", "checkDetail")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)

    # -- navigation ----------------------------------------------------------------------------
    @property
    def page_name(self) -> str:
        return PAGES[self.stack.currentIndex()]

    def go_to(self, index: int) -> None:
        self._stop_preview()
        self.stack.setCurrentIndex(index)
        self.step_label.setText(self.t("setup.step", n=index + 1, total=len(PAGES)))
        self.back_button.setEnabled(index > 0)
        last = index == len(PAGES) - 1
        self.next_button.setText(self.t("setup.finish") if last else self.t("setup.next"))
        self.show_message("", error=False)
        if self.page_name == "camera":
            self._load_cameras()
        if last:
            self._fill_summary()

    def next(self) -> None:
        problem = self.page_problem(self.page_name)
        if problem:
            self.show_message(problem, error=True)
            return
        if self.page_name == "summary":
            self.save()
        else:
            self.go_to(self.stack.currentIndex() + 1)

    def back(self) -> None:
        if self.stack.currentIndex() > 0:
            self.go_to(self.stack.currentIndex() - 1)

    def cancel(self) -> None:
        self._stop_preview()
        self.cancelled.emit()

    def show_message(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    # -- what will be written --------------------------------------------------------------------
    def changes(self, pin_hash: str | None = None) -> dict[str, Any]:
        role = self.role.value or self.config.device.role
        changes: dict[str, Any] = {
            "device": {"role": role, "id": self.device_id.text().strip(), "language": self.language.value or "id",
                       "fullscreen": role in ("kiosk", "display")},
            "site": {"name": self.site_name.text().strip(), "mpp_code": self.site_code.text().strip()},
            "queue": {"host_url": self.queue_url.text().strip(), "device_token": self.queue_token.text().strip()},
            "central": {"api_url": self.central_url.text().strip()},
            "printer": {"kind": self.printer_kind.value or "none", "target": self.printer_target.text().strip()},
        }
        camera = self.camera_choice.value if self.camera_choice is not None else ""
        if camera:
            changes["camera"] = {"device": camera}
        if pin_hash:
            changes["admin"] = {"pin_hash": pin_hash}
        return changes

    def _document(self, changes: dict[str, Any]) -> dict[str, Any]:
        base = read_document(self.path) if self.path is not None else {}
        return merge(base, changes)

    def page_problem(self, page: str) -> str | None:
        """What stops this page from moving on (translated, or the config message for IT)."""
        t = self.t
        if page == "role" and not self.role.value:
            return t("setup.required")
        if page == "site":
            for edit in (self.site_name, self.site_code, self.device_id):
                if not edit.text().strip():
                    edit.setFocus()
                    return t("setup.required")
        if page == "pin":
            first, second = self.pin_first.text(), self.pin_second.text()
            if not first and not second and self.config.admin.pin_hash:
                return None  # keep the current PIN
            problem = pin_problem(first)
            if problem:
                return t(problem)
            if first != second:
                return t("setup.pin.mismatch")
        if page in ("site", "queue", "central", "printer", "summary"):
            try:
                parse_config(self._document(self.changes()), str(self.path or "setup"))
            except ConfigError as exc:
                section = (exc.key or "").split(".")[0].strip("[]")
                mine = {"site": ("site", "device"), "queue": ("queue",), "central": ("central",),
                        "printer": ("printer",)}.get(page)
                if mine is None or section in mine:
                    return str(exc)
        return None

    def _fill_summary(self) -> None:
        self.summary_where.setText(self.t("setup.summary.where", path=str(self.path)))
        shown = self.changes()
        if self.pin_first.text():
            shown["admin"] = {"pin_hash": "scrypt$…"}
        self.summary.setText(dumps(shown))

    def save(self) -> None:
        if self.path is None:
            raise RuntimeError("setup wizard has no file to write")
        pin = self.pin_first.text()
        path = self.path
        self.next_button.setEnabled(False)

        changes = self.changes()  # read the widgets here, on the GUI thread

        def work() -> Config:
            if pin:
                changes["admin"] = {"pin_hash": make_pin_hash(pin)}
            return write_site_config(path, changes)

        def done(config: Config) -> None:
            self.next_button.setEnabled(True)
            self.result = config
            log.info("setup written to %s (role %s)", path, config.device.role)
            self.show_message(self.t("setup.summary.saved"), error=False)
            self.saved.emit(config)

        def failed(exc: BaseException) -> None:
            self.next_button.setEnabled(True)
            log.warning("setup not written: %s", exc)
            self.show_message(self.t("setup.summary.error", reason=str(exc)), error=True)

        self.runner.run(work, done, failed)

    # -- slow actions -------------------------------------------------------------------------
    def _background(self, work: Callable[[], Any], target: Any, busy_text: str,
                    ok: Callable[[Any], str], fail_key: str) -> None:
        target.setText(busy_text)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, NotAvailable):
                unavailable = fail_key.rsplit(".", 1)[0] + ".not_available"
                target.setText(self.t(unavailable))
            else:
                log.warning("setup %s: %s", fail_key, exc)  # the English, for IT, stays in the log
                area = fail_key.split(".")[1]
                reason = setup_problem(exc, area, self.t) if area in ("queue", "central") else str(exc)[:200]
                target.setText(self.t(fail_key, reason=reason))

        self.runner.run(work, lambda value: target.setText(ok(value)), failed)

    def test_queue_host(self) -> None:
        url = self.queue_url.text().strip()
        if not url:
            self.queue_result.setText(self.t("setup.queue.empty"))
            return
        self._background(lambda: test_queue_host(url), self.queue_result, self.t("setup.queue.testing"),
                         lambda r: self.t("setup.queue.ok", ms=f"{r[0]:.0f}", offset=f"{r[1]:+.1f}"),
                         "setup.queue.failed")

    def enroll(self) -> None:
        url, code = self.central_url.text().strip(), self.enroll_code.text().strip()
        device = self.device_id.text().strip()
        if not url or not code:
            self.central_result.setText(self.t("setup.required"))
            return
        data_dir, insecure_ok = self.config.data_dir, self.config.central.allow_insecure_http
        mpp_code = self.site_code.text().strip()  # the site's [site] mpp_code: the device's MPP, for its bookings
        self._background(lambda: enroll_device(url, code, device, data_dir, allow_insecure_http=insecure_ok,
                                               mpp_code=mpp_code),
                         self.central_result,
                         self.t("setup.central.enrolling"), lambda _id: self.t("setup.central.enrolled"),
                         "setup.central.failed")

    def detect_printers(self) -> None:
        def shown(found: list[str]) -> str:
            if found and not self.printer_target.text().strip():
                self.printer_target.setText(found[0])
            if not found:
                return self.t("setup.printer.none_found")
            return self.t("setup.printer.detected", found=", ".join(found))

        self._background(detect_printers, self.printer_result, "…", shown, "setup.printer.test_failed")

    def test_print(self) -> None:
        kind = cast(PrinterKind, self.printer_kind.value or "none")  # the Choice offers only PRINTER_KINDS
        printer = PrinterSection(kind=kind,
                                 target=self.printer_target.text().strip(),
                                 paper_width_mm=self.config.printer.paper_width_mm)
        config = self.config
        self._background(lambda: test_print(config, printer), self.printer_result, "…",
                         lambda _r: self.t("setup.printer.test_ok"), "setup.printer.test_failed")

    def _load_cameras(self) -> None:
        if self.camera_choice is not None:
            self._start_preview()
            return
        self.runner.run(list_cameras, self._cameras_found, lambda exc: self.camera_note.setText(str(exc)))

    def _cameras_found(self, cameras: list[str]) -> None:
        configured = str(self.config.camera.device)
        if configured and not configured.isdigit() and configured not in cameras and Path(configured).exists():
            cameras = [configured, *cameras]  # a demo video or picture folder set in the configuration
        self.cameras = cameras
        if not cameras:
            self.camera_note.setText(self.t("setup.camera.none"))
            return
        self.camera_box.addWidget(label(self.t("setup.camera.device"), "fieldLabel"))
        self.camera_choice = Choice([(c, c) for c in cameras], cameras[0], "camera", columns=2)
        self.camera_choice.changed.connect(lambda _c: self._start_preview())
        self.camera_box.addWidget(self.camera_choice)
        self._start_preview()

    def _start_preview(self) -> None:
        """A live picture from the chosen camera, so IT sees it is the right one."""
        self._stop_preview()
        if self.page_name != "camera" or self.camera_choice is None:
            return
        camera = dataclasses.replace(self.config.camera, device=self.camera_choice.value)
        trial = dataclasses.replace(self.config, camera=camera)
        self.camera_note.setText("")
        self._feed = CameraFeed(source_from_config(trial), parent=self)
        self._feed.camera_failed.connect(self.camera_note.setText)
        self._preview = CameraPreview()
        self._preview.setMinimumHeight(240)
        self._preview.set_feed(self._feed)
        self.preview_holder.addWidget(self._preview)
        self._feed.start()

    def _stop_preview(self) -> None:
        if self._feed is not None:
            self._feed.stop()
            self._feed.deleteLater()
            self._feed = None
        if self._preview is not None:
            self._preview.set_feed(None)
            self._preview.deleteLater()
            self._preview = None

    def shutdown(self) -> None:
        self._stop_preview()
        self.runner.stop()


class SetupWindow(QWidget):
    """``kiosk setup`` on its own: the wizard in a window, styled like the admin panel."""

    def __init__(self, config: Config, path: Path) -> None:
        super().__init__()
        self.setObjectName("adminPanel")
        self.setWindowTitle("MPP Kiosk — Setup")
        self.wizard = SetupWizard(config, path)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.wizard)
        self._style = lambda: self.setStyleSheet(admin_style(Scale.for_size(self.width(), self.height())))
        self._style()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._style()

    def shutdown(self) -> None:
        self.wizard.shutdown()


def run_setup(config: Config, path: Path, *, windowed: bool = True) -> Config | None:
    """Show the wizard until it is saved (the new Config) or cancelled (None)."""
    app = application()
    window = SetupWindow(config, path)
    outcome: list[Config] = []

    def saved(new: Config) -> None:
        outcome.append(new)
        app.quit()

    window.wizard.saved.connect(saved)
    window.wizard.cancelled.connect(app.quit)
    window.resize(1280, 900)
    if windowed:
        window.show()
    else:
        window.showFullScreen()
    try:
        app.exec()
    finally:
        window.shutdown()
        window.close()
        window.deleteLater()
    return outcome[0] if outcome else None
