"""How the kiosk finds its forms, store and camera from the site config, and survives when it cannot."""

from __future__ import annotations

from kiosk.config.schema import Config
from kiosk.core import application_services
from kiosk.sync.outbox import DB_FILE


def test_services_from_the_site_config(config: Config) -> None:
    services = application_services(config)
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
    assert application_services(config) is None
    assert any("only issues tickets" in r.getMessage() for r in allow_log_errors)
    assert (config.data_dir / DB_FILE).read_bytes().startswith(b"this is not sqlite")  # left untouched


def test_the_str_is_looked_up_at_the_reference_central_api(config: Config, tmp_path) -> None:
    import dataclasses

    from central_api.app import RunningCentral
    from central_api.matcher import Registration
    from kiosk.sync.central_client import CentralClient

    registrations = {"3171014501900001": Registration("3171014501900001", "STR-0001", "perawat")}
    with RunningCentral(tmp_path / "central.sqlite3", enroll_codes=["kiosk-code-1"],
                        registrations=registrations) as server:
        with CentralClient(server.url, None, data_dir=config.data_dir) as enrolling:
            enrolling.enroll("kiosk-code-1")  # credentials saved in the data dir, as setup does
        central = dataclasses.replace(config.central, api_url=server.url)
        services = application_services(dataclasses.replace(config, central=central))
        assert services is not None and services.lookup_registration is not None
        try:
            assert services.lookup_registration("3171014501900001") == "STR-0001"
            assert services.lookup_registration("3171015505990009") is None  # unknown: the citizen types it
        finally:
            services.close()
