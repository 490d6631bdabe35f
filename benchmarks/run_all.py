"""Run every kizuki benchmark, one after another, and collect their Markdown.

Usage: ``uv run python benchmarks/run_all.py [--quick]``

Each ``benchmarks/bench_*.py`` script measures one stage (median of several runs,
peak memory, machine described) and prints a Markdown section on stdout. This
runner executes them in a fixed order (later stages reuse the large drop the synth
benchmark writes) and writes the combined output to ``benchmarks/RESULTS.md``.
``--quick`` is passed through: each script then uses a smaller drop, for a smoke run.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = (
    "bench_synth.py",
    "bench_load.py",
    "bench_features.py",
    "bench_score.py",
    "bench_runner.py",
)


def main(argv: list[str]) -> int:
    """Run the benchmarks in ORDER; returns the number that failed."""
    extra = [a for a in argv if a == "--quick"]
    sections: list[str] = []
    failed = 0
    for name in ORDER:
        script = HERE / name
        if not script.exists():
            sections.append(f"## {name}\n\nnot present\n")
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(script), *extra], capture_output=True, text=True, check=False
        )
        took = time.perf_counter() - t0
        if proc.returncode != 0:
            failed += 1
            tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
            sections.append(f"## {name}\n\nFAILED (exit {proc.returncode}):\n```\n{tail}\n```\n")
        else:
            sections.append(proc.stdout.strip() + "\n")
        print(f"  done in {took:.0f} s", file=sys.stderr, flush=True)
    out = HERE / "RESULTS.md"
    out.write_text("# kizuki benchmark results\n\n" + "\n".join(sections), encoding="utf-8")
    print(out.read_text(encoding="utf-8"))
    return failed


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
