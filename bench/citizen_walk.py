"""How long a citizen takes at the kiosk, and how many taps (issue 16, item 7). Prints one JSON object.

The real kiosk window is driven offscreen by taps for several visitors, from the welcome screen to the
printed ticket (or the receipt). Each visitor's time is a keystroke-level model of the person
(Card, Moran & Newell, *The Psychology of Human-Computer Interaction*, 1983) added to the time the
machine took, measured:

* **reading**: on each new screen the person reads its heading (the visible ``title``, ``subtitle``,
  ``banner`` and ``errorBanner`` labels) and, before each choice, the words of the options they look
  at: for a list of tiles or choices, every option before the one they take in reading order, and it;
  for a single button, its words. Words ÷ a slow reading speed (``words_per_minute``).
* **deciding**: one mental preparation (KLM's M, 1.35 s) per choice; for digits copied from a card,
  one per group of four (the NIK is read off the KTP in four chunks).
* **pointing**: Fitts' law for each tap, ``a + b · log2(D / W + 1)`` with D the distance in mm from the
  previous tap's target centre to this one's and W the smaller side of the target in mm (a 32" portrait
  screen: 1920 px over 708 mm), plus one homing of the hand to the screen (KLM's H, 0.4 s).
* **machine**: wall time from each tap until the next screen is ready (the ticket issued, the step
  shown), measured here through the in-process queue.

The people (constants below, with their sources): a first-time adult reads at 120 words/min (slow:
adult silent reading is ~200–240), decides in 1.35 s, points with a = 0.2 s, b = 0.15 s/bit (touch
screens: MacKenzie 1992, Sears & Shneiderman 1991 — throughput ≈ 5–7 bits/s); an elderly person reads
at 80 words/min, decides in 2.0 s (×1.5, Salthouse's general slowing) and points with a = 0.3 s,
b = 0.25 s/bit.

The face check is off in this walk (no camera here); ``face_step_s`` says what it adds: reading its
instructions plus the measured decision p50 from ``bench/face.py`` / docs/face-check.md (3.3 s).

The clock runs from the first tap's reach to the ticket (or receipt) on screen; reading it afterwards is
``then_reading_the_ticket_s``. ``seconds_at_average_reading`` is the same walk read at 238 words/min.

Targets: first-time ticket ≤ 30 s, elderly with large text ≤ 45 s, no NIK ≤ 35 s.

Usage: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/citizen_walk.py``
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QFrame, QLabel, QWidget

from kiosk.visit.flow import Step

SCREEN_MM_PER_PX = 708.4 / 1920  # a 32" 16:9 screen in portrait: 708 mm high over 1920 px
HOMING_S = 0.4  # KLM's H: the hand to the screen, once per visit
FACE_DECISION_P50_S = 3.3  # docs/face-check.md, "Before and after": face in oval → decision, accepted live
NIK = "3171014501900001"
HEADING_NAMES = ("title", "subtitle", "banner", "errorBanner")
AVERAGE_WPM = 238  # adults' silent reading of non-fiction (Brysbaert 2019): what the slow rate is set against
TARGETS = {"first_time_ticket_s": 30.0, "elderly_large_text_s": 45.0, "no_nik_s": 35.0}


@dataclass(frozen=True)
class Person:
    """A keystroke-level model of one kind of visitor (the constants and their sources: module docstring)."""

    name: str
    words_per_minute: float
    decision_s: float
    fitts_a_s: float
    fitts_b_s_per_bit: float

    def reading_s(self, words: int) -> float:
        return words * 60.0 / self.words_per_minute

    def pointing_s(self, distance_mm: float, width_mm: float) -> float:
        return self.fitts_a_s + self.fitts_b_s_per_bit * math.log2(distance_mm / max(width_mm, 1.0) + 1)


ADULT = Person("first-time adult", 120, 1.35, 0.2, 0.15)
ELDERLY = Person("elderly", 80, 2.0, 0.3, 0.25)


def words(text: str) -> int:
    return len([w for w in text.replace("\n", " ").split(" ") if any(ch.isalnum() for ch in w)])


def run_events(until: Callable[[], bool], timeout_s: float = 10.0) -> None:
    end = time.monotonic() + timeout_s
    while not until():
        if time.monotonic() > end:
            raise TimeoutError("the kiosk did not settle")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        time.sleep(0.001)
    QCoreApplication.processEvents()


@dataclass
class Walk:
    """One visitor at the kiosk: taps what they would, and adds up the model's time and the machine's."""

    window: QWidget
    person: Person
    taps: int = 0
    reading_s: float = 0.0
    deciding_s: float = 0.0
    pointing_s: float = HOMING_S
    machine_s: float = 0.0
    words_read: int = 0
    read_by_screen: dict[str, int] = field(default_factory=dict)  # words read, by screen (where the time goes)
    _finger: QPoint | None = None
    _seen: set[tuple[int, tuple[str, ...]]] = field(default_factory=set)

    # -- what the person looks at ----------------------------------------------------------------
    def screen(self) -> QWidget:
        stack = self.window.stack  # type: ignore[attr-defined]  # KioskWindow's step stack
        current: QWidget = stack.currentWidget()
        return current

    def read_heading(self) -> None:
        """A new screen (or a new page of one): its heading and messages, once."""
        screen = self.screen()
        labels = [w for w in screen.findChildren(QLabel) if w.objectName() in HEADING_NAMES and w.isVisible()]
        key = (id(screen), tuple(w.text() for w in labels))  # a form's next question is a new heading
        if key in self._seen:
            return
        self._seen.add(key)
        self._read(sum(words(w.text()) for w in labels))

    def _read(self, count: int) -> None:
        where = type(self.screen()).__name__
        self.read_by_screen[where] = self.read_by_screen.get(where, 0) + count
        self.words_read += count
        self.reading_s += self.person.reading_s(count)

    # -- finding and pressing ----------------------------------------------------------------------
    def find(self, name: str) -> QWidget:
        for widget in self.window.findChildren(QAbstractButton, name):
            if widget.isVisible():
                return widget
        tiles = [w for w in self.window.findChildren(QFrame, "tile") if w.accessibleName() == name and w.isVisible()]
        if tiles:
            return tiles[0]
        raise LookupError(f"nothing visible called {name!r} on {type(self.screen()).__name__}")

    def rect(self, widget: QWidget) -> QRect:
        return QRect(widget.mapTo(self.window, QPoint(0, 0)), widget.size())

    def _press(self, widget: QWidget, settled: Callable[[], bool] | None) -> None:
        if not widget.isEnabled():
            raise LookupError(f"{widget.objectName() or widget.accessibleName()} is disabled")
        target = self.rect(widget)
        width_mm = min(target.width(), target.height()) * SCREEN_MM_PER_PX
        start = self._finger or target.center()
        distance_mm = math.dist((start.x(), start.y()), (target.center().x(), target.center().y())) * SCREEN_MM_PER_PX
        self.pointing_s += self.person.pointing_s(distance_mm, width_mm)
        self._finger = target.center()
        self.taps += 1
        began = time.perf_counter()
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton)
        run_events(settled or (lambda: True))
        self.machine_s += time.perf_counter() - began

    def choose(self, name: str, among: Iterable[QWidget] | None = None,
               settled: Callable[[], bool] | None = None) -> None:
        """A choice: read the heading, the options looked at, decide, point, tap."""
        self.read_heading()
        widget = self.find(name)
        options = [w for w in (among or [widget]) if w.isVisible()]
        options.sort(key=lambda w: (self.rect(w).top() // 40, self.rect(w).left()))  # reading order
        looked_at = options[:options.index(widget) + 1] if widget in options else [widget]
        self._read(sum(words(self.text_of(w)) for w in looked_at))
        self.deciding_s += self.person.decision_s
        self._press(widget, settled)

    def key(self, name: str) -> None:
        """A key of a keypad: no reading, no decision (those are counted per chunk by :meth:`digits`)."""
        self._press(self.find(name), None)

    def digits(self, text: str, chunk: int = 4) -> None:
        """Digits copied from a card or a ticket: one look (a decision) per chunk, one tap per digit."""
        self.read_heading()
        for i, ch in enumerate(text):
            if i % chunk == 0:
                self.deciding_s += self.person.decision_s
            self.key(f"key{ch}")

    def letters(self, text: str) -> None:
        """A word typed on the letter keyboard: one look (a decision) per word, one tap per letter."""
        self.read_heading()
        for i, ch in enumerate(text):
            if i == 0 or text[i - 1] == " ":
                self.deciding_s += self.person.decision_s
            self.key("letterSpace" if ch == " " else f"letter{ch.upper()}")

    def wait(self, condition: Callable[[], bool]) -> None:
        """The machine's time until ``condition`` (a camera frame checked, a file saved)."""
        began = time.perf_counter()
        run_events(condition, timeout_s=20.0)
        self.machine_s += time.perf_counter() - began

    @staticmethod
    def text_of(widget: QWidget) -> str:
        if isinstance(widget, QAbstractButton):
            return widget.text()
        return " ".join(label.text() for label in widget.findChildren(QLabel) if label.isVisible())

    def result(self) -> dict[str, Any]:
        human = self.reading_s + self.deciding_s + self.pointing_s
        at_average = human - self.reading_s + self.words_read * 60.0 / AVERAGE_WPM
        return {"seconds": round(human + self.machine_s, 1), "taps": self.taps,
                "seconds_at_average_reading": round(at_average + self.machine_s, 1),
                "human_s": {"reading": round(self.reading_s, 1), "deciding": round(self.deciding_s, 1),
                            "pointing": round(self.pointing_s, 1)},
                "machine_s": round(self.machine_s, 2), "words_read": self.words_read,
                "words_by_screen": self.read_by_screen, "person": self.person.name}


