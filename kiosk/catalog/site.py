"""The service catalog as this building runs it: the configured (or shipped) file, with the site's counters."""

from __future__ import annotations

import logging
from pathlib import Path

from kiosk.catalog.services import Catalog, CatalogError, default_catalog_path, load_catalog
from kiosk.config.schema import Config

log = logging.getLogger(__name__)


def catalog_path(config: Config) -> Path:
    return Path(config.kiosk.catalog_path).expanduser() if config.kiosk.catalog_path else default_catalog_path()


def load_site_catalog(config: Config) -> tuple[Catalog | None, str | None]:
    """The catalog with this building's counter assignment, or the reason it is unavailable."""
    try:
        catalog = load_catalog(catalog_path(config))
    except CatalogError as exc:
        log.error("service catalog unavailable: %s", exc)
        return None, str(exc)
    overrides = {c.number: c.services for c in config.counters if c.services}
    if overrides:
        catalog = catalog.with_counters(overrides)
    log.info("service catalog %s: %d services", catalog.version, len(catalog.services))
    return catalog, None
