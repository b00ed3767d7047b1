"""Site configuration: the sections assembled into :class:`Config`, loaded from TOML and checked.

Every key lives in one dataclass field of :mod:`kiosk.config.sections`, with its default and its
limits in the field's metadata (re-exported here: import sections and types from this module);
``config/site.example.toml`` documents the same keys for regional IT (a test keeps the two
in step). A wrong key or value raises :class:`ConfigError`, whose message names the file, the key
and what is allowed; the command line turns it into exit code 2. A key that moved or changed its
name is listed in :data:`RENAMED`: an installed ``site.toml`` that still uses the old name keeps
working (one warning), so a layout change costs regional IT nothing.

The checks are our own small functions (each under complexity 15), not pydantic's, although
pydantic comes with FastAPI. Measured when we chose (median of 21 fresh interpreters, this
machine): importing this module takes 27 ms before the split and 29 ms after; adding pydantic's
import costs about 50 ms more on every start of every role, before a model is even built. And
every pydantic error type would still need translating into today's messages (file, key, what is
allowed, in words for regional IT), about as much code as the checks: the checks went from one
115-line block (``_check`` alone at complexity 19) to 159 lines in thirteen functions, the module from
435 to 533 lines with renamed keys (:data:`RENAMED`) and the shorter field declarations (``_key``).
At 600 lines the declarations moved to :mod:`kiosk.config.sections` (the 600-line module limit).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import tomllib
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from kiosk.config.sections import (
    WEEKDAYS,
    AdminSection,
    BookingsSection,
    CameraSection,
    CentralSection,
    ComplaintsSection,
    CounterEntry,
    CounterSection,
    DeviceSection,
    DisplaySection,
    FaceSection,
    KioskSection,
    Language,
    LoggingSection,
    LogLevel,
    PrinterKind,
    PrinterSection,
    QueueHostSection,
    QueueSection,
    Role,
    SiteSection,
    Speech,
    Timezone,
    Weekday,
)

# The declarations, re-exported: code across the repo imports sections and types from this module.
__all__ = [
    "CONFIG_ENV", "DATA_DIR_ENV", "DEFAULT_CONFIG_PATH", "MODEL_DIR_ENV", "RENAMED", "SECTIONS", "Config",
    "ConfigError", "config_path_from_env", "default_config", "load_config", "parse_config", "rename_keys",
    "WEEKDAYS", "AdminSection", "BookingsSection", "CameraSection", "CentralSection", "ComplaintsSection",
    "CounterEntry", "CounterSection", "DeviceSection", "DisplaySection", "FaceSection", "KioskSection", "Language",
    "LogLevel", "LoggingSection", "PrinterKind", "PrinterSection", "QueueHostSection", "QueueSection", "Role",
    "SiteSection", "Speech", "Timezone", "Weekday",
]

log = logging.getLogger(__name__)

CONFIG_ENV = "KIOSK_CONFIG"
DATA_DIR_ENV = "KIOSK_DATA_DIR"
DEFAULT_CONFIG_PATH = Path("~/.config/mpp-kiosk/site.toml")

# Keys that moved or were renamed, "old_section.old_key": "new_section.new_key" (qutebrowser's
# ``renamed:``). A file with the old key loads with its value under the new one and one warning;
# `kiosk setup` writes the new key. Keep an entry as long as any installed site.toml may still
# have the old key; its target must be a key declared in kiosk.config.sections (a test checks).
RENAMED: dict[str, str] = {}


class ConfigError(Exception):
    """A configuration problem, phrased for regional IT."""

    def __init__(self, source: str, key: str | None, message: str) -> None:
        self.source, self.key, self.message = source, key, message
        where = f"{source}: {key}: " if key else f"{source}: "
        super().__init__(where + message)


MODEL_DIR_ENV = "KIOSK_MODEL_DIR"


@dataclass(frozen=True)
class Config:
    site: SiteSection = field(default_factory=SiteSection)
    device: DeviceSection = field(default_factory=DeviceSection)
    kiosk: KioskSection = field(default_factory=KioskSection)
    queue: QueueSection = field(default_factory=QueueSection)
    queue_host: QueueHostSection = field(default_factory=QueueHostSection)
    central: CentralSection = field(default_factory=CentralSection)
    counter: CounterSection = field(default_factory=CounterSection)
    printer: PrinterSection = field(default_factory=PrinterSection)
    display: DisplaySection = field(default_factory=DisplaySection)
    admin: AdminSection = field(default_factory=AdminSection)
    camera: CameraSection = field(default_factory=CameraSection)
    face: FaceSection = field(default_factory=FaceSection)
    logging: LoggingSection = field(default_factory=LoggingSection)
    complaints: ComplaintsSection = field(default_factory=ComplaintsSection)
    bookings: BookingsSection = field(default_factory=BookingsSection)
    counters: tuple[CounterEntry, ...] = ()
    source: str = field(default="(built-in defaults)", compare=False)

    @property
    def data_dir(self) -> Path:
        override = os.environ.get(DATA_DIR_ENV)
        return Path(override or self.device.data_dir).expanduser()

    @property
    def model_dir(self) -> Path:
        """Where model files live: KIOSK_MODEL_DIR, else [face] model_dir, else models/ in the data folder
        (or, while that has no model, the models/ shipped inside the one-folder build)."""
        override = os.environ.get(MODEL_DIR_ENV) or self.face.model_dir
        if override:
            return Path(override).expanduser()
        installed = self.data_dir / "models"
        if not (installed / "face_landmarker.task").exists():
            from kiosk.utils.paths import app_root

            bundled = app_root() / "models"
            if (bundled / "face_landmarker.task").exists():
                return bundled
        return installed

    def counter_label(self, number: int) -> str:
        for entry in self.counters:
            if entry.number == number and entry.name:
                return entry.name
        return ""

SECTIONS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Config) if f.name not in ("counters", "source"))


def default_config() -> Config:
    return Config()


def config_path_from_env() -> Path | None:
    """The config file to use when none is named on the command line, or None for built-in defaults."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    default = DEFAULT_CONFIG_PATH.expanduser()
    return default if default.exists() else None


