"""Run every benchmark and print one table of their figures.

Run from the repository root:

    python benchmarks/run_all.py [--quick] [--only index engine chat memory] [--json FILE]

Each benchmark runs as its own process and prints its figures on lines that start with
``BENCH_JSON `` followed by a JSON object. This script collects those lines, prints them as a
table of figures and ratios, and can write them all to a JSON file. ``--quick`` passes smaller
sizes (index: 2,000 items per collection; engine: 10 runs; chat: 3 conversations), so its
figures are rougher. A benchmark that fails or is missing is reported in the table and the
others still run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARKER = "BENCH_JSON "
BENCHMARKS = {
    "index": ("bench_index.py", [], ["--limit", "2000"]),
    "engine": ("bench_engine.py", [], ["--runs", "10"]),
    "chat": ("bench_chat.py", [], ["--conversations", "3"]),
    "memory": ("bench_memory.py", [], []),
}


def run_benchmark(name: str, quick: bool) -> tuple[list[dict], str | None, float]:
    """Run one benchmark; return its JSON figures, an error message or None, and its seconds."""
    script, arguments, quick_arguments = BENCHMARKS[name]
    path = HERE / script
    if not path.is_file():
        return [], f"{script} does not exist yet", 0.0
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, str(path), *(quick_arguments if quick else arguments)],
        capture_output=True, text=True, cwd=HERE.parent, check=False,
    )
    seconds = time.perf_counter() - started
    figures = [json.loads(line[len(MARKER):]) for line in completed.stdout.splitlines() if line.startswith(MARKER)]
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return figures, f"exit code {completed.returncode}: {last}", seconds
    if not figures:
        return figures, f"printed no {MARKER.strip()} line", seconds
    return figures, None, seconds


def table_rows(name: str, figures: list[dict], error: str | None, seconds: float) -> list[tuple[str, str, str]]:
    """Return (benchmark, figure, value) rows of one benchmark."""
    if error:
        return [(name, "error", error)]
    rows = []
    for entry in figures:
        label = entry.get("catalog") or entry.get("process") or ""
        for key, value in entry.items():
            if key in ("benchmark", "catalog", "process"):
                continue
            rows.append((name, f"{label} {key}".strip(), str(value)))
    rows.append((name, "benchmark wall time s", f"{seconds:.1f}"))
    return rows


def main() -> None:
    """Run the selected benchmarks and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Use smaller sizes for a faster, rougher run.")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), default=list(BENCHMARKS))
    parser.add_argument("--json", type=Path, default=None, help="Also write every figure to this JSON file.")
    arguments = parser.parse_args()

    collected: dict[str, dict] = {}
    rows: list[tuple[str, str, str]] = []
    for name in arguments.only:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        figures, error, seconds = run_benchmark(name, arguments.quick)
        collected[name] = {"figures": figures, "error": error, "seconds": round(seconds, 1)}
        rows += table_rows(name, figures, error, seconds)

    widths = [max(len(row[column]) for row in rows + [("benchmark", "figure", "value")]) for column in range(3)]
    print(f"| {'benchmark':<{widths[0]}} | {'figure':<{widths[1]}} | {'value':>{widths[2]}} |")
    print(f"| {'-' * widths[0]} | {'-' * widths[1]} | {'-' * widths[2]} |")
    for benchmark, figure, value in rows:
        print(f"| {benchmark:<{widths[0]}} | {figure:<{widths[1]}} | {value:>{widths[2]}} |")
    if arguments.json:
        arguments.json.write_text(json.dumps(collected, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
