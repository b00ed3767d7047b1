"""File modes (issue 21, item 11): the data folder 0700, databases, -wal/-shm, keys and logs 0600.

Set at creation whatever the umask, and an older install left 0755/0644 is repaired at start with
one INFO line naming what changed. Real files, real modes.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from central_api.stores import SqliteCentralStore
from kiosk.storage.data_dir import prepare_data_dir
from kiosk.storage.sealing import load_or_create_key
from kiosk.storage.store import Schema, open_database
from kiosk.utils.log import setup_logging

SCHEMA = Schema("modes-test", ["CREATE TABLE t (x INTEGER)"])


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The worst umask: without our own modes, files would be 0644 (SQLite) or 0666, folders 0777."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        yield
    finally:
        setup_logging(None, "WARNING", stderr=False)  # closes our file handler
        root.handlers[:] = handlers
        root.setLevel(level)


def test_a_new_install_is_private_whatever_the_umask(tmp_path: Path, open_umask: None,
                                                     restore_logging: None) -> None:
    data = tmp_path / "new" / "data"
    prepare_data_dir(data)
    db = open_database(data / "queue.db", SCHEMA)
    try:
        with db.transaction() as conn:
            conn.execute("INSERT INTO t VALUES (1)")
        wal, shm = data / "queue.db-wal", data / "queue.db-shm"
        assert wal.exists() and shm.exists()
        modes = {p.name: mode(p) for p in (data / "queue.db", wal, shm)}
    finally:
        db.close()
    load_or_create_key(data / "outbox.key", create=True)
    log_path = setup_logging(data, "INFO", stderr=False)
    assert log_path is not None
    logging.getLogger("kiosk.test").info("written")

    assert mode(data) == 0o700 and mode(data.parent) == 0o700  # the folders it had to make
    assert modes == {"queue.db": 0o600, "queue.db-wal": 0o600, "queue.db-shm": 0o600}
    assert mode(data / "outbox.key") == 0o600
    assert mode(data / "logs") == 0o700 and mode(log_path) == 0o600


def test_rotated_log_copies_stay_private(tmp_path: Path, open_umask: None, restore_logging: None) -> None:
    log_path = setup_logging(tmp_path, "INFO", stderr=False)
    assert log_path is not None
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, logging.handlers.RotatingFileHandler))
    logging.getLogger("kiosk.test").info("before the rotation")
    handler.doRollover()
    logging.getLogger("kiosk.test").info("after the rotation")

    rotated = log_path.with_name("kiosk.log.1")
    assert "before the rotation" in rotated.read_text(encoding="utf-8")
    assert mode(rotated) == 0o600 and mode(log_path) == 0o600


def make_old_install(data: Path) -> sqlite3.Connection:
    """What the previous version left: folders 0755 and files 0644, a WAL database, logs and a key.

    The database stays open (the caller closes it) so its -wal and -shm are there too."""
    (data / "logs").mkdir(parents=True)
    (data / "pending-faces").mkdir()
    conn = sqlite3.connect(data / "queue.db")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE old (x INTEGER)")
    conn.execute("INSERT INTO old VALUES (1)")
    conn.commit()
    (data / "applications.sqlite3").write_bytes(b"")
    (data / "logs" / "kiosk.log").write_text("{}\n", encoding="utf-8")
    (data / "logs" / "kiosk.log.1").write_text("{}\n", encoding="utf-8")
    (data / "outbox.key").write_bytes(os.urandom(32))
    (data / "pending-faces" / "face.bin").write_bytes(b"x")
    for path in [data, *data.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return conn


def test_an_old_install_is_repaired_at_start_with_one_line(tmp_path: Path,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    data = tmp_path / "data"
    old = make_old_install(data)
    assert mode(data / "queue.db-wal") == 0o644
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("not ours", encoding="utf-8")
    os.chmod(outside, 0o644)
    (data / "link").symlink_to(outside)

    with caplog.at_level(logging.INFO):
        prepare_data_dir(data)
        db = open_database(data / "queue.db", SCHEMA)  # already repaired: says nothing more
        db.close()
        load_or_create_key(data / "outbox.key", create=False)

    lines = [r for r in caplog.records if "file modes repaired" in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelno == logging.INFO
    for name in ("queue.db", "queue.db-wal", "applications.sqlite3", "logs/kiosk.log", "logs/kiosk.log.1",
                 "outbox.key", "pending-faces/face.bin"):
        assert name in lines[0].getMessage()
        assert mode(data / name) == 0o600
    assert mode(data) == mode(data / "logs") == mode(data / "pending-faces") == 0o700
    assert mode(outside) == 0o644  # a link is not followed
    old.close()

    caplog.clear()
    with caplog.at_level(logging.INFO):
        prepare_data_dir(data)
    assert not [r for r in caplog.records if "file modes repaired" in r.getMessage()]


def test_the_repair_line_reaches_the_log_file_set_up_after_it(tmp_path: Path, restore_logging: None) -> None:
    """At start the data folder is prepared before the log exists; the repair is still logged in it."""
    data = tmp_path / "data"
    make_old_install(data).close()
    logging.getLogger().handlers.clear()  # as in a fresh process: no handler yet (pytest's are restored)

    prepare_data_dir(data)
    log_path = setup_logging(data, "INFO", stderr=False)

    assert log_path is not None
    text = log_path.read_text(encoding="utf-8")
    assert text.count("file modes repaired") == 1 and "queue.db" in text and "logs/kiosk.log" in text


def test_the_central_database_is_private_and_repaired(tmp_path: Path, open_umask: None,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "central" / "central.sqlite3"
    SqliteCentralStore(path).close()
    assert mode(path) == 0o600 and mode(path.parent) == 0o700

    os.chmod(path, 0o644)
    with caplog.at_level(logging.INFO):
        store = SqliteCentralStore(path)
    store.close()
    assert mode(path) == 0o600
    assert any("file modes repaired" in r.getMessage() and "central.sqlite3" in r.getMessage()
               for r in caplog.records)
