"""``kiosk selftest`` and ``kiosk config check``: is this installation sound, and what configuration is in force."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

from kiosk.app.commands.common import EXIT_OK, Commands, site_config


def register(commands: Commands) -> None:
    selftest = commands.add_parser("selftest", help="check this installation and save a picture of every screen")
    selftest.add_argument("--out", type=Path, required=True, help="folder for selftest.json and the PNGs")
    selftest.set_defaults(handler=run_selftest)
    config = commands.add_parser("config", help="configuration tools")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = config_sub.add_parser("check", help="validate the configuration and print the effective values")
    check.set_defaults(handler=config_check)


def run_selftest(args: argparse.Namespace) -> int:
    from kiosk.selftest.run import run_selftest as run  # Qt and every screen: only for this command

    return run(site_config(args), args.out)


def config_check(args: argparse.Namespace) -> int:
    config = site_config(args)
    print(json.dumps({"source": config.source, "data_dir": str(config.data_dir), "config": dataclasses.asdict(config)},
                     indent=2, ensure_ascii=False, default=str))
    return EXIT_OK
