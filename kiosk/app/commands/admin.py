"""Command-line side of installing a machine: ``kiosk setup``, the first run of ``kiosk run`` without
any configuration, and ``kiosk admin hash-pin``.

A real install has a site configuration; the built-in demo settings are for ``kiosk demo``. So
``kiosk run`` with no configuration anywhere opens the setup wizard on this machine's screen (and
then starts the configured role), or, without a screen, says what to do and exits 2.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from kiosk.app.commands.common import EXIT_CONFIG, EXIT_OK, Commands
from kiosk.config.schema import Config, ConfigError, default_config, load_config
from kiosk.config.site_file import setup_target
from kiosk.i18n import Translator
from kiosk.staff.admin_gate import make_pin_hash, pin_problem

NO_CONFIG_MESSAGE = (
    "No site configuration found for this machine (looked at --config, $KIOSK_CONFIG and "
    "~/.config/mpp-kiosk/site.toml).\n"
    "  - on the machine's screen: run 'kiosk setup' (the setup wizard writes it), or\n"
    "  - copy config/site.example.toml to ~/.config/mpp-kiosk/site.toml and edit it, or\n"
    "  - to try the app on built-in demo settings: 'kiosk demo'."
)


def register(commands: Commands) -> None:
    setup = commands.add_parser("setup", help="first-run setup wizard: writes the site configuration")
    setup.add_argument("--windowed", action="store_true", help="a window instead of the full screen")
    setup.set_defaults(handler=lambda args: setup_command(args.config, windowed=args.windowed))
    admin = commands.add_parser("admin", help="admin tools")
    admin_sub = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    hash_pin = admin_sub.add_parser("hash-pin", help="print the [admin] pin_hash value for a new admin PIN")
    hash_pin.set_defaults(handler=lambda args: hash_pin_command())


def has_screen() -> bool:
    """Can a window be shown here? (Not on the offscreen/minimal Qt platforms or without X/Wayland.)"""
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal", "vnc"):
        return False
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def setup_command(explicit: Path | None, *, windowed: bool) -> int:
    """``kiosk setup``: the wizard for the file at ``--config``/``$KIOSK_CONFIG``/the default path."""
    target = setup_target(explicit)
    if not has_screen():
        print(f"kiosk setup needs a screen (and a keyboard); none here. Edit {target} by hand instead "
              "(see config/site.example.toml), then check it with 'kiosk config check'.", file=sys.stderr)
        return EXIT_CONFIG
    try:
        config = load_config(target) if target.exists() else default_config()
    except ConfigError as exc:
        print(f"Configuration error: {exc}\nFix or move that file, then run 'kiosk setup' again.", file=sys.stderr)
        return EXIT_CONFIG
    from kiosk.ui.admin.setup_wizard import run_setup

    result = run_setup(config, target, windowed=windowed)
    if result is None:
        print("Setup cancelled; nothing was written.", file=sys.stderr)
        return EXIT_CONFIG
    print(f"Setup written to {target} (role {result.device.role}). Start it with: kiosk run")
    return EXIT_OK


def first_run(*, windowed: bool) -> Config | int:
    """``kiosk run`` with no configuration anywhere: the wizard, or a clear exit 2 without a screen."""
    if not has_screen():
        print(NO_CONFIG_MESSAGE, file=sys.stderr)
        return EXIT_CONFIG
    from kiosk.ui.admin.setup_wizard import run_setup

    target = setup_target(None)
    result = run_setup(default_config(), target, windowed=windowed)
    if result is None:
        print("Setup cancelled; nothing was written. " + NO_CONFIG_MESSAGE, file=sys.stderr)
        return EXIT_CONFIG
    return result


def hash_pin_command() -> int:
    """``kiosk admin hash-pin``: asks for a PIN twice (or reads one line from a pipe) and prints
    the value for ``[admin] pin_hash``."""
    t = Translator("en")
    if sys.stdin.isatty():
        pin = getpass.getpass("New admin PIN (4-8 digits): ")
        if getpass.getpass("Repeat it: ") != pin:
            print(t("setup.pin.mismatch"), file=sys.stderr)
            return EXIT_CONFIG
    else:
        pin = sys.stdin.readline().strip()
    problem = pin_problem(pin)
    if problem:
        print(t(problem), file=sys.stderr)
        return EXIT_CONFIG
    print(make_pin_hash(pin))
    return EXIT_OK
