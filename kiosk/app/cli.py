"""The ``kiosk`` command: every role and every tool for regional IT starts here.

Each module of :mod:`kiosk.app.commands` registers its subcommands with ``set_defaults(handler=...)``;
``main`` only parses and calls the handler. A new subcommand is a ``register`` in one of those modules
(or a new module added to :data:`COMMAND_MODULES`).

Exit codes: 0 fine, 1 a check failed (selftest), 2 the configuration or the data folder needs
fixing (the message says which file and key, or which folder).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from types import ModuleType

from kiosk import __version__
from kiosk.app.commands import admin, complaints, face, install_checks, printing, reports, roles, survey, sync
from kiosk.app.commands.common import EXIT_CONFIG, EXIT_OK, Commands, UsageError
from kiosk.config.schema import ConfigError

COMMAND_MODULES: tuple[ModuleType, ...] = (roles, install_checks, admin, survey, reports, face, printing, sync,
                                            complaints)
#: Registered only where installed: the reference central API is left out of the kiosk build.
OPTIONAL_COMMAND_MODULES = ("central_api.cli",)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="MPP Kiosk: lobby kiosk, counter console, "
                                     "lobby display and queue for a Mal Pelayanan Publik.")
    parser.add_argument("--version", action="version", version=f"MPP Kiosk {__version__}")
    parser.add_argument("--config", type=Path, help="site configuration (TOML); default: $KIOSK_CONFIG, "
                        "then ~/.config/mpp-kiosk/site.toml, then built-in demo settings")
    commands: Commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(commands)
    for name in OPTIONAL_COMMAND_MODULES:
        try:
            optional = importlib.import_module(name)
        except ImportError:
            continue
        optional.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return EXIT_OK
    try:
        return int(args.handler(args))
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except UsageError as exc:
        parser.error(str(exc))  # exits 2 with the usage line
        raise  # not reached: parser.error exits
