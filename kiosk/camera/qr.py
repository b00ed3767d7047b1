"""Decoding QR codes in camera pictures (zxing-cpp: robust to tilt and small codes). No Qt here.

What a decoded text means (a digital ID, one of our status codes) is :mod:`kiosk.visit.qr_codes`.
"""

from __future__ import annotations

import numpy as np


def decode_qr(image: np.ndarray) -> list[str]:
    """Texts of all QR codes in a BGR or grey picture (empty when none)."""
    import zxingcpp

    qr_only = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    results = zxingcpp.read_barcodes(np.ascontiguousarray(image), formats=qr_only)
    return [r.text for r in results if r.valid and r.text]