# -- the visitors ----------------------------------------------------------------------------------
def tiles(window: QWidget) -> list[QWidget]:
    return [w for w in window.findChildren(QFrame, "tile") if w.isVisible()]


def named_like(window: QWidget, prefix: str) -> list[QWidget]:
    return [w for w in window.findChildren(QAbstractButton) if w.objectName().startswith(prefix) and w.isVisible()]


def to_ticket(walk: Walk) -> None:
    """From the confirm step: "Ambil nomor"; the clock stops when the ticket is issued and on screen (reading
    it afterwards is reported apart, as ``then_reading_the_ticket_s``)."""
    window: Any = walk.window
    walk.choose("confirmButton", settled=lambda: window.current_step.value == "ticket")


def ticket_path(walk: Walk, service: str, lang: str = "id", priority: str | None = None,
                large_text: bool = False) -> None:
    """Welcome → (language, text size, priority) → service → requirements → NIK → confirm → ticket."""
    if lang == "en":
        walk.choose("welcomeLangEn", among=named_like(walk.window, "welcomeLang"))
    if large_text:
        walk.choose("textSize")
    if priority is not None:
        walk.choose("priorityButton", among=[walk.find("startButton"), walk.find("priorityButton")])
        walk.choose(f"priority_{priority}", among=named_like(walk.window, "priority_"))
    else:
        walk.choose("startButton", among=[walk.find("startButton"), walk.find("priorityButton")])
    walk.choose(service, among=tiles(walk.window))
    walk.choose("nextButton")
    walk.digits(NIK)
    walk.choose("nextButton")
    to_ticket(walk)


