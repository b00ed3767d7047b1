"""The admin screens' pictures: every one drawn at exactly the kiosk's size (nothing grew the
window), in both languages and orientations."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from kiosk.config.schema import Config
from kiosk.selftest.shots.admin import capture_admin


@pytest.mark.slow
def test_every_admin_and_setup_screen_fits_both_orientations(qapp, config: Config, tmp_path: Path) -> None:
    shots: list[Path] = []
    capture_admin(config, tmp_path, shots, voice=config)
    assert len(shots) == 2 * 2 * (4 + 9)
    for shot in shots:
        image = QImage(str(shot))
        expected = (1080, 1920) if "-portrait-" in shot.name else (1920, 1080)
        assert (image.width(), image.height()) == expected, shot.name
