"""What every ``kiosk`` subcommand shares: exit codes, the parser type, and loading the site configuration."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from kiosk.config.schema import Config, config_path_from_env, load_config

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2
EXIT_BAD_INPUT = EXIT_CONFIG  # the same code: something the person must fix before running again

#: ``commands`` as given to each module's ``register``: the ``kiosk`` parser's subparsers.
Commands = argparse._SubParsersAction
#: What ``set_defaults(handler=...)`` names: runs the command, returns the exit code.
Handler = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """Arguments that parse one by one but do not fit together; shown as argparse's usage error (exit 2)."""


def site_config(args: argparse.Namespace) -> Config:
    """The configuration: ``--config``, then ``$KIOSK_CONFIG``, then the default path, then demo settings.

    Raises ConfigError, which ``kiosk.app.cli.main`` prints with the file and key (exit 2).
    """
    return load_config(args.config if args.config is not None else config_path_from_env())
