"""The central API is reached over TLS only: an http:// address is refused unless a development flag says
otherwise (issue 21, item 7), at the configuration's door, so ``config check``, ``sync enroll`` and every
role refuse it alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.app.cli import main
from kiosk.config.schema import ConfigError, load_config


def _site(tmp_path: Path, central: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(f'[device]\ndata_dir = "{tmp_path / "data"}"\n[central]\n{central}\n', encoding="utf-8")
    return path


def test_plain_http_is_refused_naming_the_key_and_the_file(tmp_path: Path) -> None:
    path = _site(tmp_path, 'api_url = "http://mpp.example.go.id/api"')
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    message = str(refused.value)
    assert "central.api_url" in message and str(path) in message and "https://" in message
    assert "allow_insecure_http" in message  # says how a developer gets past it


def test_https_needs_no_flag_and_http_needs_the_development_one(tmp_path: Path) -> None:
    assert load_config(_site(tmp_path, 'api_url = "https://mpp.example.go.id/api"')).central.api_url.startswith("https")
    dev = load_config(_site(tmp_path, 'api_url = "http://127.0.0.1:8800"\nallow_insecure_http = true'))
    assert dev.central.allow_insecure_http and dev.central.api_url == "http://127.0.0.1:8800"


@pytest.mark.parametrize("command", [["config", "check"], ["sync", "enroll", "code-from-central"]])
def test_the_commands_refuse_plain_http_before_sending_anything(tmp_path: Path, command: list[str],
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = _site(tmp_path, 'api_url = "HTTP://127.0.0.1:9/api"')  # port 9 (discard): nothing may be sent
    assert main(["--config", str(path), *command]) == 2
    assert "central.api_url" in capsys.readouterr().err
    assert not (tmp_path / "data").exists()  # refused before the data folder or a credential was touched
