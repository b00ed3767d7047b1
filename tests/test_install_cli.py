"""Installing and upgrading from the command line: no configuration on a real install, a
downgrade refused with exit code 2, the admin PIN hash tool, and an upgrade that keeps the data."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.app.cli import main
from kiosk.queue.schema import QUEUE_SCHEMA
from kiosk.staff.directory import verify_pin

ROOT = Path(__file__).resolve().parents[1]


def site_file(tmp_path: Path, data_dir: Path) -> Path:
    site = tmp_path / "site.toml"
    site.write_text(f'[device]\ndata_dir = "{data_dir}"\nfullscreen = false\n\n[kiosk]\nspeech = "off"\n',
                    encoding="utf-8")
    return site


def test_downgrade_is_refused_with_exit_code_2_and_the_data_untouched(tmp_path: Path, data_dir: Path) -> None:
    site = site_file(tmp_path, data_dir)
    db = data_dir / "queue.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE _meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("INSERT INTO _meta VALUES ('schema', ?)", (QUEUE_SCHEMA.name,))
    conn.execute(f"PRAGMA user_version={QUEUE_SCHEMA.version + 5}")
    conn.commit()
    conn.close()
    result = subprocess.run([sys.executable, "-m", "kiosk", "--config", str(site), "run", "kiosk", "--windowed"],
                            capture_output=True, text=True, timeout=60, cwd=ROOT,
                            env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 2, result.stderr
    assert "newer version of MPP Kiosk" in result.stderr
    assert str(db) in result.stderr and "install the newer version again" in result.stderr
    # Untouched as data: same version, same owner. (Opening switches the file to WAL before the
    # version is read, which rewrites two header bytes; the content is not changed.)
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == QUEUE_SCHEMA.version + 5
        assert conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall() == [("_meta",)]
    finally:
        conn.close()


def test_upgrade_migrates_an_older_database_on_open(tmp_path: Path, data_dir: Path) -> None:
    """An older database (fewer migrations applied) is brought up to date on open, its tables kept."""
    from kiosk.storage.store import Schema, open_database

    old = Schema(QUEUE_SCHEMA.name, QUEUE_SCHEMA.migrations[:1])
    if QUEUE_SCHEMA.version < 2:
        pytest.skip("the queue schema has a single migration: no older version to upgrade from")
    db = open_database(data_dir / "queue.db", old)
    tables_before = {r[0] for r in db._conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    db.close()
    upgraded = open_database(data_dir / "queue.db", QUEUE_SCHEMA)
    try:
        version = upgraded._conn.execute("PRAGMA user_version").fetchone()[0]
        tables_after = {r[0] for r in upgraded._conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        upgraded.close()
    assert version == QUEUE_SCHEMA.version
    assert tables_before <= tables_after


def test_run_without_any_configuration_explains_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.config/mpp-kiosk/site.toml
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert main(["run", "kiosk"]) == 2
    err = capsys.readouterr().err
    assert "kiosk setup" in err and "kiosk demo" in err
    assert main(["setup"]) == 2  # no screen for the wizard: edit the file instead
    assert "needs a screen" in capsys.readouterr().err


def test_hash_pin_prints_a_usable_hash_and_refuses_weak_pins() -> None:
    good = subprocess.run([sys.executable, "-m", "kiosk", "admin", "hash-pin"], input="482613\n",
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert good.returncode == 0, good.stderr
    assert verify_pin("482613", good.stdout.strip())
    weak = subprocess.run([sys.executable, "-m", "kiosk", "admin", "hash-pin"], input="1234\n",
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert weak.returncode == 2 and "easy to guess" in weak.stderr


def test_selftest_pictures_never_touch_the_real_data_folder(qapp, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """With $KIOSK_DATA_DIR set (as the queue host's unit does) the screens' sample tickets would
    land in this machine's queue (Config.data_dir prefers it over each scratch folder): selftest
    hides it while drawing and puts it back afterwards."""
    import os

    from kiosk.config.schema import Config
    from kiosk.selftest import tour as screenshots

    real = str(tmp_path / "real-data")
    monkeypatch.setenv("KIOSK_DATA_DIR", real)
    seen: list[str | None] = []

    def draw(config: Config, out: Path) -> list[Path]:
        seen.append(os.environ.get("KIOSK_DATA_DIR"))
        raise RuntimeError("a screen failed")

    monkeypatch.setattr(screenshots, "_capture_all", draw)
    with pytest.raises(RuntimeError):
        screenshots.capture_all(Config(), tmp_path / "out")
    assert seen == [None]
    assert os.environ["KIOSK_DATA_DIR"] == real  # restored even when drawing failed


def test_face_model_shipped_in_the_build_is_used_until_one_is_installed(tmp_path: Path, data_dir: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from kiosk.config.schema import Config, DeviceSection
    from kiosk.utils import paths

    monkeypatch.delenv("KIOSK_MODEL_DIR", raising=False)
    monkeypatch.delenv("KIOSK_DATA_DIR", raising=False)
    build = tmp_path / "_internal"
    (build / "models").mkdir(parents=True)
    (build / "models" / "face_landmarker.task").write_bytes(b"model")
    monkeypatch.setattr(paths, "app_root", lambda: build)
    config = Config(device=DeviceSection(data_dir=str(data_dir)))
    assert config.model_dir == build / "models"
    (data_dir / "models").mkdir()
    (data_dir / "models" / "face_landmarker.task").write_bytes(b"newer model")  # kiosk models install
    assert config.model_dir == data_dir / "models"
