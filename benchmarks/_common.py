"""Shared helpers for the benchmark scripts: the machine, timing child processes, Markdown."""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(os.environ.get("KIZUKI_BENCH_DIR", "/tmp/kizuki-bench"))


def machine() -> str:
    """One Markdown line describing the machine and library versions."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import lightgbm
    import polars

    return (
        f"Machine: {cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM; Python {platform.python_version()}, "
        f"polars {polars.__version__}, lightgbm {lightgbm.__version__}"
    )


def run_timed(cmd: list[str], repeats: int) -> tuple[list[float], float]:
    """Run ``cmd`` ``repeats`` times in fresh processes; (wall seconds per run, peak RSS GiB of any run)."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20  # KiB -> GiB
    return times, peak


def row(what: str, times: list[float], peak_gib: float, target: str) -> str:
    """A Markdown table row: median and range of wall time, peak memory, the target."""
    return (
        f"| {what} | {statistics.median(times):.1f} s | {min(times):.1f}–{max(times):.1f} s | {len(times)} "
        f"| {peak_gib:.1f} GiB | {target} |"
    )


HEADER = "| what | median | range | runs | peak RSS | target |\n|---|---|---|---|---|---|"


def kizuki() -> list[str]:
    """The kizuki command in this environment."""
    return [sys.executable, "-m", "kizuki.cli"]