def load_config(path: Path | None) -> Config:
    """Read and validate ``path``; ``None`` means the built-in defaults (the one-machine demo)."""
    if path is None:
        return Config()
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(source, None, "file not found. Copy config/site.example.toml there, or run without "
                                        "--config for the built-in demo settings.") from None
    except OSError as exc:
        raise ConfigError(source, None, f"cannot be read ({exc.strerror}).") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(source, None, "is not UTF-8 text; save it again as UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, None, f"is not valid TOML: {exc}.") from None
    return parse_config(data, source)


def rename_keys(data: Mapping[str, Any], source: str) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A copy of ``data`` with each key of :data:`RENAMED` moved to its new name, and the (old, new)
    pairs moved. A file that sets both names is an error: which value is meant cannot be guessed."""
    document: dict[str, Any] = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in data.items()}
    moved: list[tuple[str, str]] = []
    for old, new in RENAMED.items():
        old_section, old_key = old.split(".")
        new_section, new_key = new.split(".")
        table = document.get(old_section)
        if not isinstance(table, dict) or old_key not in table:
            continue
        target = document.setdefault(new_section, {})
        if not isinstance(target, dict):
            continue  # parse_config says "must be a table"
        if new_key in target:
            raise ConfigError(source, old, f"is the old name of {new}, and this file sets both. "
                                           f"Keep only {new} (with the value you want).")
        target[new_key] = table.pop(old_key)
        if not table:
            del document[old_section]
        moved.append((old, new))
    return document, moved


def parse_config(data: Mapping[str, Any], source: str) -> Config:
    """Validate an already-parsed TOML document into a :class:`Config`."""
    data, moved = rename_keys(data, source)
    for old, new in moved:
        log.warning("%s: %s is now called %s; its value is used under the new name. Rename it in the file "
                    "('kiosk setup' does so when it next saves).", source, old, new)
    known = set(SECTIONS) | {"counters"}
    for key in data:
        if key not in known:
            raise ConfigError(source, key, f"unknown section. Allowed: {', '.join(sorted(known))}.")
    values: dict[str, Any] = {}
    for name in SECTIONS:
        section = data.get(name, {})
        if not isinstance(section, dict):
            raise ConfigError(source, f"[{name}]", "must be a table (a [section] header followed by keys).")
        values[name] = _build(_SECTION_TYPES[name], section, source, f"{name}.")
    config = Config(**values, counters=_counters(data.get("counters", []), source), source=source)
    _check_together(config, source)
    return config


def _counters(counters: Any, source: str) -> tuple[CounterEntry, ...]:
    if not isinstance(counters, list):
        raise ConfigError(source, "counters", "must be a list of [[counters]] tables.")
    entries = []
    for i, entry in enumerate(counters):
        if not isinstance(entry, dict):
            raise ConfigError(source, f"counters[{i}]", "must be a [[counters]] table.")
        if "number" not in entry:
            raise ConfigError(source, f"counters[{i}].number", "is required.")
        entries.append(_build(CounterEntry, entry, source, f"counters[{i}]."))
    numbers = [e.number for e in entries]
    if len(numbers) != len(set(numbers)):
        raise ConfigError(source, "counters", "two [[counters]] tables have the same number.")
    return tuple(entries)


# Pairs of keys where the first must stay below the second: (first, second, may they be equal, message).
_ORDERED: tuple[tuple[str, str, bool, str], ...] = (
    ("face.min_face_width", "face.max_face_width", False, "must be smaller than face.max_face_width."),
    ("face.min_brightness", "face.max_brightness", False, "must be smaller than face.max_brightness."),
    ("face.prompt_pause_min_seconds", "face.prompt_pause_max_seconds", True,
     "must not be larger than face.prompt_pause_max_seconds."),
    ("face.min_response_seconds", "face.max_response_seconds", False,
     "must be smaller than face.max_response_seconds."),
    ("kiosk.idle_countdown_seconds", "kiosk.idle_timeout_seconds", False,
     "must be shorter than kiosk.idle_timeout_seconds."),
)


def _check_together(config: Config, source: str) -> None:
    """The rules that tie two keys together (each key alone was already checked)."""
    if config.central.api_url.lower().startswith("http://") and not config.central.allow_insecure_http:
        raise ConfigError(source, "central.api_url",
                          "must start with https:// (the device secret, NIKs and photos travel to it). "
                          "For a development server only, set [central] allow_insecure_http = true.")
    if config.queue.host_url and not config.queue.device_token:
        raise ConfigError(source, "queue.device_token",
                          "is required when queue.host_url is set (the token IT listed for this device "
                          "in the queue host's devices file).")
    try:
        ikd = re.compile(config.camera.ikd_qr_pattern)
    except re.error as exc:
        raise ConfigError(source, "camera.ikd_qr_pattern", f"is not a valid regular expression ({exc}).") from None
    if "nik" not in ikd.groupindex:
        raise ConfigError(source, "camera.ikd_qr_pattern", "needs a named group (?P<nik>...) around the 16 digits.")
    for low_key, high_key, may_equal, message in _ORDERED:
        low, high = _value_at(config, low_key), _value_at(config, high_key)
        if low > high or (low == high and not may_equal):
            raise ConfigError(source, low_key, message)


def _value_at(config: Config, key: str) -> Any:
    section, name = key.split(".")
    return getattr(getattr(config, section), name)


_SECTION_TYPES: dict[str, type] = typing.get_type_hints(Config)


def _build(cls: type, table: dict[str, Any], source: str, prefix: str) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    for key in table:
        if key not in fields:
            raise ConfigError(source, prefix + key,
                              f"unknown key. Allowed here: {', '.join(sorted(fields))}.")
    kwargs = {}
    for key, value in table.items():
        kwargs[key] = _check(value, hints[key], fields[key].metadata, source, prefix + key)
    return cls(**kwargs)


def _check(value: Any, hint: Any, meta: Mapping[str, Any], source: str, key: str) -> Any:
    """``value`` checked against the key's type and limits; the value to use (floats as float)."""
    origin = typing.get_origin(hint)
    if origin is Literal:
        return _check_choice(value, typing.get_args(hint), source, key)
    if origin is tuple:
        return _check_list(value, typing.get_args(hint)[0], meta, source, key)
    check = _CHECKS.get(hint)
    if check is None:
        raise TypeError(f"unsupported config type {hint} for {key}")  # a bug in this module, not in the file
    return check(value, meta, source, key)


def _check_choice(value: Any, allowed: tuple[Any, ...], source: str, key: str) -> Any:
    if value not in allowed or type(value) is not type(allowed[0]):
        shown = ", ".join(repr(a) if isinstance(a, str) else str(a) for a in allowed)
        raise ConfigError(source, key, f"{value!r} is not allowed. Use one of: {shown}.")
    return value


def _check_list(value: Any, item_hint: Any, meta: Mapping[str, Any], source: str, key: str) -> tuple[Any, ...]:
    if not isinstance(value, list):
        raise ConfigError(source, key, f"must be a list, e.g. {key.split('.')[-1]} = [\"...\"].")
    items = tuple(_check(v, item_hint, {}, source, f"{key}[{i}]") for i, v in enumerate(value))
    if len(items) < meta.get("min_items", 0):
        raise ConfigError(source, key, f"needs at least {meta['min_items']} item(s).")
    return items


def _check_bool(value: Any, meta: Mapping[str, Any], source: str, key: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(source, key, f"must be true or false, got {value!r}.")
    return value


def _check_int(value: Any, meta: Mapping[str, Any], source: str, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigError(source, key, f"must be a whole number, got {value!r}.")
    _check_range(value, meta, source, key)
    return value


def _check_float(value: Any, meta: Mapping[str, Any], source: str, key: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ConfigError(source, key, f"must be a number, got {value!r}.")
    _check_range(value, meta, source, key)
    return float(value)


def _check_range(value: float, meta: Mapping[str, Any], source: str, key: str) -> None:
    low, high = meta.get("min"), meta.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ConfigError(source, key, f"{value} is out of range; allowed {low} to {high}.")


def _check_str(value: Any, meta: Mapping[str, Any], source: str, key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(source, key, f"must be text in quotes, got {value!r}.")
    if len(value) < meta.get("min_len", 0) or len(value) > meta.get("max_len", 10_000):
        raise ConfigError(source, key,
                          f"must be {meta.get('min_len', 0)} to {meta.get('max_len')} characters long.")
    pattern = meta.get("pattern")
    if pattern and not re.fullmatch(pattern, value):
        raise ConfigError(source, key, f"{value!r} has the wrong form ({meta['doc']}).")
    return value


def _check_date(value: Any, meta: Mapping[str, Any], source: str, key: str) -> date:
    """A TOML date (2026-12-24) or the same in quotes."""
    try:
        return value if type(value) is date else date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ConfigError(source, key, f"{value!r} is not a date; write it as 2026-12-24.") from None


_CHECKS: dict[Any, Callable[[Any, Mapping[str, Any], str, str], Any]] = {
    bool: _check_bool, int: _check_int, float: _check_float, str: _check_str, date: _check_date,
}
