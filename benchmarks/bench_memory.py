"""Measure the memory of the API server process with the default knowledge base loaded.

Run from the repository root:

    python benchmarks/bench_memory.py [--timeout SECONDS]

It starts ``advisor serve`` on 127.0.0.1 on a port the OS picks, waits until ``/readyz``
returns 200 (the knowledge base, index and stores are loaded then), sends a few ``/readyz``
requests, and reads the server's resident set size from /proc: the current RSS (VmRSS) and
the peak (VmHWM). The server runs with a random token secret and the configured data
directory, so it opens the index that ``advisor index`` built. It is stopped by its process
id at the end. Linux only, because it reads /proc.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

READY_PATH = "/readyz"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that the OS reports free."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def memory_kib(pid: int) -> dict[str, int]:
    """Return VmRSS and VmHWM of a process in KiB."""
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            figures[name] = int(value.split()[0])
    return figures


def wait_ready(url: str, process: subprocess.Popen, timeout: float) -> float:
    """Poll the readiness endpoint until it returns 200; return the seconds it took."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise SystemExit(f"advisor serve exited with code {process.returncode} before it was ready.")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise SystemExit(f"{url} was not ready within {timeout:g} s; raise --timeout or run 'advisor index' first.")


def main() -> None:
    """Start the server, measure its memory once ready, and stop it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=180.0, help="Seconds to wait for the server to be ready.")
    arguments = parser.parse_args()

    port = free_port()
    environment = {**os.environ, "ADVISOR_TOKEN_SECRET": secrets.token_urlsafe(48)}
    command = [sys.executable, "-m", "advisor.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}{READY_PATH}"
        startup = wait_ready(url, process, arguments.timeout)
        for _request in range(5):
            urllib.request.urlopen(url, timeout=5).close()
        figures = memory_kib(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    rss_mib = figures["VmRSS"] / 1024
    peak_mib = figures["VmHWM"] / 1024
    print(f"advisor serve ready in {startup:.1f} s; RSS {rss_mib:.0f} MiB, peak RSS {peak_mib:.0f} MiB")
    print("BENCH_JSON " + json.dumps({
        "benchmark": "memory", "process": "advisor serve", "ready_s": round(startup, 2),
        "rss_mib": round(rss_mib, 1), "peak_rss_mib": round(peak_mib, 1),
    }))


if __name__ == "__main__":
    main()
