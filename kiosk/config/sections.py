"""The site configuration's keys, declared once: one dataclass field per key, with its type, default,
meaning (``doc``) and limits (min/max, min_len/max_len, pattern, min_items) in the field's metadata.

Only declarations live here; :mod:`kiosk.config.schema` assembles the sections into ``Config``, loads
and checks files against these declarations (and re-exports every name below, so importing a section
from ``kiosk.config.schema`` keeps working). ``config/site.example.toml`` documents the same keys (a
test keeps the two in step).
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any, Literal, TypeVar

# "complaints": the complaint officer's console (a desk PC); the order is the setup wizard's
Role = Literal["kiosk", "counter", "display", "complaints", "queue-host", "all-in-one"]
Language = Literal["id", "en"]
Timezone = Literal["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]
PrinterKind = Literal["none", "file", "escpos-usb", "escpos-network", "escpos-serial", "system"]
Speech = Literal["auto", "off"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = typing.get_args(Weekday)

_T = TypeVar("_T")


def _key(default: _T, doc: str, **limits: Any) -> _T:
    """A config key: its default, what it means (``doc``) and its limits (min/max, min_len/max_len,
    pattern, min_items), read by the checks in kiosk.config.schema."""
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
