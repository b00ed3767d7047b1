"""Writing the site configuration (the setup wizard's output): validated first, replaced atomically.

The wizard hands over a plain ``{section: {key: value}}`` document. It is merged over the file
already there (so keys the wizard does not ask about survive a re-run), validated by
:func:`kiosk.config.schema.parse_config` exactly as at start-up, and only then written: to a temporary file
in the same folder, flushed to disk, then renamed over the old one. A power cut leaves either the
old file or the new one, never half of each. A key listed in
:data:`kiosk.config.schema.RENAMED` is read under its new name and written only under it.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from kiosk.config.schema import (
    DEFAULT_CONFIG_PATH,
    Config,
    ConfigError,
    config_path_from_env,
    parse_config,
    rename_keys,
)

HEADER = ("# MPP Kiosk site configuration, written by 'kiosk setup'.\n"
          "# Every key is explained in config/site.example.toml. Check it: kiosk config check --config FILE\n")


def setup_target(explicit: Path | None) -> Path:
    """Where setup writes: ``--config``, then ``$KIOSK_CONFIG``, then ``~/.config/mpp-kiosk/site.toml``."""
    if explicit is not None:
        return explicit
    return config_path_from_env() or DEFAULT_CONFIG_PATH.expanduser()


def read_document(path: Path) -> dict[str, Any]:
    """The TOML document at ``path`` as a dict with renamed keys under their new names, or an empty
    one when there is no file yet."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(str(path), None, f"cannot be read to update it ({exc}); fix or move it first.") from None
    return rename_keys(document, str(path))[0]


def merge(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in base.items()}
    for section, values in changes.items():
        if isinstance(values, Mapping):
            merged.setdefault(section, {}).update(values)
        else:
            merged[section] = values
    return merged


def write_site_config(path: Path, changes: Mapping[str, Any]) -> Config:
    """Merge ``changes`` into the file at ``path``, validate, write atomically; the new Config.

    Raises :class:`ConfigError` (nothing written) when the result would not start.
    """
    document, _ = rename_keys(merge(read_document(path), changes), str(path))
    config = parse_config(document, str(path))
    text = HEADER + "\n" + dumps(document)
    if parse_config(tomllib.loads(text), str(path)) != config:  # the writer must round-trip
        raise ConfigError(str(path), None, "could not be written faithfully (a bug; nothing was changed).")
    atomic_write(path, text)
    return config


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def dumps(document: Mapping[str, Any]) -> str:
    """TOML for the shapes a site config has: tables of scalars and lists, and ``[[counters]]``."""
    lines: list[str] = []
    arrays: list[tuple[str, list[Mapping[str, Any]]]] = []
    for section, values in document.items():
        if isinstance(values, list) and all(isinstance(v, Mapping) for v in values):
            arrays.append((section, values))
            continue
        if not isinstance(values, Mapping):
            raise TypeError(f"top-level key {section!r} must be a table")
        lines.append(f"[{section}]")
        lines += [f"{key} = {_value(v)}" for key, v in values.items()]
        lines.append("")
    for section, tables in arrays:
        for table in tables:
            lines.append(f"[[{section}]]")
            lines += [f"{key} = {_value(v)}" for key, v in table.items()]
            lines.append("")
    return "\n".join(lines)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, date):  # a TOML date ([complaints] collective_leave_days)
        return value.isoformat()
    raise TypeError(f"cannot write {value!r} to a site configuration")
