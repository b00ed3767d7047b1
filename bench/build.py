"""Build the one-folder app and measure it: build time, folder size, frozen cold start to first frame,
and the frozen ``selftest`` run headless. Prints JSON.

    .venv/bin/python bench/build.py            # builds (scripts/build.sh), then measures
    .venv/bin/python bench/build.py --no-build # measures an existing dist/mpp-kiosk

Cold start: ``mpp-kiosk run kiosk`` on the offscreen platform, from process start to the log line
"kiosk first frame painted" (target <= 4 s). The first run after a build also pays for the disk
cache; the figure is the median of ``--runs`` starts, with the first (coldest) reported on its own.
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

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist" / "mpp-kiosk"
EXE = DIST / ("mpp-kiosk.exe" if sys.platform == "win32" else "mpp-kiosk")
TARGET_START_S = 4.0


def folder_size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6


def largest_parts(path: Path, count: int = 8) -> list[tuple[str, float]]:
    internal = path / "_internal"
    parts = []
    for child in internal.iterdir():
        size = folder_size_mb(child) if child.is_dir() else child.stat().st_size / 1e6
        parts.append((child.name, round(size, 1)))
    return sorted(parts, key=lambda p: -p[1])[:count]


def cold_start(scratch: Path) -> float:
    site = scratch / "site.toml"
    site.write_text(f'[device]\nrole = "kiosk"\nfullscreen = true\ndata_dir = "{scratch}/data"\n\n'
                    '[kiosk]\nspeech = "off"\n', encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()
    proc = subprocess.Popen([str(EXE), "--config", str(site), "run", "kiosk"], stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True, env=env)
    try:
        assert proc.stderr is not None
        while True:
            line = proc.stderr.readline()
            if not line:
                raise RuntimeError(f"frozen kiosk exited with {proc.wait()} before its first frame")
            if "kiosk first frame painted" in line:
                return time.perf_counter() - started
            if time.perf_counter() - started > 120:
                raise RuntimeError("no first frame within 120 s")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def frozen_selftest(scratch: Path) -> dict[str, object]:
    out = scratch / "selftest"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KIOSK_DATA_DIR": str(scratch / "selftest-data")}
    for name in ("KIOSK_CONFIG", "KIOSK_MODEL_DIR"):  # as installed: the build's own model, default settings
        env.pop(name, None)
    started = time.perf_counter()
    result = subprocess.run([str(EXE), "selftest", "--out", str(out)], capture_output=True, text=True,
                            env=env, timeout=900)
    elapsed = time.perf_counter() - started
    report_path = out / "selftest.json"
    report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.exists() else {}
    checks = {c["name"]: c["level"] for c in report.get("checks", [])}
    return {"exit_code": result.returncode, "ok": report.get("ok"), "seconds": round(elapsed, 1),
            "screens": len(report.get("screens", [])), "checks": checks,
            "not_ok": {c["name"]: c["detail"] for c in report.get("checks", []) if c["level"] != "ok"},
            "stderr_tail": result.stderr.strip().splitlines()[-3:] if result.returncode else []}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-build", action="store_true", help="measure the existing dist/mpp-kiosk")
    parser.add_argument("--runs", type=int, default=3, help="cold starts to time")
    args = parser.parse_args()
    build_seconds = None
    if not args.no_build:
        started = time.perf_counter()
        subprocess.run(["bash", str(ROOT / "scripts" / "build.sh")], check=True, cwd=ROOT, stdout=sys.stderr)
        build_seconds = round(time.perf_counter() - started, 1)
    if not EXE.exists():
        raise SystemExit(f"{EXE} missing: build first (bash scripts/build.sh)")
    with tempfile.TemporaryDirectory(prefix="kiosk-build-bench-") as scratch_name:
        scratch = Path(scratch_name)
        starts = []
        for i in range(args.runs):
            run_dir = scratch / f"run{i}"
            run_dir.mkdir()
            starts.append(cold_start(run_dir))
        selftest = frozen_selftest(scratch)
    median = statistics.median(starts)
    print(json.dumps({
        "benchmark": "build",
        "platform": sys.platform,
        "build_seconds": build_seconds,
        "folder_mb": round(folder_size_mb(DIST), 1),
        "largest_parts_mb": largest_parts(DIST),
        "cold_start_to_first_frame_s": {"first": round(starts[0], 2), "median": round(median, 2),
                                        "all": [round(s, 2) for s in starts], "target": TARGET_START_S},
        "selftest": selftest,
        "meets_targets": median <= TARGET_START_S and selftest["exit_code"] == 0,
    }, indent=2))


if __name__ == "__main__":
    main()
