"""Everything the kiosk's face step needs, built from the site configuration (no Qt here).

``face_services_from_config`` answers None when the face check is switched off, and a
:class:`FaceServices` whose :attr:`~FaceServices.problem` names the fix when it cannot run (model
missing or damaged): the kiosk then leaves the face step out and the counter checks the e-KTP. A missing
or damaged presentation-attack (PAD) model does not switch the step off: it runs challenge-only, and
:attr:`~FaceServices.pad_problem` (logged here, shown by the diagnostics) says why.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.camera.facecheck import FaceCheck
from kiosk.camera.models import verify_model, verify_pad_models
from kiosk.camera.sources import FrameSource, source_from_config
from kiosk.config.schema import Config, FaceSection
from kiosk.identity.check import IdentityCheck, IdentityClient, PendingFaces
from kiosk.identity.consent import Answer, ConsentLog, RecordOutbox

log = logging.getLogger(__name__)


@dataclass
class FaceServices:
    limits: FaceSection
    model_dir: Path
    make_source: Callable[[], FrameSource]
    make_identity_client: Callable[[], IdentityClient | None] = lambda: None
    pending: PendingFaces | None = None
    problem: str = ""  # why the face step cannot be offered (for IT), "" when it can
    pad_problem: str = ""  # why the check is challenge-only (PAD models missing or damaged), "" when not
    challenge: tuple[str, ...] | None = None  # fixed challenge (tests, demos); None = random per attempt
    rng: random.Random | None = field(default=None, repr=False)
    consent: ConsentLog | None = None  # where consent answers are kept (kiosk.identity.consent); None = nowhere

    @property
    def available(self) -> bool:
        return not self.problem

    def make_check(self) -> FaceCheck:
        """Build the analyser (loads MediaPipe): call on the camera's analysis thread."""
        return FaceCheck(self.model_dir, self.limits, challenge=self.challenge, rng=self.rng)

    def record_consent(self, answer: Answer, *, ticket_request_id: str | None, service: str | None) -> None:
        """Keep the citizen's consent answer (blocking: a database write; run it off the GUI thread)."""
        if self.consent is not None:
            self.consent.record(answer, ticket_request_id=ticket_request_id, service=service)

    def identity_check(self) -> IdentityCheck:
        return IdentityCheck(self.make_identity_client(), max_attempts=self.limits.max_attempts)


def face_services_from_config(config: Config, consent_outbox: RecordOutbox | None = None) -> FaceServices | None:
    """``consent_outbox``: the kiosk's outbox (``ApplicationStore``), where consent answers are kept for the
    central API; without it they are only logged."""
    if not config.face.enabled:
        return None
    status = verify_model(config.model_dir)
    problem = "" if status.ok else status.message
    if problem:
        log.warning("face check switched off: %s", problem)
    pad_status = verify_pad_models(config.model_dir)
    pad_problem = "" if pad_status.ok else pad_status.message
    if pad_problem and not problem:
        log.warning("face check is challenge-only: %s", pad_problem)

    def identity_client() -> IdentityClient | None:
        if not config.central.api_url:
            return None
        from kiosk.sync.central_client import CentralClient

        return CentralClient.from_data_dir(config.central.api_url, config.data_dir,
                                           ca_file=config.central.ca_file or None,
                                           timeout=config.central.timeout_seconds)

    pending = None
    if not problem:
        try:
            pending = PendingFaces(config.data_dir / "pending-faces")
            pending.purge()
        except OSError as exc:
            problem = f"the folder for faces awaiting counter verification cannot be used ({exc})"
    return FaceServices(config.face, config.model_dir, lambda: source_from_config(config), identity_client,
                        pending, problem, pad_problem, consent=ConsentLog(consent_outbox, config.device.id))
