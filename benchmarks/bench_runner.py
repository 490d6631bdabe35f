"""The runner's own overhead: ``kizuki run`` minus the stages it calls (issue 13, target < 2 s).

Usage: ``uv run python benchmarks/bench_runner.py [--nights 4] [--repeats 3] [--quick]``

Makes a synthetic municipality (``ashiya``, or 4,000 households with ``--quick``) with a
model trained as of its first night, then, per repeat, runs the nightly pipeline over
``--nights`` consecutive month-ends into a fresh history, in process. For every night the
runner's overhead is its wall time minus the time of its stages (lock, journal, ledger,
identity: drop hashes, model resolution, config hash); a rerun of a finished night
(``already done``) is timed on its own. Prints a Markdown section with medians.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine


def main(argv: list[str]) -> int:
    """Run the benchmark; prints Markdown on stdout."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--nights", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)

    from kizuki import tracking
    from kizuki.calendar import month_end
    from kizuki.io.drop import load_drop
    from kizuki.pipeline.train import train_and_register
    from kizuki.runner.config import load_pipeline
    from kizuki.runner.run import run_pipeline
    from kizuki.runner.settings import load_settings
    from kizuki.synth.generate import generate
    from kizuki.synth.presets import make_spec
    from kizuki.synth.write import write_drop

    root = Path(tempfile.mkdtemp(prefix="kizuki-bench-runner-"))
    try:
        spec = make_spec("ashiya", 4000 if args.quick else None, None, None)
        write_drop(generate(spec), root / "drop", "parquet")
        settings = load_settings()
        loaded = load_drop(root / "drop")
        newest = dt.date.fromisoformat(loaded.newest_knowledge_date() or "")
        days = [month_end(newest, -args.nights + 1 + k) for k in range(args.nights)]
        store = f"sqlite:///{root / 'store' / 'mlflow.db'}"
        with tracking.using_store(store):
            tracking.check_store(write=True)
            uri = train_and_register(
                loaded,
                days[0],
                settings.model,
                settings.features,
                settings.checklist,
                compare_without_pu=False,
            ).uri
        night_times: list[float] = []
        overheads: list[float] = []
        done_times: list[float] = []
        for r in range(args.repeats):
            folder = root / f"h{r}"
            folder.mkdir()
            (folder / "p.yaml").write_text(
                yaml.safe_dump(
                    {
                        "pipeline": "nightly",
                        "drop": str(root / "drop"),
                        "history": "history",
                        "tracking": str(root / "store" / "mlflow.db"),
                        "stages": {
                            "validate": {},
                            "score": {"model": uri},
                            "monitor": {},
                            "performance": {},
                            "audit": {},
                        },
                    }
                ),
                encoding="utf-8",
            )
            pipeline = load_pipeline(folder / "p.yaml")
            for day in days:
                t0 = time.perf_counter()
                outcome = run_pipeline(pipeline, as_of=day, settings=settings)
                wall = time.perf_counter() - t0
                night_times.append(wall)
                overheads.append(wall - sum(outcome.stage_seconds.values()))
            t0 = time.perf_counter()
            again = run_pipeline(pipeline, as_of=days[-1], settings=settings)
            assert again.status == "already_done"
            done_times.append(time.perf_counter() - t0)
        med = statistics.median
        print(f"## kizuki run: the runner's overhead ({spec.households:,} households)\n")
        print(machine() + "\n")
        print("| what | median | range | runs | target |\n|---|---|---|---|---|")
        print(
            f"| one night, whole (validate, score, monitor, performance, audit) | "
            f"{med(night_times):.1f} s | {min(night_times):.1f}–{max(night_times):.1f} s | "
            f"{len(night_times)} | — |"
        )
        print(
            f"| runner overhead per night (wall minus stages) | {med(overheads):.2f} s | "
            f"{min(overheads):.2f}–{max(overheads):.2f} s | {len(overheads)} | < 2 s |"
        )
        print(
            f"| rerun of a finished night (already done) | {med(done_times):.2f} s | "
            f"{min(done_times):.2f}–{max(done_times):.2f} s | {len(done_times)} | — |"
        )
        return 0
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
