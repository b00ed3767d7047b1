"""What the composition root hands each role's windows (kiosk.core), and how it fails: a part that
cannot be built leaves a kiosk that still issues tickets. No Qt here."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from kiosk.catalog.forms import FormsError
from kiosk.config.schema import Config
from kiosk.core import Core, build_core, build_role_parts, open_sync
from kiosk.survey.model import SurveyResponse
from kiosk.sync.outbox import DB_FILE


def test_a_kiosk_gets_applications_and_the_core_a_survey_store_that_opens_on_first_use(core: Core) -> None:
    parts = build_role_parts(core, "kiosk")
    try:
        assert parts.applications is not None and parts.applications.owns_store
        assert parts.applications.views is not None  # the counter's views beside the store
        assert parts.forms is None and parts.face_services is None
        assert not (core.config.data_dir / "survey.db").exists()  # start-up does not touch the disk
        core.survey.record(SurveyResponse(answers=(4,) * 9, channel="kiosk", lang="id"))
        assert (core.config.data_dir / "survey.db").exists()
    finally:
        assert parts.applications is not None
        parts.applications.close()


def test_a_counter_gets_the_forms_that_label_answers_and_no_store(core: Core) -> None:
    parts = build_role_parts(core, "counter")
    assert parts.forms is not None and parts.forms.form_for("KK") is not None
    assert parts.applications is None


def test_one_machine_shares_the_kiosks_forms_with_the_counter(core: Core) -> None:
    parts = build_role_parts(core, "all-in-one")
    try:
        assert parts.applications is not None and parts.forms is parts.applications.forms
    finally:
        assert parts.applications is not None
        parts.applications.close()


def test_broken_forms_leave_a_ticket_kiosk_with_its_survey(core: Core, monkeypatch: pytest.MonkeyPatch,
                                                           allow_log_errors: list[logging.LogRecord]) -> None:
    def broken(*_: object) -> None:
        raise FormsError("forms.toml: line 3: not TOML")

    monkeypatch.setattr("kiosk.catalog.forms.load_forms", broken)
    parts = build_role_parts(core, "all-in-one")
    assert parts.applications is None
    assert parts.forms is None  # the counter shows answers by field id
    assert any("only issues tickets" in r.getMessage() for r in allow_log_errors)


def test_sync_parts_show_the_outbox_and_close(config: Config) -> None:
    configured = dataclasses.replace(config, central=dataclasses.replace(config.central,
                                                                         api_url="http://127.0.0.1:9"))
    built = build_core(configured)
    try:
        sync = open_sync(configured)
        assert sync.interval_seconds == configured.central.sync_interval_seconds
        status = sync.status()
        assert status["api_url"] == "http://127.0.0.1:9" and status["counts"]["pending"] == 0
        sync.close()
    finally:
        built.close()


def test_a_damaged_outbox_stops_only_the_sync(config: Config) -> None:
    configured = dataclasses.replace(config, central=dataclasses.replace(config.central,
                                                                         api_url="http://127.0.0.1:9"))
    built = build_core(configured)
    try:
        (config.data_dir / DB_FILE).write_bytes(b"not a database" * 100)
        with pytest.raises(Exception, match="applications"):
            open_sync(configured)
        assert built.queue.issue("KTP-EL", request_id="still-works").ticket.number  # tickets go on
    finally:
        built.close()


def test_a_kiosk_keeps_face_consent_answers_in_its_outbox(config: Config) -> None:
    """Issue 18 item 6: the composition root hands the face step the outbox, so an answer is kept
    (encrypted, synced to the central API's records), not only logged."""
    config = dataclasses.replace(config, face=dataclasses.replace(config.face, enabled=True))
    core = build_core(config)
    parts = build_role_parts(core, "kiosk")
    try:
        assert parts.face_services is not None and parts.applications is not None
        consent = parts.face_services.consent
        assert consent is not None and consent.outbox is parts.applications.store
        parts.face_services.record_consent("declined", ticket_request_id="req-9", service="KTP-EL")
        assert [item.kind for item in parts.applications.store.items()] == ["face_consent"]
    finally:
        if parts.applications is not None:
            parts.applications.close()
        core.close()
