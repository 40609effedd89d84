"""Process start to first successful HTTP response, by hand:
`python -m benchmarks.bench_startup [--runs N]`.

Starts `carbonlabel serve` and gunicorn (one sync worker) on a free local port with a fresh
instance folder and a SQLite database, polls GET /api/v1/health every 10 ms, and records the
time from spawning the process to the first 200. Also lists the ten slowest imports of
`create_app()` from `python -X importtime`. Goal: <= 1.5 s.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_response(command: list[str], port: int, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - start < 60:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health",
                                            timeout=1) as response:
                    if response.status == 200:
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.01)
        raise TimeoutError(" ".join(command))
    finally:
        proc.terminate()
        proc.wait(10)


def environment(folder: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO),
            "CARBONLABEL_INSTANCE": str(folder),
            "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
            "CARBONLABEL_SECRET_KEY": "bench-startup", "BRIGHTWAY_DIR": str(folder / "bw")}


def top_imports(count: int = 12) -> list[tuple[str, float]]:
    """The slowest imports up to three levels deep (cumulative ms, nested ones included)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c",
                           "from app import create_app; create_app()"], cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
                          text=True, check=True)
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "cumulative" not in line:
            _, cumulative, name = line[len("import time:"):].split("|")
            depth = (len(name) - len(name.lstrip()) - 1) // 2
            if depth <= 2:
                rows.append(("  " * depth + name.strip(), int(cumulative) / 1000))
    return sorted(rows, key=lambda r: -r[1])[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results: dict[str, list[float]] = {"carbonlabel serve": [], "gunicorn (1 worker)": []}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="carbonlabel-startup-") as tmp:
            env = environment(Path(tmp))
            port = free_port()
            results["carbonlabel serve"].append(first_response(
                [str(BIN / "carbonlabel"), "serve", "--port", str(port)], port, env))
            port = free_port()
            results["gunicorn (1 worker)"].append(first_response(
                [str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}",
                 "app.wsgi:application"], port, env))
    for name, times in results.items():
        print(f"| {name}: spawn to first 200 (median of {args.runs}) | "
              f"{statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}) "
              "| <= 1.5 s |")
    print(f"\nSlowest imports of create_app(), three levels deep (load average "
          f"{os.getloadavg()[0]:.1f}):")
    for name, ms in top_imports():
        print(f"| `{name}` | {ms:.0f} ms |")


if __name__ == "__main__":
    main()
