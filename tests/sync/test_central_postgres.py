"""Issue 22: the reference central API on PostgreSQL, where it differs from one SQLite file.

Several worker processes share the database, so what must hold across them is checked with two
stores (two connection pools: two workers) on one database: the in-flight claim, the nonce, one
application filed at once through both. A database server that goes away mid-request answers 503
with Retry-After and the kiosk keeps its item; the command runs with two uvicorn workers. The
contract, fault, odd-input, ownership, at-rest and limits tests run on both stores in their own
modules (``CENTRAL_STORES = BOTH``).
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from central_pg import CentralDb, Cluster
from sync_helpers import ENROLL_CODE, NIK, application_body, as_json, signed_request

from central_api.app import RunningCentral
from central_api.stores import InFlight, Migrations, StoreUnavailable, open_store
from central_api.stores.base import CentralStore
from kiosk.storage.store import SchemaTooNew
from kiosk.sync.central_client import CentralClient
from kiosk.sync.engine import SyncEngine
from kiosk.sync.outbox import ApplicationStore
from kiosk.sync.outbox_values import NewApplication


@pytest.fixture
def pg_db(pg_cluster: Cluster, tmp_path: Path) -> Iterator[CentralDb]:
    made = pg_cluster.new_database(tmp_path / "central")
    yield made
    pg_cluster.drop(made)


@pytest.fixture
def two_workers(pg_db: CentralDb) -> Iterator[tuple[CentralStore, CentralStore]]:
    """Two stores on one database, each with its own connections: what two worker processes have."""
    first = open_store(pg_db.target, pg_db.key_path)
    second = open_store(pg_db.target, pg_db.key_path)
    yield first, second
    first.close()
    second.close()


def test_an_application_in_flight_in_one_worker_is_409_in_the_other(
        two_workers: tuple[CentralStore, CentralStore]) -> None:
    first, second = two_workers
    with first.in_flight("dev-a/app-1"):
        with pytest.raises(InFlight):
            with second.in_flight("dev-a/app-1"):
                pass
        with second.in_flight("dev-a/app-2"):  # another application is not held up
            pass
    with second.in_flight("dev-a/app-1"):  # released at the end of the first request
        pass


def test_a_nonce_used_in_one_worker_is_a_replay_in_the_other(two_workers: tuple[CentralStore, CentralStore]) -> None:
    first, second = two_workers
    assert first.use_nonce("dev-a", "n" * 20, 100, 0) is True
    assert second.use_nonce("dev-a", "n" * 20, 100, 0) is False
    assert second.use_nonce("dev-b", "n" * 20, 100, 0) is True  # per device


def test_one_id_filed_through_both_workers_at_once_is_stored_once(
        two_workers: tuple[CentralStore, CentralStore]) -> None:
    outcomes: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)
    app_id = str(uuid.uuid4())

    def file_it(store: CentralStore) -> None:
        barrier.wait()
        _stored, created = store.insert_application(app_id, "dev-a", "f" * 64, {"number": "N-1", "service_code": "X"},
                                                    {"id": app_id, "status": "received", "received_at": "t"})
        with lock:
            outcomes.append(created)

    threads = [threading.Thread(target=file_it, args=(two_workers[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False] * 7 + [True]
    assert two_workers[0].count_applications() == 1


def test_extra_tables_migrate_once_and_a_newer_version_is_refused(two_workers: tuple[CentralStore, CentralStore]
                                                                  ) -> None:
    first, second = two_workers
    extra = Migrations("extra", sqlite=["CREATE TABLE extra_t (id TEXT PRIMARY KEY)"],
                       postgresql=["CREATE TABLE extra_t (id TEXT PRIMARY KEY)"])
    first.ensure_schema(extra)
    second.ensure_schema(extra)  # already there: nothing run twice
    with first.transaction() as conn:
        conn.execute("INSERT INTO extra_t(id) VALUES (?)", ("a",))
    with second.reading() as conn:
        assert conn.execute("SELECT id FROM extra_t").fetchone()["id"] == "a"
    with first.transaction() as conn:
        conn.execute("UPDATE central_meta SET value='5' WHERE key='schema:extra'")
    with pytest.raises(SchemaTooNew, match="newer"):
        second.ensure_schema(extra)


def test_a_database_written_by_a_newer_version_is_refused_untouched(pg_db: CentralDb, pg_cluster: Cluster) -> None:
    dbname = str(pg_db.target).rsplit("/", 1)[1]
    pg_cluster.execute("UPDATE _meta SET value='99' WHERE key='version'", dbname)
    with pytest.raises(SchemaTooNew, match="newer version"):
        open_store(pg_db.target, pg_db.key_path)


def test_without_a_key_file_a_postgresql_store_is_refused(pg_db: CentralDb) -> None:
    with pytest.raises(ValueError, match="--key"):
        open_store(pg_db.target)


# -- the database server goes away ------------------------------------------------------------

@pytest.fixture
def restarts_cluster(pg_cluster: Cluster) -> Iterator[Cluster]:
    """The test stops the shared cluster; it is running again afterwards, whatever happened."""
    yield pg_cluster
    try:
        pg_cluster.start()
    except Exception:  # already running (the test started it): fine
        pass


def test_a_database_that_goes_away_answers_503_and_the_kiosk_keeps_its_item(
        pg_db: CentralDb, restarts_cluster: Cluster, data_dir: Path) -> None:
    cluster = restarts_cluster
    with RunningCentral(pg_db.target, key_path=pg_db.key_path, enroll_codes=[ENROLL_CODE]) as central:
        with CentralClient(central.url, None, data_dir=data_dir) as anonymous:
            creds = anonymous.enroll(ENROLL_CODE)
        # mid-request: the first application holds its claim while the server stops
        central.faults.in_flight_delay_s = 1.0
        body = application_body()
        answers: list[int] = []
        sending = threading.Thread(target=lambda: answers.append(signed_request(
            central, creds, "POST", "/v1/applications", body=as_json(body),
            headers={"Idempotency-Key": body["id"]}).status_code))
        sending.start()
        time.sleep(0.4)
        cluster.stop("fast")
        sending.join(15)
        assert answers == [503]
        central.faults.in_flight_delay_s = 0.0
        refused = signed_request(central, creds, "GET", "/v1/catalog")
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "5"
        assert refused.json()["error"] == "store_unavailable"

        with ApplicationStore(data_dir) as outbox, CentralClient(central.url, creds, timeout=5) as client:
            saved = outbox.save(NewApplication(id=str(uuid.uuid4()), service_code="KTP-EL", nik=NIK, fields={}))
            engine = SyncEngine(outbox, client, backoff_base=0.001, backoff_max=0.01, rng=random.Random(1))
            report = engine.drain(max_seconds=2)
            assert report.stopped == "unavailable"
            [item] = outbox.items()
            assert item.state == "pending" and "503" in item.last_error  # kept, with the reason

            cluster.start()
            assert engine.drain(max_seconds=30).stopped == "drained"
            assert outbox.counts()["sent"] == 1
        assert central.store.application_ids() == [saved.id]  # the first one never half-arrived


def test_the_store_raises_unavailable_not_a_driver_error(pg_db: CentralDb, restarts_cluster: Cluster) -> None:
    store = open_store(pg_db.target, pg_db.key_path)
    try:
        restarts_cluster.stop("immediate")
        with pytest.raises(StoreUnavailable, match="cannot be reached"):
            store.count_applications()
        with pytest.raises(StoreUnavailable):
            store.count_applications()  # connecting afresh fails the same way
        restarts_cluster.start()
        assert store.count_applications() == 0  # and works again once the server is back
    finally:
        store.close()


# -- the command's checks before it serves ----------------------------------------------------

def run_command(*argv: str) -> int:
    """``kiosk central-api ARGS`` in this process (every case here stops before serving)."""
    import argparse

    from central_api.cli import register

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["central-api", *argv])
    return int(args.handler(args))


@pytest.mark.parametrize(("argv", "says"), [
    (["--db", "{sqlite}", "--workers", "2"], "--workers above 1 needs a PostgreSQL database"),
    (["--db", "{url}"], "needs --key FILE"),
    (["--db", "postgresql://nobody@127.0.0.1:9/none", "--key", "{key}"], "cannot be reached: connection failed"),
])
def test_the_command_says_what_is_missing_before_it_serves(argv: list[str], says: str, pg_db: CentralDb,
                                                           tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    filled = [a.format(sqlite=tmp_path / "c.sqlite3", url=pg_db.target, key=tmp_path / "k.key") for a in argv]
    assert run_command("--port", "0", "--enroll-code", "cli-check-code-0123456789", *filled) == 2
    assert says in capsys.readouterr().err
