"""The SQLite store: migrations in order, newer schemas refused untouched, human errors."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from kiosk.storage.store import Schema, SchemaTooNew, StoreError, open_database

V1 = Schema("sample", ["CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"])
V2 = Schema("sample", [*V1.migrations, "ALTER TABLE item ADD COLUMN note TEXT; CREATE INDEX item_name ON item(name);"])


def test_new_database_is_migrated_in_wal_mode(tmp_path: Path) -> None:
    db = open_database(tmp_path / "a.db", V2)
    with db.reading() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
        columns = [r[1] for r in conn.execute("PRAGMA table_info(item)")]
    assert columns == ["id", "name", "note"]
    assert db.integrity_errors() == []
    db.close()


def test_upgrade_keeps_data(tmp_path: Path) -> None:
    db = open_database(tmp_path / "a.db", V1)
    with db.transaction() as conn:
        conn.execute("INSERT INTO item(name) VALUES ('kept')")
    db.close()
    db = open_database(tmp_path / "a.db", V2)
    with db.reading() as conn:
        assert [tuple(r) for r in conn.execute("SELECT name, note FROM item")] == [("kept", None)]
    db.close()


def test_newer_schema_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    open_database(path, V2).close()
    before = path.read_bytes()
    with pytest.raises(SchemaTooNew) as info:
        open_database(path, V1)
    assert "newer version of MPP Kiosk" in str(info.value)
    assert "version 2" in str(info.value) and "up to 1" in str(info.value)
    assert path.read_bytes() == before


def test_database_of_another_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    open_database(path, V1).close()
    with pytest.raises(StoreError, match="holds 'sample' data, not 'other'"):
        open_database(path, Schema("other", ["CREATE TABLE x(y);"]))


def test_failed_migration_rolls_back_completely(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    open_database(path, V1).close()
    broken = Schema("sample", [*V1.migrations, "ALTER TABLE item ADD COLUMN ok TEXT; THIS IS NOT SQL;"])
    with pytest.raises(sqlite3.OperationalError):
        open_database(path, broken)
    db = open_database(path, V1)
    with db.reading() as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert "ok" not in [r[1] for r in conn.execute("PRAGMA table_info(item)")]
    db.close()


def test_garbage_file_is_refused_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="left untouched"):
        open_database(path, V1)
    assert path.read_bytes().startswith(b"this is not")


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    db = open_database(tmp_path / "a.db", V1)
    with pytest.raises(RuntimeError), db.transaction() as conn:
        conn.execute("INSERT INTO item(name) VALUES ('lost')")
        raise RuntimeError("boom")
    with db.reading() as conn:
        assert conn.execute("SELECT count(*) FROM item").fetchone()[0] == 0
    db.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_folder_is_a_human_error(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(StoreError):
            open_database(folder / "a.db", V1)
    finally:
        folder.chmod(0o700)


def test_disk_full_is_a_human_error(tmp_path: Path) -> None:
    db = open_database(tmp_path / "a.db", V1)
    with db.reading() as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count={pages + 1}")  # the file may not grow: like a full disk
    with pytest.raises(StoreError, match="disk is full"), db.transaction() as conn:
        conn.executemany("INSERT INTO item(name) VALUES (?)", [("x" * page_size,)] * 50)
    db.close()


def test_background_checkpoints_keep_the_wal_bounded_under_steady_writing(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    import kiosk.storage.store

    monkeypatch.setattr(kiosk.storage.store, "_WAL_RESTART_FRAMES", 50)
    path = tmp_path / "busy.db"
    db = open_database(path, V1)
    db.checkpoint_in_background(every_seconds=0.02)
    with db.reading() as conn:
        assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0  # never inside a commit
    assert any(t.name == "sqlite-checkpoint-busy.db" for t in threading.enumerate())
    largest = 0
    for i in range(400):  # never a quiet moment in which a passive checkpoint alone would reset the WAL
        with db.transaction() as conn:
            conn.execute("INSERT INTO item(name) VALUES (?)", ("x" * 2000 + str(i),))
        largest = max(largest, (tmp_path / "busy.db-wal").stat().st_size)
        time.sleep(0.001)
    written = 400 * 2000
    assert largest < written  # without restarts the WAL would hold every page written
    db.close()
    # its own thread stops with it (another test's database, still open while this runs, keeps its own)
    assert not any(t.name == "sqlite-checkpoint-busy.db" for t in threading.enumerate())
    check = sqlite3.connect(path)
    assert check.execute("SELECT COUNT(*) FROM item").fetchone()[0] == 400
    check.close()


def test_a_long_reader_does_not_make_the_checkpoint_hold_writers_back(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A report reading the queue for seconds (another connection, an open read transaction) while
    the WAL is due for a restart: the restart gives up quickly instead of holding the write lock
    until the reader is done, so the queue's writes go on."""
    import time

    import kiosk.storage.store

    monkeypatch.setattr(kiosk.storage.store, "_WAL_RESTART_FRAMES", 20)
    path = tmp_path / "queue.db"
    db = open_database(path, V1)
    with db.transaction() as conn:
        conn.executemany("INSERT INTO item(name) VALUES (?)", [("x" * 2000,)] * 50)
    report = sqlite3.connect(path, isolation_level=None)
    report.execute("BEGIN")
    assert report.execute("SELECT COUNT(*) FROM item").fetchone()[0] == 50  # holds its snapshot from now
    db.checkpoint_in_background(every_seconds=0.02)
    slowest = 0.0
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:  # the restart is attempted ~70 times meanwhile
        started = time.monotonic()
        with db.transaction() as conn:
            conn.execute("INSERT INTO item(name) VALUES (?)", ("y" * 2000,))
        slowest = max(slowest, time.monotonic() - started)
        time.sleep(0.002)
    report.execute("COMMIT")
    report.close()
    db.close()
    assert slowest < 0.5, f"a write waited {slowest:.2f} s behind the checkpoint"
