"""Queue host under load: throughput, latency, no duplicates, and how fast the lobby board hears a call.

Starts the real ``kiosk run queue-host`` as a separate process on loopback (temp site.toml, devices
file with one token per terminal, the shipped catalog with its daily quotas raised so a 10 s run does
not end in ``quota_full``), then drives it with simulated terminals for ``--seconds``:

* kiosks (``--terminals`` minus ``--counters``) issue tickets (``POST /v1/tickets``) for the eight
  main services, one keep-alive connection each;
* counters loop call-next -> start -> finish (a 204 "nobody waiting" is counted and retried after 5 ms);
* a display subscriber, in its own process so client threads don't delay it, reads ``GET /v1/events``
  and timestamps every ``called`` event. Display latency = receipt time - the moment the counter
  sent its call-next (both ``time.perf_counter``, i.e. CLOCK_MONOTONIC, comparable across processes).

``--rate R`` paces the terminals to about R operations/s in total (default 550, a little above the
500 ops/s target so that pacing jitter cannot end just under it); ``--rate 0`` is a closed loop, as
fast as possible: capacity (whose latency is terminals ÷ throughput by Little's law, whatever the
code does). ``--procs N`` spreads the terminals over N client processes instead of threads in this one.
``--client lean`` (default) speaks HTTP through ``http.client``; ``--client requests`` through
``requests`` like the product's terminals, at about four times the CPU per request: on one machine
the load generator's CPU is taken from the host, on a LAN it is the terminals' own.
Afterwards the answers and the host's ``/v1/waiting`` and ``/v1/board`` are checked for duplicates and
lost tickets, the host is stopped with SIGTERM, and one JSON object is printed.

    .venv/bin/python bench/queue_host.py [--seconds 10] [--terminals 50] [--counters 10] [--rate 550]
                                         [--procs 0] [--client lean|requests]

``BENCH_HOST_CMD`` (default ``-m kiosk``) replaces the host's command after the interpreter, e.g. a
wrapper script that profiles it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import requests

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ["KTP-EL", "KK", "KIA", "AKTA-LAHIR", "AKTA-MATI", "PINDAH", "PINDAH-DATANG", "IKD"]
TARGETS = {"ops_per_s_min": 500, "p99_ms_max": 50, "duplicates": 0, "display_p99_ms_max": 300}
TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def token(name: str) -> str:
    return f"bench-{name}-0123456789abcdef"


def write_site(scratch: Path, kiosks: int, counters: int) -> tuple[Path, str]:
    catalog = json.loads((ROOT / "config" / "services.json").read_text(encoding="utf-8"))
    for service in catalog["services"]:
        service["daily_quota"] = 1_000_000
    (scratch / "services.json").write_text(json.dumps(catalog), encoding="utf-8")
    devices = [("kiosk", f"kiosk-{i:02d}") for i in range(kiosks)] + \
              [("counter", f"loket-{i:02d}") for i in range(counters)] + [("display", "board"), ("admin", "admin")]
    (scratch / "devices.toml").write_text("".join(
        f'[[device]]\nid = "{name}"\nrole = "{role}"\ntoken = "{token(name)}"\n' for role, name in devices),
        encoding="utf-8")
    port = free_port()
    site = scratch / "site.toml"
    site.write_text(f'[device]\nrole = "queue-host"\ndata_dir = "{scratch / "data"}"\n'
                    f'[kiosk]\ncatalog_path = "{scratch / "services.json"}"\n'
                    f'[logging]\nlevel = "WARNING"\n'
                    f'[queue_host]\nlisten = "127.0.0.1:{port}"\ndevices_file = "{scratch / "devices.toml"}"\n',
                    encoding="utf-8")
    return site, f"http://127.0.0.1:{port}"


def start_host(site: Path, url: str) -> subprocess.Popen[bytes]:
    stderr = (site.parent / "host-stderr.log").open("ab")
    command = os.environ.get("BENCH_HOST_CMD", "-m kiosk").split()
    proc = subprocess.Popen([sys.executable, *command, "--config", str(site), "run", "queue-host"],
                            stdout=subprocess.DEVNULL, stderr=stderr, cwd=ROOT)
    stderr.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"queue host exited: {(site.parent / 'host-stderr.log').read_text()}")
        try:
            if requests.get(f"{url}/v1/health", timeout=1, proxies={"http": "", "https": ""}).ok:
                return proc
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("queue host did not start within 30 s")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def session_for(name: str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # loopback only: never a proxy from the environment
    session.headers["Authorization"] = f"Bearer {token(name)}"
    return session


class TerminalError(Exception):
    """The request got no HTTP answer (refused, reset, timed out)."""


class Reply:
    """Status and body of an answer, read the way the loops read a ``requests.Response``."""

    def __init__(self, status: int, body: bytes) -> None:
        self.status_code, self.body = status, body

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class LeanTerminal:
    """One terminal's keep-alive connection through ``http.client``: the same requests, headers and
    JSON as the product's client, at about a quarter of the CPU of a ``requests.Session``.

    The load generator shares this machine's cores with the host, so what it burns is taken from
    the host; real terminals are other machines (``--client requests`` measures with requests).
    """

    def __init__(self, name: str, url: str) -> None:
        address = url.removeprefix("http://")
        self._host, _, port = address.partition(":")
        self._port = int(port)
        self._headers = {"Authorization": f"Bearer {token(name)}", "Content-Type": "application/json"}
        self._conn: http.client.HTTPConnection | None = None

    def post(self, path: str, body: dict[str, Any]) -> Reply:
        data = json.dumps(body).encode()
        for attempt in (1, 2):  # a keep-alive connection the host closed is reopened once
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self._host, self._port, timeout=TIMEOUT)
            try:
                self._conn.request("POST", path, body=data, headers=self._headers)
                answer = self._conn.getresponse()
                return Reply(answer.status, answer.read())
            except (OSError, http.client.HTTPException) as exc:
                self._conn.close()
                self._conn = None
                if attempt == 2 or isinstance(exc, TimeoutError):
                    raise TerminalError(type(exc).__name__) from exc
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


class RequestsTerminal:
    """One terminal as a ``requests.Session`` (what the product's :mod:`kiosk.queue.http_client` uses)."""

    def __init__(self, name: str, url: str) -> None:
        self._url = url
        self._session = session_for(name)

    def post(self, path: str, body: dict[str, Any]) -> Reply:
        try:
            answer = self._session.post(f"{self._url}{path}", json=body, timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise TerminalError(type(exc).__name__) from exc
        return Reply(answer.status_code, answer.content)

    def close(self) -> None:
        self._session.close()


class Terminal(Protocol):
    def post(self, path: str, body: dict[str, Any]) -> Reply: ...

    def close(self) -> None: ...


CLIENTS: dict[str, Callable[[str, str], Terminal]] = {"lean": LeanTerminal, "requests": RequestsTerminal}


# -- the display subscriber (own process) -----------------------------------------------------

def display_main(url: str, ready: Any, stop: Any, out: Any) -> None:
    called: dict[str, float] = {}
    counts: Counter[str] = Counter()
    duplicates = 0
    session = session_for("board")
    response = session.get(f"{url}/v1/events", stream=True, timeout=(5, None))
    kind = None
    try:  # after ``stop`` the main process issues one sentinel ticket: its event ends this loop
        # chunk_size None: lines as they arrive (requests accepts it; its type stubs do not)
        for raw in response.iter_lines(chunk_size=None):  # type: ignore[call-overload]
            now = time.perf_counter()
            line = raw.decode()
            if line.startswith(": connected"):
                ready.set()
            elif line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:") and kind is not None:
                counts[kind] += 1
                if kind == "called":
                    # the board's view has no ticket ids (issue 21): numbers are unique for the day
                    number = json.loads(line[5:])["ticket"]["number"]
                    if number in called:
                        duplicates += 1
                    called.setdefault(number, now)
                kind = None
            if stop.is_set() and not line:
                break
    finally:
        response.close()
    out.put({"called": called, "counts": dict(counts), "duplicate_called_events": duplicates})


# -- terminals ---------------------------------------------------------------------------------

def kiosk_loop(name: str, url: str, start_at: float, end_at: float, interval: float, rec: dict[str, Any]) -> None:
    terminal = CLIENTS[rec["client"]](name, url)
    rng = random.Random(name)
    due = start_at + rng.random() * interval
    while True:
        now = time.perf_counter()
        if now >= end_at:
            break
        if interval and now < due:
            time.sleep(min(due - now, end_at - now))
            continue
        due = max(due + interval, now) if interval else now
        request_id = f"{name}-{uuid.uuid4().hex}"
        sent = time.perf_counter()
        try:
            reply = terminal.post("/v1/tickets", {"service_code": rng.choice(SERVICES), "request_id": request_id})
        except TerminalError as exc:
            rec["errors"].append(f"issue: {exc}")
            continue
        took = time.perf_counter() - sent
        if reply.status_code != 201:
            rec["errors"].append(f"issue: HTTP {reply.status_code} {reply.text[:120]}")
            continue
        ticket = reply.json()["ticket"]
        rec["ops"].append(("issue", sent, took))
        rec["issued"].append((request_id, ticket["id"], ticket["number"]))
    terminal.close()


def counter_loop(name: str, counter: int, url: str, start_at: float, end_at: float, interval: float,
                 rec: dict[str, Any]) -> None:
    terminal = CLIENTS[rec["client"]](name, url)
    rng = random.Random(name)
    due = start_at + rng.random() * interval

    def post(kind: str, path: str, body: dict[str, Any]) -> Reply | None:
        sent = time.perf_counter()
        try:
            reply = terminal.post(path, body)
        except TerminalError as exc:
            rec["errors"].append(f"{kind}: {exc}")
            return None
        took = time.perf_counter() - sent
        if reply.status_code not in (200, 204):
            rec["errors"].append(f"{kind}: HTTP {reply.status_code} {reply.text[:120]}")
            return None
        rec["ops"].append((kind if reply.status_code == 200 else "call_next_empty", sent, took))
        return reply

    while True:
        now = time.perf_counter()
        if now >= end_at:
            break
        if interval and now < due:
            time.sleep(min(due - now, end_at - now))
            continue
        due = max(due + 3 * interval, now) if interval else now  # one cycle is three operations
        sent = time.perf_counter()
        reply = post("call_next", f"/v1/counters/{counter}/call-next", {"services": SERVICES})
        if reply is None:
            continue
        if reply.status_code == 204:
            time.sleep(0.005)
            continue
        ticket = reply.json()
        rec["called"].append((ticket["id"], ticket["number"], counter, sent))
        # a started visit is always finished, even past the deadline, so the end state is clean
        if post("start", f"/v1/tickets/{ticket['id']}/start", {"counter": counter}) is not None:
            if post("finish", f"/v1/tickets/{ticket['id']}/finish", {"counter": counter}) is not None:
                rec["finished"].append(ticket["id"])
    terminal.close()


def run_terminals(url: str, kiosks: list[str], counters: list[tuple[str, int]], start_at: float, end_at: float,
                  interval: float, client: str) -> dict[str, Any]:
    rec: dict[str, Any] = {"ops": [], "issued": [], "called": [], "finished": [], "errors": [], "client": client}
    threads = [threading.Thread(target=kiosk_loop, args=(k, url, start_at, end_at, interval, rec)) for k in kiosks]
    threads += [threading.Thread(target=counter_loop, args=(c, n, url, start_at, end_at, interval, rec))
                for c, n in counters]
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rec["client_cpu_s"] = time.process_time() - cpu0
    rec["client_wall_s"] = time.perf_counter() - wall0
    return rec


def _proc_main(args: tuple[Any, ...], out: Any) -> None:
    out.put(run_terminals(*args))


# -- figures -----------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))] * 1000, 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--terminals", type=int, default=50)
    parser.add_argument("--counters", type=int, default=10)
    parser.add_argument("--rate", type=float, default=550.0, help="total ops/s to pace at; 0 = as fast as possible")
    parser.add_argument("--procs", type=int, default=0, help="client processes (0 = threads in this process)")
    parser.add_argument("--client", choices=sorted(CLIENTS), default="lean",
                        help="how terminals speak HTTP: lean (http.client keep-alive) or requests (as the product)")
    args = parser.parse_args()
    n_kiosks = args.terminals - args.counters
    if n_kiosks < 1 or args.counters < 1:
        parser.error("need at least one kiosk and one counter")
    interval = args.terminals / args.rate if args.rate > 0 else 0.0
    ctx = mp.get_context("spawn")

    with tempfile.TemporaryDirectory(prefix="kiosk-bench-queue-") as scratch:
        site, url = write_site(Path(scratch), n_kiosks, args.counters)
        host = start_host(site, url)
        try:
            ready, stop, display_out = ctx.Event(), ctx.Event(), ctx.Queue()
            display = ctx.Process(target=display_main, args=(url, ready, stop, display_out), daemon=True)
            display.start()
            if not ready.wait(20):
                raise RuntimeError("the display subscriber did not connect")
            kiosks = [f"kiosk-{i:02d}" for i in range(n_kiosks)]
            counters = [(f"loket-{i:02d}", i + 1) for i in range(args.counters)]
            host_cpu0 = cpu_seconds(host.pid)
            if args.procs > 0:
                outs, procs = ctx.Queue(), []
                start_at = time.perf_counter() + 1.5  # let the spawned interpreters import first
                for p in range(args.procs):
                    chunk = (url, kiosks[p::args.procs], counters[p::args.procs], start_at,
                             start_at + args.seconds, interval, args.client)
                    procs.append(ctx.Process(target=_proc_main, args=(chunk, outs)))
                for proc in procs:
                    proc.start()
                parts = [outs.get(timeout=args.seconds + 120) for _ in procs]
                for proc in procs:
                    proc.join(30)
            else:
                start_at = time.perf_counter()
                parts = [run_terminals(url, kiosks, counters, start_at, start_at + args.seconds, interval, args.client)]
            load_end = time.perf_counter()
            host_cpu = cpu_seconds(host.pid) - host_cpu0

            admin = session_for("admin")
            waiting = admin.get(f"{url}/v1/waiting", timeout=30).json()
            board = admin.get(f"{url}/v1/board", params={"recent": 100}, timeout=30).json()
            admin.close()
            time.sleep(0.5)  # the last events reach the subscriber
            stop.set()
            with session_for("kiosk-00") as sentinel:  # wakes the subscriber (after the checks were read)
                sentinel.post(f"{url}/v1/tickets", json={"service_code": SERVICES[0], "request_id": "sentinel"},
                              timeout=TIMEOUT)
            shown = display_out.get(timeout=30)
            display.join(10)
        finally:
            host.send_signal(signal.SIGTERM)
            try:
                host_rc: int | None = host.wait(20)
            except subprocess.TimeoutExpired:
                host.kill()
                host_rc = None

    ops = [op for part in parts for op in part["ops"]]
    issued = [i for part in parts for i in part["issued"]]
    called = [c for part in parts for c in part["called"]]
    finished = [f for part in parts for f in part["finished"]]
    errors = Counter(e for part in parts for e in part["errors"])
    duration = (load_end - start_at)
    by_kind: dict[str, list[float]] = {}
    for kind, _sent, took in ops:
        by_kind.setdefault(kind, []).append(took)
    real_ops = [op for op in ops if op[0] != "call_next_empty"]

    issued_numbers = [n for _, _, n in issued]
    issued_ids = {t for _, t, _ in issued}
    called_ids = [t for t, _, _, _ in called]
    waiting_ids = {t["id"] for t in waiting}
    dup_numbers = len(issued_numbers) - len(set(issued_numbers))
    dup_calls = len(called_ids) - len(set(called_ids))
    board_numbers = [c["number"] for c in board["recent_calls"]]
    checks = {
        "issued": len(issued), "called": len(called), "finished": len(finished), "waiting_at_end": len(waiting),
        "duplicate_numbers": dup_numbers,
        "tickets_called_twice_in_answers": dup_calls,
        "tickets_called_twice_in_events": shown["duplicate_called_events"],
        "called_event_count": shown["counts"].get("called", 0),
        "board_recent_calls_repeated": len(board_numbers) - len(set(board_numbers)),
        "called_but_still_waiting": len(set(called_ids) & waiting_ids),
        "waiting_not_issued_by_us": len(waiting_ids - issued_ids),
        "issued_unaccounted": len(issued_ids - waiting_ids - set(called_ids)),
        "called_not_finished": len(set(called_ids) - set(finished)),
    }
    duplicates = (dup_numbers + dup_calls + shown["duplicate_called_events"] + checks["board_recent_calls_repeated"]
                  + checks["called_but_still_waiting"])
    accounted = checks["issued_unaccounted"] == 0 and checks["waiting_not_issued_by_us"] == 0

    display_lat = [shown["called"][number] - sent for _, number, _, sent in called if number in shown["called"]]
    ops_per_s = len(real_ops) / duration
    p99_issue, p99_call = pct(by_kind.get("issue", []), 99), pct(by_kind.get("call_next", []), 99)
    p99_all = pct([took for _, _, took in real_ops], 99)
    display_p99 = pct(display_lat, 99)
    client_cpu = sum(part["client_cpu_s"] for part in parts)
    result: dict[str, Any] = {
        "benchmark": "queue_host",
        "config": {"seconds": args.seconds, "terminals": args.terminals, "kiosks": n_kiosks, "counters": args.counters,
                   "rate_target": args.rate or "max (closed loop)",
                   "client": f"{args.client}, "
                             + (f"{args.procs} processes" if args.procs else "threads in one process"),
                   "cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "duration_s": round(duration, 2),
        "ops_per_s": round(ops_per_s, 1),
        "ops_per_s_by_kind": {k: round(len(v) / duration, 1) for k, v in sorted(by_kind.items())},
        "latency_ms": {k: {"p50": pct(v, 50), "p99": pct(v, 99), "max": pct(v, 100)}
                       for k, v in sorted(by_kind.items())},
        "latency_ms_all_ops": {"p50": pct([t for _, _, t in real_ops], 50), "p99": p99_all},
        "display_latency_ms": {"n": len(display_lat), "missing": len(called) - len(display_lat),
                               "p50": pct(display_lat, 50), "p99": display_p99, "max": pct(display_lat, 100)},
        "checks": checks,
        "errors": dict(errors.most_common(10)),
        "cpu": {"host_process_cores": round(host_cpu / duration, 2),
                # CPU time, not wall time: compares two versions even when other work shares the cores
                "host_ms_per_op": round(host_cpu * 1000 / max(1, len(real_ops)), 3),
                "client_cores": round(client_cpu / duration, 2) if not args.procs else
                f"{round(client_cpu / duration, 2)} (sum over processes)"},
        "host_exit_code_on_sigterm": host_rc,
        "targets": TARGETS,
        "meets_targets": {
            "ops_per_s": ops_per_s >= TARGETS["ops_per_s_min"],
            "issue_p99": p99_issue is not None and p99_issue < TARGETS["p99_ms_max"],
            "call_next_p99": p99_call is not None and p99_call < TARGETS["p99_ms_max"],
            "zero_duplicates": duplicates == 0 and accounted,
            "display_p99": display_p99 is not None and display_p99 < TARGETS["display_p99_ms_max"]
                           and len(display_lat) == len(called),
        },
    }
    result["meets_targets"]["all"] = all(result["meets_targets"].values())
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
