"""Monthly performance report from 100,000 tickets: time to the PDF, and peak memory.

Seeds a month (``kiosk.reports.seed.seed_month``: 100,000 tickets with their event rows and about
15% survey answers) in a scratch data folder, then runs the real command
``kiosk report --period month ... --out FILE.pdf --csv DIR`` as a subprocess a few times and reads
its wall time and peak RSS (``wait4``). Also times the two stages in-process (reading the figures,
drawing the PDF). Target (issue 9): < 5 s for the PDF. Prints JSON.

    .venv/bin/python bench/report.py [--tickets 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.catalog.services import default_catalog_path, load_catalog  # noqa: E402
from kiosk.reports.data import build_report  # noqa: E402
from kiosk.reports.pdf import render_pdf  # noqa: E402


def run_cli(data: Path, out: Path) -> tuple[float, float]:
    env = {**os.environ, "KIOSK_DATA_DIR": str(data)}
    env.pop("KIOSK_CONFIG", None)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "report", "--period", "month", "--date", "2026-10-15",
                             "--out", str(out / "report.pdf"), "--csv", str(out / "csv")],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"kiosk report failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    catalog = load_catalog(default_catalog_path())
    with tempfile.TemporaryDirectory(prefix="kiosk-report-bench-") as scratch:
        data = Path(scratch) / "data"
        data.mkdir()
        started = time.perf_counter()
        # Seeded in a child process: a forked child's peak RSS would otherwise include this process's.
        seeded = json.loads(subprocess.run(
            [sys.executable, "-c", "import json, sys; from pathlib import Path; "
             "from kiosk.catalog.services import default_catalog_path, load_catalog; "
             "from kiosk.reports.seed import seed_month; "
             f"s = seed_month(Path({str(data)!r}) / 'queue.db', Path({str(data)!r}) / 'survey.db', "
             f"load_catalog(default_catalog_path()), 2026, 10, tickets={args.tickets}); "
             "print(json.dumps({'tickets': s.tickets, 'events': s.events, 'responses': s.responses}))"],
            cwd=ROOT, check=True, capture_output=True, text=True).stdout)
        seed_seconds = time.perf_counter() - started
        runs = [run_cli(data, Path(scratch)) for _ in range(args.runs)]
        started = time.perf_counter()
        report = build_report(data / "queue.db", data / "survey.db", catalog, period="month", day="2026-10-15",
                              site_name="MPP", mpp_code="MPP-DEMO", tz=ZoneInfo("Asia/Jakarta"))
        read_seconds = time.perf_counter() - started
        started = time.perf_counter()
        render_pdf(report, Path(scratch) / "inproc.pdf")
        pdf_seconds = time.perf_counter() - started
        pdf_bytes = (Path(scratch) / "report.pdf").stat().st_size
    times = [r[0] for r in runs]
    print(json.dumps({
        "tickets": seeded["tickets"], "events": seeded["events"], "survey_responses": seeded["responses"],
        "seed_seconds": round(seed_seconds, 2),
        "cli_seconds_median": round(statistics.median(times), 2), "cli_seconds_max": round(max(times), 2),
        "cli_peak_rss_mb": round(max(r[1] for r in runs), 1),
        "read_figures_seconds": round(read_seconds, 2), "draw_pdf_seconds": round(pdf_seconds, 2),
        "pdf_kb": round(pdf_bytes / 1024), "target_seconds": 5.0,
        "meets_target": max(times) < 5.0,
    }))


if __name__ == "__main__":
    main()