def without_nik(walk: Walk, service: str, lang: str = "id", passport: str | None = None) -> None:
    """No KTP with them ("Saya tidak membawa KTP"), or a foreign visitor's passport: identity at the counter."""
    if lang == "en":
        walk.choose("welcomeLangEn", among=named_like(walk.window, "welcomeLang"))
    walk.choose("startButton", among=[walk.find("startButton"), walk.find("priorityButton")])
    walk.choose(service, among=tiles(walk.window))
    walk.choose("nextButton")
    choices = [walk.find("noNikButton"), walk.find("travelDocumentButton")]
    if passport is None:
        walk.choose("noNikButton", among=choices)
    else:
        walk.choose("travelDocumentButton", among=choices)
        walk.letters(passport)
        walk.choose("nextButton")
    walk.choose("withoutNikNext")
    to_ticket(walk)


def short_application(walk: Walk) -> None:
    """A child's identity card (KIA): the parent's NIK, five questions, two document photos, the receipt."""
    window: Any = walk.window
    walk.choose("startButton", among=[walk.find("startButton"), walk.find("priorityButton")])
    walk.choose("KIA", among=tiles(window))
    walk.choose("nextButton")
    walk.digits(NIK)
    walk.choose("nextButton")
    walk.digits("3171010101150002")  # the child's NIK, from the family card
    walk.choose("formNext")
    walk.letters("SITI AMINAH")
    walk.choose("formNext")
    walk.digits("01012015")
    walk.choose("formNext")
    walk.choose("choice_parent", among=named_like(window, "choice_"))
    walk.choose("formNext")
    walk.digits("081234567890")
    walk.choose("formNext")
    documents = window.screens[Step.DOCUMENTS]
    for _ in range(2):
        walk.wait(lambda: documents.take_button.isEnabled() and documents.last_check is not None
                  and documents.last_check.ok)
        walk.choose("takePhoto", settled=lambda: documents.reviewing is not None)
        walk.choose("usePhoto")
    walk.choose("documentsNext")
    walk.choose("sendApplication", settled=lambda: window.current_step == Step.RECEIPT)


