"""Encryption at rest for personal data: AES-256-GCM with a key file per store.

Used by the kiosk's applications and outbox (:mod:`kiosk.sync.outbox`), the faces awaiting counter
verification (:mod:`kiosk.identity.check`) and the queue host's application views
(:mod:`kiosk.queue.views`). No Qt here.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.storage.store import StoreError, restrict_modes, translate_errors
from kiosk.utils.file_modes import PRIVATE_FILE

log = logging.getLogger(__name__)


class Sealer:
    """AES-256-GCM with a random 96-bit nonce per message and the row's identity as associated data.

    The associated data binds a ciphertext to its row, so a ciphertext copied onto another row
    (another citizen's NIK) fails to open instead of decrypting.
    """

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, context: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plaintext, context.encode("utf-8"))

    def open(self, sealed: bytes, context: str) -> bytes:
        return self._aead.decrypt(sealed[:12], sealed[12:], context.encode("utf-8"))


def load_or_create_key(path: Path, *, create: bool, what: str = "the saved applications") -> bytes:
    """The 32-byte key in ``path``; created with mode 0600 when ``create`` and missing (an existing
    key readable by others is made 0600).

    ``what`` names the data it protects in the message when it is missing and may not be created."""
    path = Path(path)
    with translate_errors(path):
        try:
            key = path.read_bytes()
        except FileNotFoundError:
            if not create:
                raise StoreError(path, f"the encryption key of {what} is missing; restore this file from the "
                                 f"backup made at setup (without it {what} cannot be read). "
                                 "It was not replaced.") from None
            key = AESGCM.generate_key(bit_length=256)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
            with os.fdopen(fd, "wb") as f:
                os.fchmod(f.fileno(), PRIVATE_FILE)  # whatever the umask
                f.write(key)
                f.flush()
                os.fsync(f.fileno())
            log.info("created the encryption key %s (mode 0600)", path)
            return key
    restrict_modes([path], path.parent)
    if len(key) != 32:
        raise StoreError(path, "the encryption key file is damaged (it must hold 32 bytes); restore it from backup.")
    return key
