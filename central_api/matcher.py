"""1:1 face matching for the reference central API (optional extra ``central-matcher``).

Stands in for the population register's face recognition: dlib's 128-d ResNet face descriptor
(``dlib-bin`` + ``face-recognition-models``, MIT). Two photos of the same person are usually
≤ 0.45 apart and different people ≥ 0.7 (see ``../shared/models/README.md``); dlib's threshold is
0.6. Without the extra installed, :func:`load_matcher` returns None and the API answers 503.
"""

from __future__ import annotations

import io
import logging
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MATCH_DISTANCE = 0.6


class NoFace(ValueError):
    """The image is not a readable photo with exactly one face."""


@dataclass(frozen=True)
class MatchResult:
    matched: bool
    distance: float

    @property
    def score(self) -> float:
        """Similarity in [0, 1]: 1 − distance, clipped (0.4 = the threshold)."""
        return round(max(0.0, min(1.0, 1.0 - self.distance)), 4)


class FaceMatcher:
    """Descriptors of face photos and their distance; dlib is not thread-safe, hence the lock."""

    def __init__(self) -> None:
        import dlib
        import face_recognition_models as models

        self._detector = dlib.get_frontal_face_detector()
        self._shape = dlib.shape_predictor(models.pose_predictor_five_point_model_location())
        self._encoder = dlib.face_recognition_model_v1(models.face_recognition_model_location())
        self._lock = threading.Lock()

    def descriptor(self, image_bytes: bytes) -> Any:
        """The 128-d descriptor of the one face in a JPEG/PNG; :class:`NoFace` otherwise."""
        import numpy as np
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(image_bytes)) as image:
                if image.width * image.height > 40_000_000:
                    raise NoFace("the image is too large")
                pixels = np.asarray(image.convert("RGB"))
        except (UnidentifiedImageError, OSError) as exc:
            raise NoFace("the data is not a readable image") from exc
        with self._lock:
            faces = self._detector(pixels, 1)
            if len(faces) != 1:
                raise NoFace(f"expected one face in the photo, found {len(faces)}")
            shape = self._shape(pixels, faces[0])
            return np.array(self._encoder.compute_face_descriptor(pixels, shape, 1))

    def compare(self, reference: Any, probe: Any) -> MatchResult:
        import numpy as np

        distance = float(np.linalg.norm(reference - probe))
        return MatchResult(matched=distance <= MATCH_DISTANCE, distance=round(distance, 4))


def load_matcher() -> FaceMatcher | None:
    """The matcher, or None when dlib / the models are not installed (the API then answers 503)."""
    try:
        return FaceMatcher()
    except ImportError:
        log.warning("face matcher not installed (pip install 'mpp-kiosk[central-matcher]'); "
                    "identity checks will answer 503")
        return None


@dataclass(frozen=True)
class Identity:
    nik: str
    name: str
    photos: tuple[Path, ...]


def load_identities(path: Path) -> list[Identity]:
    """The test register: a TOML file of ``[[identity]]`` tables (``nik``, ``name``, ``photos``);
    the same file may hold ``[[registration]]`` tables (see :func:`load_registrations`).

    Photo paths are relative to the file. A wrong entry raises ``ValueError`` naming it.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: cannot be read as TOML ({exc})") from None
    identities = []
    for i, entry in enumerate(data.get("identity", [])):
        where = f"{path}: identity[{i}]"
        nik, photos = entry.get("nik"), entry.get("photos")
        if not isinstance(nik, str) or not (len(nik) == 16 and nik.isdigit()):
            raise ValueError(f"{where}.nik: must be 16 digits")
        if not isinstance(photos, list) or not photos or not all(isinstance(p, str) for p in photos):
            raise ValueError(f"{where}.photos: must be a list of image paths")
        resolved = tuple((path.parent / p).resolve() for p in photos)
        for photo in resolved:
            if not photo.is_file():
                raise ValueError(f"{where}.photos: {photo} not found")
        identities.append(Identity(nik=nik, name=str(entry.get("name", "")), photos=resolved))
    return identities


@dataclass(frozen=True)
class Registration:
    """A health worker's registration (STR) as the national register (SISDMK) knows it."""

    nik: str
    registration_number: str
    profession: str = ""


def load_registrations(path: Path) -> dict[str, Registration]:
    """``[[registration]]`` tables (``nik``, ``registration_number``, ``profession``) of the register file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: cannot be read as TOML ({exc})") from None
    found: dict[str, Registration] = {}
    for i, entry in enumerate(data.get("registration", [])):
        where = f"{path}: registration[{i}]"
        nik, number = entry.get("nik"), entry.get("registration_number")
        if not isinstance(nik, str) or not (len(nik) == 16 and nik.isdigit()):
            raise ValueError(f"{where}.nik: must be 16 digits")
        if not isinstance(number, str) or not number.strip():
            raise ValueError(f"{where}.registration_number: must be a non-empty text")
        found[nik] = Registration(nik, number.strip(), str(entry.get("profession", "")))
    return found


class IdentityRegister:
    """NIK → reference face descriptors, computed once when first needed."""

    def __init__(self, identities: list[Identity], matcher: FaceMatcher | None) -> None:
        self._identities = {i.nik: i for i in identities}
        self.matcher = matcher
        self._descriptors: dict[str, list[Any]] = {}
        self._lock = threading.Lock()

    def __contains__(self, nik: str) -> bool:
        return nik in self._identities

    def verify(self, nik: str, face: bytes) -> MatchResult:
        """Best match of ``face`` against the register's photos of ``nik`` (caller checked membership)."""
        assert self.matcher is not None
        probe = self.matcher.descriptor(face)
        with self._lock:
            references = self._descriptors.get(nik)
            if references is None:
                references = [self.matcher.descriptor(p.read_bytes()) for p in self._identities[nik].photos]
                self._descriptors[nik] = references
        return min((self.matcher.compare(r, probe) for r in references), key=lambda m: m.distance)
