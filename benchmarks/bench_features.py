"""Benchmark: features as of one date (target: 1,000,000 households, 36 months, < 60 s, < 8 GB).

Usage: ``uv run python benchmarks/bench_features.py [--quick] [--repeats 3]``. Each run is a
fresh process that loads the drop (not timed) and times ``build_features`` alone; the peak
memory covers the whole process. Prints a Markdown section.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
from pathlib import Path

from _common import BENCH_DIR, HEADER, kizuki, machine

SNIPPET = """
import datetime as dt, time, sys
from kizuki.io.drop import load_drop
from kizuki.features.build import build_features
from kizuki.features.config import load_feature_config
d = load_drop(sys.argv[1])
t = time.perf_counter()
f = build_features(d.tables, dt.date.fromisoformat(d.newest_knowledge_date()), load_feature_config())
print(time.perf_counter() - t, f.height)
"""


def main() -> None:
    """Measure and print."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--drop", default=None, help="an existing 1M-household drop to use")
    a = ap.parse_args()
    n = 100_000 if a.quick else 1_000_000
    drop = Path(a.drop) if a.drop else BENCH_DIR / f"drop-{n}"
    if not (drop / "residents.parquet").exists():
        subprocess.run([*kizuki(), "synth", "--households", str(n), "--months", "36", "--seed", "1", "--out", str(drop)], check=True)
    times = []
    for _ in range(a.repeats):
        out = subprocess.run([sys.executable, "-c", SNIPPET, str(drop)], check=True, capture_output=True, text=True)
        times.append(float(out.stdout.split()[0]))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    print(f"## build_features (one as-of date)\n\n{machine()}\n\n{HEADER}")
    print(
        f"| features {n:,} households, 36 months | {statistics.median(times):.1f} s | {min(times):.1f}–{max(times):.1f} s "
        f"| {len(times)} | {peak:.1f} GiB (incl. loading) | < 60 s, < 8 GB |"
    )


if __name__ == "__main__":
    main()
