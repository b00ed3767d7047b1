"""Keys a clerk presses per served citizen at the counter console, driven offscreen. Prints one JSON object.

N citizens wait for counter 1; the clerk serves them all with the function keys, pressing each time the
first key that is enabled of F1 "Panggil berikutnya", F5 "Selesai", F4 "Mulai layani" (the shortest
way through the console: F1 whenever it is allowed, else finish, else start). Counted until every
ticket is done:

* ``keys``, ``keys_per_citizen``: key presses (each one a clerk's action);
* ``by_key``: how many of each;
* ``queue_changes_per_citizen``: state changes written to the audit trail (called, started, finished);
* ``ms_per_citizen``: wall time per citizen through the in-process queue (no network), for scale only.

Runs against any version of the console (the same keys existed before issue 17), so the figure before
the change is measured, not recalled: ``PYTHONPATH=/path/to/old/tree .venv/bin/python bench/counter_keys.py``.

Usage: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/counter_keys.py [--citizens 20]``
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

KEYS = (("call_next", Qt.Key.Key_F1), ("finish", Qt.Key.Key_F5), ("start", Qt.Key.Key_F4))


def wait(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the console did not settle")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.002)


def in_hand(window: Any) -> tuple[str, str] | None:
    return (window.current.id, window.current.state.value) if window.current is not None else None


def all_done(core: Any, tickets: list[Any]) -> bool:
    return all(core.queue.get(t.id).state.value == "done" for t in tickets)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=20)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    from kiosk.config.schema import load_config
    from kiosk.selftest.scene import scratch_core
    from kiosk.ui.counter.console import CounterWindow

    with tempfile.TemporaryDirectory() as scratch:
        core = scratch_core(load_config(None), Path(scratch))
        tickets = [core.queue.issue("KTP-EL", request_id=f"bench-{i}").ticket for i in range(args.citizens)]
        changes: Counter[str] = Counter()
        core.queue.subscribe(lambda event: changes.update([event.type.value]))
        window = CounterWindow(core.config, core.catalog, core.queue, survey_store=core.survey)
        window.resize(1600, 900)
        window.show()
        wait(lambda: window.waiting_list.count() == args.citizens)
        pressed: Counter[str] = Counter()
        started = time.perf_counter()
        while not all_done(core, tickets):
            name, key = next(((n, k) for n, k in KEYS if window.buttons[n].isEnabled()), (None, None))
            if name is None or key is None:
                raise RuntimeError("no key enabled while citizens are still waiting")
            before = in_hand(window)
            QTest.keyClick(window, key)
            pressed[name] += 1
            wait(lambda: window.buttons["call_next"].isEnabled() or window.buttons["finish"].isEnabled()
                 or window.buttons["start"].isEnabled())

            def moved(was: tuple[str, str] | None = before) -> bool:
                return in_hand(window) != was or all_done(core, tickets)

            wait(moved)
        elapsed = time.perf_counter() - started
        window.shutdown()
        core.close()
    moves = sum(changes[kind] for kind in ("called", "started", "finished"))
    print(json.dumps({"citizens": args.citizens, "keys": sum(pressed.values()),
                      "keys_per_citizen": round(sum(pressed.values()) / args.citizens, 2), "by_key": dict(pressed),
                      "queue_changes_per_citizen": round(moves / args.citizens, 2),
                      "ms_per_citizen": round(1000 * elapsed / args.citizens, 1)}))
    del app


if __name__ == "__main__":
    main()
