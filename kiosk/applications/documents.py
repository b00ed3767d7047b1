"""Document photos: find the sheet of paper in a camera frame, check it is readable, flatten it.

A citizen holds a letter or a card under the kiosk camera. We look for the largest four-cornered
bright shape (a page on a darker desk or hand), and say in plain words what is wrong when there is
none: not found, only part of it in view, too far away, too dark, blurred. A found page is cut out
and straightened (perspective warp) so the clerk and the central platform get a flat, readable
page instead of a photo of a desk. OpenCV only; no Qt, so the rules are tested on generated images.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import cv2
import numpy as np

WORK_WIDTH = 640            # detection runs on a copy this wide: fast and stable
MIN_AREA_FRACTION = 0.12    # smaller than this share of the picture: ask to hold it closer
BORDER_MARGIN_FRACTION = 0.01
MIN_BRIGHTNESS = 60.0       # mean grey level of the page, 0–255
MIN_SHARPNESS = 40.0        # variance of the Laplacian on the flattened page
OUTPUT_LONG_SIDE = 1600     # a page at this size keeps 10-point type readable
JPEG_QUALITY = 85


class DocumentProblem(str, Enum):
    """Why a frame is not a usable document photo; the value is the text key's last part."""

    NOT_FOUND = "not_found"
    CUT_OFF = "cut_off"
    TOO_SMALL = "too_small"
    TOO_DARK = "too_dark"
    BLURRY = "blurry"


@dataclass(frozen=True)
class DocumentCheck:
    """The result for one frame: the page's corners (frame pixels, clockwise from top-left) or why not."""

    corners: np.ndarray | None
    problem: DocumentProblem | None
    sharpness: float = 0.0
    brightness: float = 0.0

    @property
    def ok(self) -> bool:
        return self.problem is None and self.corners is not None


def order_corners(points: np.ndarray) -> np.ndarray:
    """Four points as top-left, top-right, bottom-right, bottom-left."""
    pts = points.reshape(4, 2).astype(np.float32)
    total = pts.sum(axis=1)
    diff = np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(total)], pts[np.argmin(diff)], pts[np.argmax(total)], pts[np.argmax(diff)]],
                    dtype=np.float32)


def _find_quad(gray: np.ndarray) -> np.ndarray | None:
    """The largest convex four-cornered outline in a small grey image, or None."""
    blurred = cv2.GaussianBlur(gray, (5, 5), 0)
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    edges = cv2.dilate(cv2.Canny(blurred, 50, 150), np.ones((3, 3), np.uint8))
    best: tuple[float, np.ndarray] | None = None
    for mask in (bright, edges):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
            hull = cv2.convexHull(contour)
            perimeter = cv2.arcLength(hull, True)
            approx = cv2.approxPolyDP(hull, 0.02 * perimeter, True)
            if len(approx) != 4:
                continue
            area = cv2.contourArea(approx)
            if best is None or area > best[0]:
                best = (area, approx)
        if best is not None:
            break  # the bright-region outline is the steadier of the two; edges are the fallback
    return None if best is None else order_corners(best[1])


def page_size(corners: np.ndarray) -> tuple[int, int]:
    """Width and height of the straightened page, from its longest opposite sides."""
    tl, tr, br, bl = corners
    width = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    height = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    return max(1, int(round(width))), max(1, int(round(height)))


