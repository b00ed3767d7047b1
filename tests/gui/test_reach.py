"""Reach from a wheelchair (issue 16, item 3): every touch target of every citizen screen at most 1,200 mm
above the floor, for the screen's mounting in ``[kiosk]`` (lower edge 750 mm, a 32" panel).

Walks every kiosk step in its busiest states (as the fit tests do: test_large_text, the application
pages of test_application_flow), the survey's pages, the idle question, with the bottom bar's every
button shown (read aloud and the audio guide's toggle too), in portrait 1080×1920 and landscape
1920×1080 (the same panel turned: 398 mm high), normal and large text, Indonesian and English.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import show_every_way_in
from fit_checks import REACH_LIMIT_MM, height_above_floor_mm, out_of_reach, top_in_window, touch_targets
from PySide6.QtWidgets import QPushButton
from test_application_flow import application_states, document_images, make_kiosk, store  # noqa: F401 - fixtures
from test_large_text import citizen_states, served_number

from kiosk.config.schema import KioskSection
from kiosk.core import Core
from kiosk.sync.outbox import ApplicationStore
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.audio_guide import AudioGuide
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step

PORTRAIT, LANDSCAPE = (1080, 1920), (1920, 1080)
DEFAULTS = KioskSection()


def screen_mm(size: tuple[int, int]) -> float:
    """The visible height of the default 32" panel as the window stands: 708 mm tall, 398 mm turned."""
    return DEFAULTS.screen_height_mm * (1 if size[1] > size[0] else size[1] / size[0])


def every_control_shown(window: KioskWindow) -> None:
    """Read aloud and the audio guide's toggle shown, as on a kiosk with a voice."""
    window.speaker.can_speak = lambda _lang: True  # type: ignore[method-assign]  # a kiosk with a voice
    AudioGuide(window, window.stack, window.speaker, lambda: window.session.lang, bar=window.bar)
    window._update_header()
    show_every_way_in(window)


@pytest.fixture
def kiosk(qtbot, core: Core) -> Iterator[KioskWindow]:
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(*PORTRAIT)
    window.show()
    every_control_shown(window)
    yield window
    window.shutdown()


def check_reach(qtbot, window: KioskWindow, states: Iterator[tuple[str, object]], size: tuple[int, int],
                lang: str, large_text: bool) -> tuple[list[str], dict[str, float]]:
    problems: list[str] = []
    highest: dict[str, float] = {}
    for state, _screen in states:
        window.set_large_text(large_text)
        window._update_header()
        qtbot.wait(5)
        assert (window.width(), window.height()) == size
        found, top = out_of_reach(window, [window.stack.currentWidget(), window.bar], f"{lang} {state}",
                                  DEFAULTS.screen_lower_edge_mm, screen_mm(size))
        problems += found
        highest[state] = top
    window.overlay.start(15)  # "Masih di sana?": its button too
    qtbot.wait(5)
    found, highest["still there"] = out_of_reach(window, [window.overlay], f"{lang} still there",
                                                 DEFAULTS.screen_lower_edge_mm, screen_mm(size))
    window.overlay.cancel()
    return problems + found, highest


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE])
@pytest.mark.parametrize("large_text", [False, True])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_citizen_control_is_within_reach(qtbot, kiosk: KioskWindow, core: Core, size: tuple[int, int],
                                               large_text: bool, lang: str) -> None:
    """Welcome to ticket, the service list with its keyboard, the NIK, the survey: nothing above 1.2 m."""
    kiosk.resize(*size)
    kiosk.set_language(lang)
    problems, highest = check_reach(qtbot, kiosk, citizen_states(qtbot, kiosk, core, served_number(core)), size,
                                    lang, large_text)
    assert len(highest) > 15  # the walk went through the screens
    print(f"\nhighest target {size} {lang} large={large_text}: "
          + ", ".join(f"{k} {v:.0f}" for k, v in sorted(highest.items(), key=lambda kv: -kv[1])[:4]))
    assert problems == [], "\n" + "\n".join(problems)


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE])
@pytest.mark.parametrize("large_text", [False, True])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_application_page_is_within_reach(qtbot, core: Core, store: ApplicationStore,  # noqa: F811
                                                size: tuple[int, int], large_text: bool, lang: str) -> None:
    """The application's questions (with their keyboards), documents, summary and receipt."""
    window = make_kiosk(qtbot, core, store, None)
    every_control_shown(window)
    window.resize(*size)
    window.set_language(lang)

    def states() -> Iterator[tuple[str, object]]:
        for step, prepare in application_states(window, core, store):
            window.stack.setCurrentWidget(window.screens[step])
            prepare()
            yield step.value, None
    problems, highest = check_reach(qtbot, window, states(), size, lang, large_text)
    window.shutdown()
    assert problems == [], "\n" + "\n".join(problems)


def test_the_rule_catches_a_control_at_the_top(qtbot, kiosk: KioskWindow) -> None:
    """A button in the top strip, where Back and Cancel were (1.63–1.70 m at a 1 m lower edge), fails."""
    kiosk.show_step(Step.SERVICE)
    qtbot.wait(5)
    assert touch_targets(kiosk.header) == []  # nothing to touch up there
    top = top_in_window(kiosk.header, kiosk)
    assert height_above_floor_mm(top, 1920, 750, 708) > REACH_LIMIT_MM
    problems, _ = out_of_reach(kiosk, [kiosk.bar], "bar", 750, 708)
    assert problems == []
    old_back = QPushButton("Kembali", kiosk.header)  # where the language and text size were before issue 16
    old_back.setObjectName("backButton")
    old_back.setGeometry(20, 12, 200, 60)
    old_back.show()
    qtbot.wait(5)
    problems, highest = out_of_reach(kiosk, [kiosk.header], "header", 750, 708)
    assert len(problems) == 1 and "backButton" in problems[0]
    assert highest == pytest.approx(750 + (1920 - 12) * 708 / 1920, abs=1)  # 1,454 mm


def test_the_mounting_is_declared_in_config() -> None:
    assert (DEFAULTS.screen_lower_edge_mm, DEFAULTS.screen_height_mm) == (750, 708)
    assert height_above_floor_mm(1920, 1920, 750, 708) == 750
    assert height_above_floor_mm(0, 1920, 750, 708) == 750 + 708
