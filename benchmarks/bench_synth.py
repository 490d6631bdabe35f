"""Benchmark: ``kizuki synth --households N --months 36`` (target: 1,000,000 in < 3 min, < 8 GB).

Usage: ``uv run python benchmarks/bench_synth.py [--quick] [--repeats 3]``. Writes the
drop to ``$KIZUKI_BENCH_DIR/drop-N`` (default /tmp/kizuki-bench), reused by bench_load
and bench_features. Prints a Markdown section.
"""

from __future__ import annotations

import argparse

from _common import BENCH_DIR, HEADER, kizuki, machine, row, run_timed


def main() -> None:
    """Measure and print."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="100,000 households instead of 1,000,000")
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    n = 100_000 if a.quick else 1_000_000
    out = BENCH_DIR / f"drop-{n}"
    cmd = [*kizuki(), "synth", "--households", str(n), "--months", "36", "--seed", "1", "--out", str(out)]
    times, peak = run_timed(cmd, a.repeats)
    print(f"## kizuki synth\n\n{machine()}\n\n{HEADER}")
    print(row(f"synth {n:,} households, 36 months", times, peak, "< 180 s, < 8 GB"))


if __name__ == "__main__":
    main()
