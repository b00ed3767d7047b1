"""Kiosk role: cold start to first frame, and idle memory (RSS) without the camera.

Starts the real ``kiosk run kiosk`` as a subprocess on the offscreen platform (no display needed),
waits for its ``first_frame`` log line, lets it idle, reads its RSS from /proc, and stops it.
Targets (issue 3): cold start ≤ 3 s, idle RSS ≤ 300 MB. Prints JSON.

    .venv/bin/python bench/startup.py [--runs 5] [--idle-seconds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def one_run(idle_seconds: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as scratch:
        site = Path(scratch) / "site.toml"
        site.write_text(f'[device]\nrole = "kiosk"\nfullscreen = false\ndata_dir = "{scratch}/data"\n',
                        encoding="utf-8")
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1"}
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "kiosk", "--config", str(site), "run", "kiosk"],
                                stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
        try:
            assert proc.stderr is not None
            first_frame = None
            deadline = started + 60
            while time.perf_counter() < deadline:
                line = proc.stderr.readline()
                if not line:
                    raise RuntimeError(f"kiosk exited with {proc.wait()} before its first frame")
                if "kiosk first frame painted" in line:
                    first_frame = time.perf_counter() - started
                    break
            if first_frame is None:
                raise RuntimeError("no first frame within 60 s")
            time.sleep(idle_seconds)
            idle = rss_mb(proc.pid)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return {"first_frame_s": first_frame, "idle_rss_mb": idle}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle-seconds", type=float, default=5.0)
    args = parser.parse_args()
    runs = [one_run(args.idle_seconds) for _ in range(args.runs)]
    starts = sorted(r["first_frame_s"] for r in runs)
    rss = sorted(r["idle_rss_mb"] for r in runs)
    result = {
        "benchmark": "startup",
        "role": "kiosk",
        "runs": args.runs,
        "cold_start_to_first_frame_s": {"p50": round(statistics.median(starts), 3), "max": round(starts[-1], 3),
                                        "min": round(starts[0], 3), "target": 3.0},
        "idle_rss_mb": {"p50": round(statistics.median(rss), 1), "max": round(rss[-1], 1), "target": 300},
        "meets_targets": starts[-1] <= 3.0 and rss[-1] <= 300,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
