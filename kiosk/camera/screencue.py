"""A passive screen cue: how periodic the face's fine texture is (a display's pixel grid seen by the camera).

A face shown on a screen is made of the screen's pixels. When the camera can resolve that grid, or
aliases it into moiré, the face picture carries a strong, narrow peak in its 2-D spectrum that skin,
hair and a lens-blurred real face do not have. :func:`grid_score` measures that: the face centre
(96×96 pixels at the camera's own resolution, never resampled, which would smear the grid), Hann
window, power spectrum, and for every frequency ring the highest power above the ring's median (in
natural-log units; the lowest frequencies, where the face's own shapes live, are left out). A real face
under a lens gives a smooth spectrum; a grid gives a spike.

Limits (see docs/face-check.md): a phone held at arm's length to a 640×480 camera puts ~5 screen
pixels in one camera pixel, far beyond what the lens resolves, so there is no grid and no moiré to see;
this cue can only catch a coarse display (a monitor or laptop close to the camera). Its threshold has
only been set against our own simulated displays, so it is recorded as evidence and decides nothing
unless ``[face] max_screen_score`` is set.
"""

from __future__ import annotations

import numpy as np

PATCH = 96
#: rings closer to the centre than this (cycles per patch) hold the face's own shapes, not a grid
MIN_RING = 10


def _ring_index(size: int) -> np.ndarray:
    freq = np.fft.fftfreq(size) * size
    fy, fx = np.meshgrid(freq, freq, indexing="ij")
    return np.round(np.hypot(fx, fy)).astype(int)


_RINGS = _ring_index(PATCH)
_WINDOW = np.outer(np.hanning(PATCH), np.hanning(PATCH)).astype(np.float32)
_RING_CELLS = [np.flatnonzero(_RINGS.ravel() == ring) for ring in range(MIN_RING, PATCH // 2)]


def grid_score(grey: np.ndarray, bbox: tuple[float, float, float, float]) -> float | None:
    """Peak-over-ring-median of the face centre's spectrum (log units); None if the face is too small."""
    x, y, w, h = bbox
    cx, cy = int(x + w / 2), int(y + h / 2)
    half = PATCH // 2
    height, width = grey.shape[:2]
    if w < PATCH * 0.9 or cx - half < 0 or cy - half < 0 or cx + half > width or cy + half > height:
        return None
    patch = grey[cy - half:cy + half, cx - half:cx + half].astype(np.float32)
    patch = (patch - patch.mean()) * _WINDOW
    power = np.log(np.abs(np.fft.fft2(patch)).ravel() ** 2 + 1e-3)
    return max(float(values.max() - np.median(values)) for values in (power[cells] for cells in _RING_CELLS))


def screen_like(score: float | None, limit: float) -> bool:
    """True when the cue is switched on (``limit`` > 0) and the score is above it."""
    return limit > 0 and score is not None and score > limit


def median_score(scores: list[float]) -> float | None:
    return float(np.median(scores)) if scores else None

