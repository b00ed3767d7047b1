"""Site configuration: declared once here (types, defaults, allowed values), loaded from TOML.

Every key lives in one dataclass field below, with its default and its limits in the field's
metadata; ``config/site.example.toml`` documents the same keys for regional IT (a test keeps the two
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
from datetime import date, time
from pathlib import Path
from typing import Any, Literal, TypeVar

log = logging.getLogger(__name__)

CONFIG_ENV = "KIOSK_CONFIG"
DATA_DIR_ENV = "KIOSK_DATA_DIR"
DEFAULT_CONFIG_PATH = Path("~/.config/mpp-kiosk/site.toml")

Role = Literal["kiosk", "counter", "display", "queue-host", "all-in-one"]
Language = Literal["id", "en"]
Timezone = Literal["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]
PrinterKind = Literal["none", "file", "escpos-usb", "escpos-network", "escpos-serial", "system"]
Speech = Literal["auto", "off"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = typing.get_args(Weekday)

# Keys that moved or were renamed, "old_section.old_key": "new_section.new_key" (qutebrowser's
# ``renamed:``). A file with the old key loads with its value under the new one and one warning;
# `kiosk setup` writes the new key. Keep an entry as long as any installed site.toml may still
# have the old key; its target must be a key declared below (a test checks).
RENAMED: dict[str, str] = {}

_T = TypeVar("_T")


class ConfigError(Exception):
    """A configuration problem, phrased for regional IT."""

    def __init__(self, source: str, key: str | None, message: str) -> None:
        self.source, self.key, self.message = source, key, message
        where = f"{source}: {key}: " if key else f"{source}: "
        super().__init__(where + message)


def _key(default: _T, doc: str, **limits: Any) -> _T:
    """A config key: its default, what it means (``doc``) and its limits (min/max, min_len/max_len,
    pattern, min_items), read by the checks below."""
    return field(default=default, metadata={"doc": doc, **limits})


@dataclass(frozen=True)
class SiteSection:
    name: str = _key("Mal Pelayanan Publik Kota Contoh", "Building name shown on screens and tickets",
                     min_len=3, max_len=80)
    mpp_code: str = _key("MPP-DEMO", "MPP code given by MPP Digital", pattern=r"[A-Z0-9][A-Z0-9-]{1,31}")
    region: str = _key("", "Province or region, grouping this MPP on regional IT's fleet page (e.g. 'DKI Jakarta')",
                       max_len=80)
    timezone: Timezone = _key("Asia/Jakarta", "Local time zone: sets the daily reset")
    opening_hours: str = _key("",
        'Ticket hours "HH:MM-HH:MM"; empty = tickets at any time',
        pattern=r"(|([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)")
    open_days: tuple[Weekday, ...] = _key(("mon", "tue", "wed", "thu", "fri"), "Days tickets are issued", min_items=1)
    closing_soon_minutes: int = _key(30, 'Minutes before ticket hours end that the kiosk says "Segera tutup"',
                                     min=0, max=240)

    def hours(self) -> tuple[time, time] | None:
        if not self.opening_hours:
            return None
        start, end = self.opening_hours.split("-")
        return time.fromisoformat(start), time.fromisoformat(end)


@dataclass(frozen=True)
class DeviceSection:
    role: Role = _key("all-in-one", "What this machine runs")
    id: str = _key("kiosk-01", "This device's name in logs and audit", pattern=r"[a-z0-9][a-z0-9-]{1,39}")
    language: Language = _key("id", "Language a new citizen session starts in")
    fullscreen: bool = _key(True, "Fill the screen without a window frame")
    data_dir: str = _key("~/.local/share/mpp-kiosk", "Folder for the database and logs", min_len=1)


@dataclass(frozen=True)
class KioskSection:
    idle_timeout_seconds: int = _key(60, "Idle time before 'Still there?'", min=15, max=600)
    idle_countdown_seconds: int = _key(15, "Countdown before the screen is wiped", min=5, max=60)
    ticket_screen_seconds: int = _key(45, "How long the ticket stays on screen", min=10, max=300)
    large_text: bool = _key(False, "Start every session with large text")
    speech: Speech = _key("auto", "Read steps aloud on request: auto = when a voice exists")
    audio_guide: bool = _key(False, "Audio guide: read each new screen and each button as it is pressed")
    catalog_path: str = _key("", "Service catalog JSON; empty = the shipped one")
    # The screen's mounting, for the reach rule (docs/regional-it.md, "Mounting and reach"): every touch
    # target of a citizen screen must sit at most 1,200 mm above the floor (a seated person's reach).
    screen_lower_edge_mm: int = _key(750,
        "Height of the screen's visible lower edge above the floor, in mm (accessible kiosks: 750)",
        min=300, max=1500)
    screen_height_mm: int = _key(708,
        "Visible height of the screen as mounted, in mm (32\" 16:9: 708 portrait, 398 landscape)",
        min=150, max=2000)


@dataclass(frozen=True)
class QueueSection:
    host_url: str = _key("",
        "Building queue host, e.g. http://10.0.0.5:8700; empty = in this process (demo)", pattern=r"(|https?://\S+)")
    device_token: str = _key("", "Token IT issued to this device on the queue host")
    priority_ratio: int = _key(2, "Priority tickets called before one normal ticket", min=1, max=10)
    priority_reserved_share: float = _key(0.0,
        "Share of each service's daily quota held back for priority citizens (0-0.5); they are never refused "
        "for a full quota either way (UU 25/2009 art. 29)", min=0, max=0.5)
    max_recalls: int = _key(3, "Recalls before a ticket may be marked no-show", min=1, max=10)
    help_timeout_minutes: int = _key(10, "A kiosk's call for staff closes after this long with no step", min=1,
                                     max=120)


@dataclass(frozen=True)
class QueueHostSection:
    listen: str = _key("0.0.0.0:8700",
        'Address and port the queue host serves terminals on, "HOST:PORT"', pattern=r"[0-9A-Za-z.:\[\]-]+:[0-9]{1,5}")
    devices_file: str = _key("", "TOML file listing each terminal's token and role")

    def address(self) -> tuple[str, int]:
        host, _, port = self.listen.rpartition(":")
        return host.strip("[]"), int(port)


@dataclass(frozen=True)
class CentralSection:
    api_url: str = _key("", "MPP Digital central API (https://); empty = offline only", pattern=r"(|https?://\S+)")
    allow_insecure_http: bool = _key(False,
        "Development only: accept an http:// api_url (the reference central API on loopback); never on a kiosk")
    ca_file: str = _key("",
        "PEM file of a local certificate authority to trust for the central API; empty = the system's (never off)")
    timeout_seconds: float = _key(10.0, "Give up on one request after this long", min=1, max=120)
    sync_interval_seconds: int = _key(60, "Seconds between sync runs", min=5, max=3600)
    retention_days: int = _key(30,
        "Days after confirmed sync before NIK, photos and documents are deleted from the kiosk", min=0, max=3650)
    status_url_template: str = _key("",
        "Status page for the receipt's QR, with {id} and/or {number}; empty = <api_url>/status/{id}",
        pattern=r"(|https?://\S+)")
    application_number_prefix: str = _key("APP",
        "Start of application numbers (APP-20261123-0007); make it unique per kiosk, e.g. APP-K01",
        pattern=r"[A-Z][A-Z0-9-]{0,15}")

    def status_url(self) -> str:
        """The template the receipt's QR uses ({id} = the application's UUID)."""
        if self.status_url_template:
            return self.status_url_template
        return f"{self.api_url.rstrip('/')}/status/{{id}}" if self.api_url else ""


@dataclass(frozen=True)
class CounterSection:
    staff_file: str = _key("",
        "TOML file of clerks (id, name, PIN hash) for the console's sign-in; empty = no sign-in (demo)")


@dataclass(frozen=True)
class PrinterSection:
    kind: PrinterKind = _key("none", "Ticket printer type")
    target: str = _key("", "USB ids, host:port, serial port or file path, per kind")
    paper_width_mm: Literal[80, 58] = _key(80, "Paper roll width")
    timeout_seconds: int = _key(12,
        "Longest wait for the printer before the ticket is shown on screen instead", min=3, max=120)
    status_url_template: str = _key("",
        "Address in the ticket's QR code, with {token}; empty = the queue host's status page",
        pattern=r"(|https?://\S*\{token\}\S*)")


@dataclass(frozen=True)
class CounterEntry:
    number: int = _key(1, "Counter number shown to citizens", min=1, max=999)
    name: str = _key("", "Label, e.g. 'Loket 1 Dukcapil'; empty = 'Loket N'")
    services: tuple[str, ...] = _key((), "Service codes served; empty = as in the catalog")


@dataclass(frozen=True)
class DisplaySection:
    running_text: str = _key("", "Scrolling message on the lobby board; empty = a default")
    recent_calls: int = _key(6, "Past calls listed on the board", min=1, max=20)
    voice_clips_dir: str = _key("",
        "Word clips (id/, en/) for announcements without a text-to-speech voice; empty = the shipped ones")
    status_camera: bool = _key(False,
        "The board has a camera ([camera] device) that reads ticket QR codes and shows their status")


@dataclass(frozen=True)
class AdminSection:
    pin_hash: str = _key("",
        "scrypt hash of the admin PIN (kiosk admin hash-pin); empty = the documented demo PIN 1234",
        pattern=r"(|scrypt\$\S+)")


MODEL_DIR_ENV = "KIOSK_MODEL_DIR"


@dataclass(frozen=True)
class CameraSection:
    device: str = _key("0",
        "Camera: a number (0 = first camera) or /dev/videoN; a video file or image folder for demos", min_len=1)
    width: int = _key(640, "Capture width in pixels", min=320, max=3840)
    height: int = _key(480, "Capture height in pixels", min=240, max=2160)
    qr_scanning: bool = _key(True,
        "Read QR codes with this camera: \"Cek status\" on the kiosk and the board, "
        "the digital ID (IKD) on the NIK step")
    ikd_qr_pattern: str = _key(r"(?<!\d)(?P<nik>\d{16})(?!\d)",
        "Regular expression finding the NIK in a digital ID (IKD) QR code; needs a group (?P<nik>...)", min_len=8)


@dataclass(frozen=True)
class FaceSection:
    enabled: bool = _key(False,
        "Offer the live face check for services that need it (needs a camera and the model)")
    model_dir: str = _key("",
        "Folder with face_landmarker.task; empty = models/ in the data folder (KIOSK_MODEL_DIR overrides)")
    min_face_width: float = _key(0.22, "Smallest face width, share of the frame width", min=0.05, max=0.9)
    max_face_width: float = _key(0.62, "Largest face width, share of the frame width", min=0.1, max=1.0)
    max_centre_offset: float = _key(
        0.18, "Largest distance of the face centre from the frame centre, share of the frame", min=0.02, max=0.5)
    max_yaw_degrees: float = _key(18.0, "Largest left/right head turn for a frontal face", min=3.0, max=45.0)
    max_pitch_degrees: float = _key(18.0, "Largest up/down head tilt for a frontal face", min=3.0, max=45.0)
    max_roll_degrees: float = _key(15.0, "Largest sideways head tilt for a frontal face", min=3.0, max=45.0)
    max_eye_closed: float = _key(0.55, "Eye-blink score above which eyes count as closed", min=0.1, max=0.95)
    min_brightness: float = _key(60.0, "Darkest allowed mean face brightness (0-255)", min=0.0, max=255.0)
    max_brightness: float = _key(215.0, "Brightest allowed mean face brightness (0-255)", min=0.0, max=255.0)
    min_contrast: float = _key(22.0, "Lowest allowed face contrast (grey-level spread)", min=0.0, max=128.0)
    min_sharpness: float = _key(15.0, "Lowest allowed face sharpness (Laplacian variance)", min=0.0, max=10_000.0)
    challenge_steps: int = _key(2, "Actions asked of the citizen (blink, turn, smile, open mouth)", min=1, max=4)
    step_timeout_seconds: float = _key(10.0, "Time allowed for each action (turn, blink, smile...); people who move "
                                       "slowly need it: at least 8 s on a kiosk (issue 16)", min=2.0, max=30.0)
    blink_delta: float = _key(
        0.35, "Rise of the eye-blink score over the citizen's own resting face", min=0.05, max=0.95)
    smile_delta: float = _key(0.30, "Rise of the smile score over the resting face", min=0.05, max=0.95)
    mouth_open_delta: float = _key(0.30, "Rise of the jaw-open score over the resting face", min=0.05, max=0.95)
    turn_degrees: float = _key(
        14.0, "Head turn (degrees from the resting pose) that counts as a turn", min=5.0, max=45.0)
    min_parallax: float = _key(5.0,
        "Lowest 3-D score of the face texture motion during a turn, % of the eye distance (a flat photo: 0.5-3.6)",
        min=0.0, max=50.0)
    min_motion: float = _key(0.15,
        "Lowest natural micro-motion of the face in pixels per frame (a photo on a stand scores near 0)",
        min=0.0, max=10.0)
    prompt_pause_min_seconds: float = _key(0.2,
        "Shortest random pause, with the face at rest, before each action is asked", min=0.0, max=10.0)
    prompt_pause_max_seconds: float = _key(0.6,
        "Longest random pause before each action is asked (a recording cannot be timed to it)", min=0.0, max=10.0)
    rest_share: float = _key(0.5,
        "The face is at rest while every action is below this share of its threshold (blinks aside)", min=0.1, max=0.9)
    min_response_seconds: float = _key(0.2,
        "An action already under way sooner than this after it was asked is not an answer to it", min=0.0, max=2.0)
    max_response_seconds: float = _key(4.0,
        "The asked action must have started within this time after it was asked", min=1.0, max=30.0)
    other_action_factor: float = _key(1.5,
        "An action not asked for (blinks aside) fails the step once it reaches this many times its own threshold; "
        "0 = off",
        min=0.0, max=5.0)
    max_screen_score: float = _key(0.0,
        "Highest screen-grid score of the face texture (a coarse display's pixel grid); "
        "0 = recorded only, decides nothing",
        min=0.0, max=50.0)
    min_pad_score: float = _key(0.35,
        "Lowest passive presentation-attack score (0-1, 1 = a real face; lowest per-step median of the attempt) "
        "for a live decision; 0 = recorded only, decides nothing. Needs the two MiniFASNet models",
        min=0.0, max=1.0)
    pad_confident_score: float = _key(0.0,
        "Passive presentation-attack score (0-1) from which a face is confidently real: the challenge then "
        "ends once a head turn has passed (fewer steps, a faster decision); above min_pad_score; 0 = off",
        min=0.0, max=1.0)
    pad_every_frames: int = _key(3,
        "Passive presentation-attack check on every Nth frame with the face in the oval", min=1, max=30)
    max_attempts: int = _key(2, "Tries before the citizen is sent to the information desk", min=1, max=5)


@dataclass(frozen=True)
class LoggingSection:
    level: LogLevel = _key("INFO", "Log detail")


@dataclass(frozen=True)
class ComplaintsSection:
    collective_leave_days: tuple[date, ...] = _key((), "Cuti bersama days (YYYY-MM-DD) the holidays library lacks")
    working_days: tuple[date, ...] = _key((), "Days (YYYY-MM-DD) that count as working days despite the library")
    library_collective_leave: bool = _key(True, "Count the cuti bersama the holidays library knows as days off")
    status_url_template: str = _key("", "Complaint receipt's QR, with {reference} and {token}; empty = "
                                    "<api_url>/complaints/{reference}/{token}", pattern=r"(|https?://\S*\{token\}\S*)")

    def status_url(self, api_url: str) -> str:
        """The template the complaint receipt's QR uses; empty when there is no central API."""
        default = f"{api_url.rstrip('/')}/complaints/{{reference}}/{{token}}" if api_url else ""
        return self.status_url_template or default


@dataclass(frozen=True)
class BookingsSection:
    enabled: bool = _key(False, "Check in MPP Digital bookings at the kiosk (the queue host needs its booking key)")
    early_minutes: int = _key(30, "Minutes before the slot a booked citizen is still on time", min=0, max=240)
    late_minutes: int = _key(15, "Minutes after the slot's start a booked citizen is still on time", min=0, max=240)
    download_interval_minutes: int = _key(5, "Minutes between downloads of today's bookings", min=1, max=120)


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
