"""``[device] role = "complaints"``: a machine set up as the complaint officer's desk (issue 19)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config.schema import ConfigError, load_config


def test_the_complaints_role_loads_from_a_file(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[device]\nrole = "complaints"\nfullscreen = false\n', encoding="utf-8")
    assert load_config(site).device.role == "complaints"


def test_a_wrong_role_names_complaints_among_the_allowed(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[device]\nrole = "pengaduan"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="device.role") as caught:
        load_config(site)
    assert "'complaints'" in str(caught.value)
