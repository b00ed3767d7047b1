"""Where the app finds its bundled files, in a source checkout and in the PyInstaller build."""

from __future__ import annotations

import sys
from pathlib import Path


def app_root() -> Path:
    """The folder holding ``config/`` and ``assets/``: the checkout, or the frozen app's folder."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parents[2]


def bundled_config_dir() -> Path:
    """Shipped defaults: the example site config and the default service catalog."""
    return app_root() / "config"


def assets_dir() -> Path:
    """Logos, fonts, sounds."""
    return app_root() / "assets"
