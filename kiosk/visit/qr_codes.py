"""Reading QR codes held up to the kiosk camera, and telling what they are.

Three kinds matter: a booking's code (``MPP-BOOKING:...``, read by :mod:`kiosk.booking.code`); the
citizen's digital ID (IKD) — whose payload format is not public, so it is parsed
with a configurable regular expression whose named group ``nik`` yields the NIK (``[camera]
ikd_qr_pattern``) and then checked like a typed NIK — and our own codes for "check status": the
ticket's status address (see ``kiosk.printing.status``) and the application receipt's status address.
Decoding is :func:`kiosk.camera.qr.decode_qr`; no Qt here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import numpy as np

from kiosk.booking.code import QR_PREFIX as BOOKING_QR_PREFIX
from kiosk.camera.qr import decode_qr
from kiosk.citizen.nik import InvalidNik, Nik, parse_nik
from kiosk.printing.status import status_token_from_url

DEFAULT_IKD_PATTERN = r"(?<!\d)(?P<nik>\d{16})(?!\d)"  # = the [camera] ikd_qr_pattern default
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_APP_NUMBER = re.compile(r"[A-Z][A-Z0-9-]{0,15}-\d{8}-\d{4}")

QrKind = Literal["ikd", "ticket_status", "application_status", "booking", "unknown"]


@dataclass(frozen=True)
class QrReading:
    """What a QR code meant. ``value`` is the NIK (ikd), status token, or application id/number."""

    kind: QrKind
    value: str = ""
    problem: str = ""  # for an IKD code whose NIK is not valid: the NikProblem value

    def __repr__(self) -> str:  # never print a NIK whole
        from kiosk.citizen.nik import mask_nik

        shown = mask_nik(self.value) if self.kind == "ikd" else self.value
        return f"QrReading(kind={self.kind!r}, value={shown!r}, problem={self.problem!r})"


def compile_ikd_pattern(pattern: str) -> re.Pattern[str]:
    """The IKD pattern, checked: it must compile and have a named group ``nik``."""
    compiled = re.compile(pattern)
    if "nik" not in compiled.groupindex:
        raise ValueError("the IKD QR pattern needs a named group (?P<nik>...) that captures the 16 digits")
    return compiled


def classify_qr(text: str, ikd_pattern: str = DEFAULT_IKD_PATTERN) -> QrReading:
    """What ``text`` (a decoded QR payload) is: one of our status codes, a booking, an IKD, or unknown."""
    if text.strip().upper().startswith(BOOKING_QR_PREFIX):  # first: a code's digits could pass for a NIK
        return QrReading("booking", text.strip())  # the whole text: kiosk.booking.code reads it
    token = status_token_from_url(text)
    if token:
        return QrReading("ticket_status", token)
    app = _application_reference(text)
    if app:
        return QrReading("application_status", app)
    match = compile_ikd_pattern(ikd_pattern).search(text)
    if match and match.group("nik"):
        digits = re.sub(r"\D", "", match.group("nik"))
        try:
            nik: Nik = parse_nik(digits)
        except InvalidNik as exc:
            return QrReading("ikd", digits, problem=exc.problem.value)
        return QrReading("ikd", nik.digits)
    return QrReading("unknown")


def _application_reference(text: str) -> str | None:
    """An application's id (UUID) or number from our receipt's status address, else None."""
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or "/status/" not in parts.path + "/":
        return None
    last = [s for s in parts.path.split("/") if s][-1:] or [""]
    if _UUID.fullmatch(last[0]) or _APP_NUMBER.fullmatch(last[0]):
        return last[0]
    return None


def read_qr(image: np.ndarray, ikd_pattern: str = DEFAULT_IKD_PATTERN) -> QrReading | None:
    """The first meaningful QR code in the picture (ours or an IKD), else the first unknown one, else None."""
    readings = [classify_qr(text, ikd_pattern) for text in decode_qr(image)]
    for reading in readings:
        if reading.kind != "unknown":
            return reading
    return readings[0] if readings else None


class QrScanner:
    """A ``FrameAnalyser`` for ``kiosk.ui.qt.camera_view.CameraFeed``: each frame → a :class:`QrReading` or None.

    ``CameraFeed(source_from_config(config), lambda: QrScanner(config.camera.ikd_qr_pattern))``, then read
    ``feed.latest_result()`` on ``result_ready``.
    """

    def __init__(self, ikd_pattern: str = DEFAULT_IKD_PATTERN) -> None:
        compile_ikd_pattern(ikd_pattern)  # a bad pattern fails here, not on the first code
        self.ikd_pattern = ikd_pattern

    def process(self, frame: object) -> QrReading | None:
        image = getattr(frame, "image", frame)
        return read_qr(image, self.ikd_pattern)  # type: ignore[arg-type]  # a Frame's .image or a bare array

    def close(self) -> None:
        """Nothing to free (zxing-cpp holds no state); here for the FrameAnalyser protocol."""
