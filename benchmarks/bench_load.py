"""Benchmark: loading and validating a drop (target: 1,000,000 households, 36 months, < 60 s).

Usage: ``uv run python benchmarks/bench_load.py [--quick] [--repeats 3]``; needs the drop
bench_synth writes (it makes one if absent). Prints a Markdown section.
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

from _common import BENCH_DIR, HEADER, kizuki, machine, row, run_timed


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
    cmd = [*kizuki(), "validate", str(drop), "--out", str(BENCH_DIR / f"validate-{n}")]
    times, peak = run_timed(cmd, a.repeats)
    print(f"## kizuki validate (load + validate)\n\n{machine()}\n\n{HEADER}")
    print(row(f"load + validate {n:,} households, 36 months", times, peak, "< 60 s"))


if __name__ == "__main__":
    main()
