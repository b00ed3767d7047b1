"""A throwaway PostgreSQL server for the central API's tests (and bench/central_fleet.py).

Debian's ``postgresql`` package (``scripts/setup.sh --with-tests`` installs it): ``initdb`` makes a
cluster in a temporary folder, ``pg_ctl`` starts it on a free port of 127.0.0.1 (its socket in that
folder; in /dev/shm when there is room: on this machine's disk-backed /tmp, 150 test databases
took 45 s to make and 73 s to delete), as ``nobody`` when the tests run as root (PostgreSQL refuses
root). Each test gets a fresh database copied from a migrated template (``CREATE DATABASE ...
TEMPLATE``) and a copy of the template's key; it is dropped when the test (or module) ends.
Without the binaries the PostgreSQL tests FAIL (never skip): CI must run both stores.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN_DIRS = [Path("/usr/lib/postgresql/15/bin"), *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]
TEMPLATE = "central_template"
SQLITE, POSTGRES = "sqlite", "postgresql"
BOTH = [SQLITE, POSTGRES]


def pg_bin() -> Path | None:
    return next((d for d in PG_BIN_DIRS if (d / "initdb").exists() and (d / "pg_ctl").exists()), None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class CentralDb:
    """Where a test's central API keeps its data: a SQLite file (key beside it) or a URL and a key file."""

    target: Path | str
    key_path: Path | None = None


class Cluster:
    """A PostgreSQL cluster in a temporary folder; :meth:`stop` removes it. ``durable=False`` (tests)
    turns fsync off: fast, and nothing here has to survive a power cut."""

    def __init__(self, *, durable: bool = False, max_connections: int = 200) -> None:
        found = pg_bin()
        if found is None:
            raise RuntimeError("PostgreSQL's server binaries are missing (/usr/lib/postgresql/*/bin/initdb): "
                               "install Debian's postgresql package (scripts/setup.sh --with-tests)")
        self.bin = found
        self.folder = Path(tempfile.mkdtemp(prefix="central-pg-", dir=_scratch_dir(durable)))
        self.data = self.folder / "data"
        self.port = free_port()
        self._as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL will not run as root
            nobody = pwd.getpwnam("nobody")
            os.chown(self.folder, nobody.pw_uid, nobody.pw_gid)
            self._as_user = ["runuser", "-u", "nobody", "--"]
        options = [f"-p {self.port}", "-c listen_addresses=127.0.0.1", f"-c unix_socket_directories={self.folder}",
                   f"-c max_connections={max_connections}"]
        if not durable:  # nothing here must survive a power cut; small WAL, checkpoints cheap
            options += ["-c fsync=off", "-c full_page_writes=off", "-c synchronous_commit=off", "-c wal_level=minimal",
                        "-c max_wal_senders=0", "-c max_wal_size=64MB", "-c min_wal_size=32MB"]
        self._options = " ".join(options)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale",
                  "--no-sync")
        self.start()
        self._numbers = itertools.count(1)
        self._template_key = self.folder / "template.key"
        self._make_template()

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self._as_user, str(self.bin / tool), *args], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=120, cwd=self.folder)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "-t", "60",
                  "-o", self._options, "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``immediate``: as if it crashed; the folder stays for :meth:`start`)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def execute(self, sql: str, dbname: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(dbname), autocommit=True) as conn:
            conn.execute(sql.encode("utf-8"))

    def _make_template(self) -> None:
        from central_api.stores.postgres import PostgresCentralStore

        self.execute(f"CREATE DATABASE {TEMPLATE}")
        PostgresCentralStore(self.url(TEMPLATE), self._template_key).close()  # migrated, with a key check

    def new_database(self, key_folder: Path) -> CentralDb:
        """A fresh migrated database (a copy of the template) and its key, copied into ``key_folder``."""
        name = f"central_{os.getpid()}_{next(self._numbers)}"
        self.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} STRATEGY FILE_COPY")
        key_folder.mkdir(parents=True, exist_ok=True)
        key = key_folder / "central.key"
        shutil.copyfile(self._template_key, key)
        key.chmod(0o600)
        return CentralDb(self.url(name), key)

    def drop(self, db: CentralDb) -> None:
        """Drop a database :meth:`new_database` made (its connections are ended)."""
        self.execute(f"DROP DATABASE IF EXISTS {str(db.target).rsplit('/', 1)[1]} WITH (FORCE)")

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


def _scratch_dir(durable: bool) -> str | None:
    """/dev/shm for the tests' cluster when it has 2 GB free (a database is ~8 MB, dropped after its
    test); the default temporary folder otherwise, and for a durable cluster (benchmarks)."""
    shm = Path("/dev/shm")
    if durable or not shm.is_dir():
        return None
    return str(shm) if shutil.disk_usage(shm).free > 2_000_000_000 else None


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """One cluster for the whole run (fails, never skips, without PostgreSQL's binaries)."""
    if pg_bin() is None:
        pytest.fail("PostgreSQL's server binaries are missing: install Debian's postgresql package "
                    "(scripts/setup.sh --with-tests); the central API's tests run on both stores")
    cluster = Cluster()
    yield cluster
    cluster.close()


def central_db_for(kind: str, folder: Path, request: pytest.FixtureRequest) -> CentralDb:
    """A fresh database of ``kind`` (``sqlite`` or ``postgresql``) for a test or a module, under ``folder``."""
    if kind == SQLITE:
        return CentralDb(folder / "central.sqlite3")
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    made = cluster.new_database(folder)
    request.addfinalizer(lambda: cluster.drop(made))
    return made