VISITORS: dict[str, tuple[Person, Callable[[Walk], None]]] = {
    "first_time_ticket": (ADULT, lambda w: ticket_path(w, "KTP-EL")),
    "no_nik": (ADULT, lambda w: without_nik(w, "KTP-EL")),
    "foreign_visitor_english": (ADULT, lambda w: without_nik(w, "AKTA-LAHIR", lang="en", passport="A1234567")),
    "ticket_and_short_application": (ADULT, short_application),
    "elderly_large_text": (ELDERLY, lambda w: ticket_path(w, "KTP-EL", priority="elderly", large_text=True)),
    "priority_disability": (ADULT, lambda w: ticket_path(w, "KTP-EL", priority="disability")),
    "english_ticket": (ADULT, lambda w: ticket_path(w, "KTP-EL", lang="en")),
}


def face_step_s(person: Person) -> float:
    """What the face check adds where it runs: its instructions read, consent decided, the p50 decision."""
    instructions = 40  # words: the consent sentence, "Posisikan wajah di dalam oval", two movement prompts
    return person.reading_s(instructions) + person.decision_s + FACE_DECISION_P50_S


def walk_once(make_window: Callable[[bool], Any], name: str) -> dict[str, Any]:
    person, path = VISITORS[name]
    window = make_window(name == "ticket_and_short_application")
    try:
        walk = Walk(window, person)
        path(walk)
        result = walk.result()
        before = walk.words_read
        walk.read_heading()  # the ticket or receipt: number and where to go
        result["then_reading_the_ticket_s"] = round(person.reading_s(walk.words_read - before), 1)
        result["face_step_s"] = round(face_step_s(person), 1)
        return result
    finally:
        window.shutdown()
        window.deleteLater()


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    import cv2

    from kiosk.applications.documents import draw_document_like
    from kiosk.applications.services import ApplicationServices
    from kiosk.camera.sources import ImageListSource
    from kiosk.catalog.forms import load_forms
    from kiosk.config.schema import load_config
    from kiosk.selftest.scene import scratch_core
    from kiosk.sync.outbox import ApplicationStore
    from kiosk.ui.kiosk.window import KioskWindow
    from kiosk.ui.qt.speech import Speaker

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch:
        core = scratch_core(load_config(None), Path(scratch) / "data")
        picture = Path(scratch) / "document.png"
        cv2.imwrite(str(picture), draw_document_like(seed=7))  # a page held under the document camera
        store = ApplicationStore(Path(scratch) / "apps", status_url_template="https://mpp.example/s/{number}")
        try:
            def make_window(with_applications: bool) -> KioskWindow:
                services = ApplicationServices(
                    forms=load_forms(), store=store,
                    camera=lambda: ImageListSource([picture], fps=15, loop=True, realtime=True)
                ) if with_applications else None
                window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False),
                                     applications=services, survey_store=core.survey)
                window.resize(1080, 1920)
                window.show()
                run_events(lambda: window.isVisible())
                return window

            for name in VISITORS:
                results[name] = walk_once(make_window, name)
        finally:
            store.close()
            core.close()
    targets = {key: {"target_s": target, "measured_s": results[key.removesuffix("_s")]["seconds"],
                     "met": results[key.removesuffix("_s")]["seconds"] <= target}
               for key, target in TARGETS.items() if key.removesuffix("_s") in results}
    print(json.dumps({"visitors": results, "targets": targets,
                      "screen_mm_per_px": round(SCREEN_MM_PER_PX, 3)}, indent=1))
    del app


if __name__ == "__main__":
    main()
