"""What the counter's application view costs: on the citizen's path and over the LAN. Prints one JSON object.

* ``filed_ms``: what filing adds to the kiosk's submit job (remembering the application's ticket in
  ``counter-views.sqlite3``: one local transaction); p50/p99;
* ``view_build_ms``: building the view from the encrypted store (decrypt, mask, count); p50/p99;
* ``attach_ms``: ``PUT /v1/tickets/{id}/application`` to a queue host on loopback (in a thread of
  this process, as in the tests), after the receipt, off the citizen's path; p50/p99;
* ``read_ms``: the counter's ``GET /v1/tickets/{id}/application``; p50/p99.

Usage: ``.venv/bin/python bench/counter_views.py [--apps 300]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.applications.views import CounterViews, counter_view  # noqa: E402
from kiosk.catalog.forms import load_forms  # noqa: E402
from kiosk.queue.engine import QueueEngine  # noqa: E402
from kiosk.queue.host import create_app  # noqa: E402
from kiosk.queue.http_client import HttpQueue  # noqa: E402
from kiosk.queue.models import ServiceRule  # noqa: E402
from kiosk.queue.routes.access import DeviceGrant  # noqa: E402
from kiosk.queue.server import RunningServer  # noqa: E402
from kiosk.sync.outbox import ApplicationStore  # noqa: E402
from kiosk.sync.outbox_values import Attachment, NewApplication  # noqa: E402

NIK = "3171014501900001"


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50": round(statistics.median(ordered), 3),
            "p99": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--apps", type=int, default=300)
    args = parser.parse_args()
    forms = load_forms()
    form = forms.form_for("KIA")
    with tempfile.TemporaryDirectory() as folder:
        engine = QueueEngine.open(Path(folder) / "queue.db", [ServiceRule("KIA", "C", 100_000, 10)],
                                  ZoneInfo("Asia/Jakarta"))
        server = RunningServer(create_app(engine, {"k" * 24: DeviceGrant("kiosk-01", "kiosk"),
                                                   "c" * 24: DeviceGrant("loket-01", "counter")}))
        kiosk, counter = HttpQueue(server.url, "k" * 24), HttpQueue(server.url, "c" * 24)
        store = ApplicationStore(Path(folder) / "kiosk")
        views = CounterViews(store, forms)
        filed, built, attached, read = [], [], [], []
        try:
            for i in range(args.apps):
                ticket = kiosk.issue("KIA", request_id=f"r-{i}").ticket
                saved = store.save(NewApplication(
                    id=str(uuid.uuid4()), service_code="KIA", nik=NIK, ticket_number=ticket.number,
                    fields={"child_nik": "3171010101150002", "child_name": "SITI AMINAH",
                            "child_birth_date": "01012015", "reporter_relation": "parent", "phone": "081234567890"},
                    attachments=[Attachment("kk", "image/jpeg", b"kk-%d" % i),
                                 Attachment("birth_certificate", "image/jpeg", b"bc-%d" % i)]))
                start = time.perf_counter()
                views.filed(saved.id, ticket)
                filed.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                view = counter_view(store, saved.id, form)
                built.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                kiosk.attach_application(ticket.id, view)
                attached.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                assert counter.application_of(ticket.id) == view
                read.append((time.perf_counter() - start) * 1000)
        finally:
            views.close()
            store.close()
            kiosk.close()
            counter.close()
            server.stop()
            engine.close()
    print(json.dumps({"apps": args.apps, "filed_ms": percentiles(filed), "view_build_ms": percentiles(built),
                      "attach_ms": percentiles(attached), "read_ms": percentiles(read)}))


if __name__ == "__main__":
    main()
