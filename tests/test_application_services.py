"""How the kiosk finds its forms, store and camera from the site config, and survives when it cannot."""

from __future__ import annotations

from kiosk.config import Config
from kiosk.sync.outbox import DB_FILE
from kiosk.ui.citizen.application import application_services_for


def test_services_from_the_site_config(config: Config) -> None:
    services = application_services_for(config)
    assert services is not None and services.owns_store
    try:
        assert services.forms.form_for("KK") is not None
        assert services.store.path == config.data_dir / DB_FILE
        assert services.store.counts()["pending"] == 0
    finally:
        services.close()


def test_a_damaged_database_leaves_a_ticket_only_kiosk(config: Config, allow_log_errors) -> None:
    config.data_dir.mkdir(parents=True, exist_ok=True)
    (config.data_dir / DB_FILE).write_bytes(b"this is not sqlite at all, but someone's notes" * 10)
    assert application_services_for(config) is None
    assert any("only issues tickets" in r.getMessage() for r in allow_log_errors)
    assert (config.data_dir / DB_FILE).read_bytes().startswith(b"this is not sqlite")  # left untouched