def flatten(image: np.ndarray, corners: np.ndarray, long_side: int = OUTPUT_LONG_SIDE) -> np.ndarray:
    """The page cut out and straightened, its long side ``long_side`` pixels (never enlarged 2× or more)."""
    width, height = page_size(corners)
    scale = min(long_side / max(width, height), 2.0)
    out_w, out_h = max(1, int(width * scale)), max(1, int(height * scale))
    target = np.array([[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    return cv2.warpPerspective(image, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR)


def check_frame(image: np.ndarray) -> DocumentCheck:
    """Find the page in a BGR frame and judge whether it would make a readable photo."""
    height, width = image.shape[:2]
    factor = WORK_WIDTH / width if width > WORK_WIDTH else 1.0
    small = cv2.resize(image, (int(width * factor), int(height * factor))) if factor != 1.0 else image
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    quad = _find_quad(gray)
    if quad is None:
        return DocumentCheck(None, DocumentProblem.NOT_FOUND)
    corners = quad / factor
    small_h, small_w = gray.shape
    area_fraction = cv2.contourArea(quad) / float(small_w * small_h)
    if area_fraction < 0.02:
        return DocumentCheck(None, DocumentProblem.NOT_FOUND)
    margin = BORDER_MARGIN_FRACTION * max(small_w, small_h)
    touches = bool(np.any(quad[:, 0] <= margin) or np.any(quad[:, 1] <= margin)
                   or np.any(quad[:, 0] >= small_w - 1 - margin) or np.any(quad[:, 1] >= small_h - 1 - margin))
    if touches and area_fraction < 0.9:
        return DocumentCheck(corners, DocumentProblem.CUT_OFF)
    if area_fraction < MIN_AREA_FRACTION:
        return DocumentCheck(corners, DocumentProblem.TOO_SMALL)
    page = cv2.cvtColor(flatten(small, quad, long_side=480), cv2.COLOR_BGR2GRAY)
    brightness = float(page.mean())
    sharpness = float(cv2.Laplacian(page, cv2.CV_64F).var())
    if brightness < MIN_BRIGHTNESS:
        return DocumentCheck(corners, DocumentProblem.TOO_DARK, sharpness, brightness)
    if sharpness < MIN_SHARPNESS:
        return DocumentCheck(corners, DocumentProblem.BLURRY, sharpness, brightness)
    return DocumentCheck(corners, None, sharpness, brightness)


def encode_jpeg(image: np.ndarray, quality: int = JPEG_QUALITY) -> bytes:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("the picture could not be encoded as JPEG")
    return data.tobytes()


def capture_document(image: np.ndarray) -> tuple[DocumentCheck, bytes | None]:
    """Check a frame and, when it is usable, the flattened page as JPEG bytes."""
    check = check_frame(image)
    if not check.ok or check.corners is None:
        return check, None
    return check, encode_jpeg(flatten(image, check.corners))


def draw_document_like(width: int = 960, height: int = 720, *, seed: int = 0, angle: float = 8.0,
                       scale: float = 0.62, blur: int = 0, lines: int = 12, offset: tuple[int, int] = (0, 0),
                       light: float = 1.0) -> np.ndarray:
    """A synthetic photo of a printed page on a dark desk, for tests, demos and the selftest.

    ``scale`` is the page height as a share of the picture; ``blur`` a Gaussian kernel size (odd);
    ``light`` multiplies brightness (0.2 = a dim lobby corner).
    """
    rng = np.random.default_rng(seed)
    desk: np.ndarray = np.full((height, width, 3), (38, 52, 70), np.uint8)
    desk = cv2.add(desk, rng.integers(0, 18, (height, width, 3), dtype=np.uint8))
    page_h = int(height * scale)
    page_w = int(page_h / 1.414)
    page = np.full((page_h, page_w, 3), 246, np.uint8)
    cv2.rectangle(page, (int(page_w * 0.08), int(page_h * 0.05)), (int(page_w * 0.92), int(page_h * 0.12)),
                  (40, 40, 40), -1)
    for i in range(lines):
        y = int(page_h * (0.2 + 0.06 * i))
        if y > page_h * 0.95:
            break
        words = " ".join(rng.choice(["SURAT", "KETERANGAN", "NOMOR", "NAMA", "ALAMAT", "RT", "RW", "2026",
                                     "KELURAHAN", "DENGAN", "INI", "MENERANGKAN"], size=4))
        cv2.putText(page, words, (int(page_w * 0.08), y), cv2.FONT_HERSHEY_SIMPLEX, page_h / 1100, (30, 30, 30),
                    max(1, page_h // 400), cv2.LINE_AA)
    src = np.array([[0, 0], [page_w - 1, 0], [page_w - 1, page_h - 1], [0, page_h - 1]], np.float32)
    center = np.array([width / 2 + offset[0], height / 2 + offset[1]], np.float32)
    rotation = cv2.getRotationMatrix2D((page_w / 2, page_h / 2), angle, 1.0)
    corners: np.ndarray = cv2.transform(src.reshape(-1, 1, 2), rotation).reshape(-1, 2)
    corners += center - np.array([page_w / 2, page_h / 2], np.float32)
    corners[2:] += np.array([[12, 0], [-12, 0]], np.float32)  # a little perspective: the bottom is nearer
    matrix = cv2.getPerspectiveTransform(src, corners.astype(np.float32))
    warped = cv2.warpPerspective(page, matrix, (width, height))
    mask = cv2.warpPerspective(np.full((page_h, page_w), 255, np.uint8), matrix, (width, height))
    picture: np.ndarray = desk.copy()
    picture[mask > 0] = warped[mask > 0]
    if blur:
        picture = cv2.GaussianBlur(picture, (blur, blur), 0)
    if light != 1.0:
        picture = cv2.convertScaleAbs(picture, alpha=light, beta=0)
    return picture
