"""Issue 12 benchmarks: validate, features, score and train against the floor, in parts.

Usage::

    uv run python benchmarks/run_all.py                      # the whole matrix (hours)
    uv run python benchmarks/run_all.py --only score --households 1000000 --months 36
    uv run python benchmarks/run_all.py --only floor,validate,score --households 100000 \
        --months 36 60 --repeats 3
    uv run python benchmarks/run_all.py --scaling            # score at 100k…2M x 60 months
    uv run python benchmarks/run_all.py --legacy             # the older bench_*.py scripts

The whole matrix: 1,000,000 households at 36, 60 and 120 months for ``validate``,
``features``, ``score`` and ``train``, then the scaling curve (``score`` and
``validate`` at 100k, 300k, 1M and 2M households, 60 months). Every command runs
``--repeats`` times (default 3) in a fresh process; the table gives the median, the
range and the peak RSS of the whole process tree (sampled every 50 ms with psutil), and
each stage's median as a multiple of the **floor** measured in the same invocation on
the same drop: reading every column of every table file, the monthly tables only for
the months a scoring run reads (``kizuki.features.window.months_needed``), plus one
LightGBM prediction pass (raw scores) over every household for the six issues of the
model scored with. The machine, library versions and the load average before and after
each measurement are printed, so a run on a shared machine says so.

Drops are made with ``kizuki synth`` into ``$KIZUKI_BENCH_DIR`` (default
``/tmp/kizuki-bench``) as ``drop-<households>-<months>`` and reused; ``--cleanup``
removes each after its part. ``score`` needs a model: ``--model URI``, or one is
trained with ``kizuki train`` on a 20,000-household, 48-month drop into the bench's
own tracking store. ``train`` writes into that store too. ``--out FILE`` appends the
Markdown to FILE as well as printing it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import suppress
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH_DIR = Path(os.environ.get("KIZUKI_BENCH_DIR", "/tmp/kizuki-bench"))
KIZUKI = [sys.executable, "-c", "from kizuki.cli.main import app; app()"]
STAGES = ("floor", "validate", "features", "score", "train")
LEGACY = (
    "bench_synth.py",
    "bench_load.py",
    "bench_features.py",
    "bench_score.py",
    "bench_runner.py",
)

FLOOR_CHILD = r"""
import json, sys, time
from datetime import date
import numpy as np, polars as pl
from kizuki.contract.schema import TABLES
from kizuki.features.config import load_feature_config
from kizuki.features.window import MONTHLY_TABLES, months_needed
from kizuki.runs.codes import CODE_WINDOW_MONTHS
from kizuki.tracking import load_model
drop, as_of, uri = sys.argv[1], date.fromisoformat(sys.argv[2]), sys.argv[3]
model = load_model(uri)  # not timed: the score overlaps it with the load
need = months_needed(load_feature_config(), as_of, CODE_WINDOW_MONTHS)
t0 = time.perf_counter()
frames = {}
for name in TABLES:
    path = f"{drop}/{name}.parquet"
    try:
        lf = pl.scan_parquet(path)
        cols = lf.collect_schema()
    except Exception:
        continue
    if name in MONTHLY_TABLES and "month" in cols:
        m = pl.col("month")
        since = need[name]
        keep = m >= since.strftime("%Y-%m") if cols["month"] == pl.String else m >= since
        lf = lf.filter(keep)
    frames[name] = lf.collect()
t1 = time.perf_counter()
households = frames["residents"]["household_id"].n_unique()
names = list(model.features)
rng = np.random.default_rng(0)
x = rng.normal(size=(households, len(names)))
x[rng.random(x.shape) < 0.1] = np.nan
t2 = time.perf_counter()
for issue, booster in model.boosters_.items():
    booster.predict(x, raw_score=True)
t3 = time.perf_counter()
print(json.dumps({"read": t1 - t0, "predict": t3 - t2, "households": households,
                  "rows": {k: v.height for k, v in frames.items()}, "issues": len(model.boosters_)}))
"""


# ------------------------------------------------------------------ measuring


def run_measured(
    cmd: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)
) -> tuple[float, int, str]:
    """Run ``cmd``; (wall seconds, peak RSS bytes of its whole process tree, stdout)."""
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = 0
    stop = threading.Event()

    def poll() -> None:
        nonlocal peak
        try:
            root = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        while not stop.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
                total = 0
                for p in procs:
                    with suppress(psutil.NoSuchProcess):
                        total += p.memory_info().rss
                peak = max(peak, total)
            except psutil.NoSuchProcess:
                pass
            time.sleep(0.05)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    out, err = proc.communicate()
    took = time.perf_counter() - t0
    stop.set()
    watcher.join()
    if proc.returncode not in ok:
        tail = "\n".join(err.strip().splitlines()[-8:])
        raise SystemExit(f"command failed (exit {proc.returncode}): {' '.join(cmd[3:])}\n{tail}")
    return took, peak, out


def machine() -> list[str]:
    """Lines describing the machine, the library versions and the load now."""
    import lightgbm
    import numpy
    import polars
    import psutil

    import kizuki

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    vm = psutil.virtual_memory()
    return [
        f"- CPU: {cpu}, {os.cpu_count()} logical cores; RAM {vm.total / 2**30:.1f} GiB "
        f"({vm.available / 2**30:.1f} GiB available at the start)",
        f"- {platform.system()} {platform.release()}; Python {platform.python_version()}",
        f"- kizuki {kizuki.__version__} at {_commit()}, polars {polars.__version__}, "
        f"lightgbm {lightgbm.__version__}, numpy {numpy.__version__}",
        f"- load average at the start: {_load()}",
    ]


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=HERE,
            capture_output=True,
            text=True,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=HERE,
            capture_output=True,
            text=True,
        ).stdout.strip()
        return f"`{out.stdout.strip()}`" + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


# ------------------------------------------------------------------ drops and models


def drop_for(households: int, months: int) -> Path:
    """The synthetic drop of that size (made with ``kizuki synth`` when absent)."""
    out = BENCH_DIR / f"drop-{households}-{months}"
    if not (out / "residents.parquet").exists():
        print(f"synth {households:,} x {months} months -> {out}", file=sys.stderr, flush=True)
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                *KIZUKI,
                "synth",
                "--households",
                str(households),
                "--months",
                str(months),
                "--out",
                str(out),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return out


def as_of_for(drop: Path) -> str:
    """The last day of the month before the newest residents change (well inside the drop)."""
    import polars as pl

    newest = (
        pl.scan_parquet(drop / "residents.parquet")
        .select(pl.col("valid_from").cast(pl.Date).max())
        .collect()
        .item()
    )
    return (newest.replace(day=1) - timedelta(days=1)).isoformat()


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("KIZUKI_TRACKING_URI", f"sqlite:///{BENCH_DIR / 'tracking' / 'mlflow.db'}")
    (BENCH_DIR / "tracking").mkdir(parents=True, exist_ok=True)
    return env


def model_for(args: argparse.Namespace, as_of: str) -> str:
    """The model URI to score with (trained once on a small drop unless given)."""
    if args.model:
        return args.model
    if getattr(args, "_model", None):
        return args._model
    train_drop = drop_for(20_000, 48)
    print("train the bench model on the 20,000-household drop", file=sys.stderr, flush=True)
    out = subprocess.run(
        [*KIZUKI, "train", str(train_drop), "--as-of", as_of_for(train_drop)],
        check=True,
        capture_output=True,
        text=True,
        env=bench_env(),
    ).stdout
    args._model = out.strip().splitlines()[-1].strip()
    return args._model


# ------------------------------------------------------------------ stages


def _stage_cmd(
    stage: str, drop: Path, as_of: str, work: Path, model: str | None
) -> tuple[list[str], tuple[int, ...]]:
    if stage == "validate":
        return [*KIZUKI, "validate", str(drop), "--out", str(work / "v")], (0, 4)
    if stage == "features":
        return [
            *KIZUKI,
            "features",
            str(drop),
            "--as-of",
            as_of,
            "--out",
            str(work / "f.parquet"),
        ], (0, 4)
    if stage == "score":
        assert model is not None
        return [
            *KIZUKI,
            "score",
            str(drop),
            "--as-of",
            as_of,
            "--out",
            str(work / "run"),
            "--model",
            model,
            "--overwrite",
        ], (0, 4)
    if stage == "train":
        return [*KIZUKI, "train", str(drop), "--as-of", as_of], (0, 4)
    raise ValueError(stage)


def measure(stage: str, drop: Path, as_of: str, repeats: int, model: str | None) -> dict:
    """Run one stage ``repeats`` times; wall times, peaks, load averages, score profiles."""
    env = bench_env()
    walls, peaks, profiles = [], [], []
    load_before = _load()
    for i in range(repeats):
        with tempfile.TemporaryDirectory(prefix=f"bench-{stage}-", dir=BENCH_DIR) as tmp:
            work = Path(tmp)
            if stage == "floor":
                cmd = [sys.executable, "-c", FLOOR_CHILD, str(drop), as_of, model or ""]
                wall, peak, out = run_measured(cmd, env)
                got = json.loads(out.strip().splitlines()[-1])
                walls.append(got["read"] + got["predict"])
                profiles.append(got)
            else:
                cmd, ok = _stage_cmd(stage, drop, as_of, work, model)
                print(f"  {stage} run {i + 1}/{repeats}", file=sys.stderr, flush=True)
                wall, peak, _ = run_measured(cmd, env, ok)
                walls.append(wall)
                manifest = work / "run" / "manifest.json"
                if manifest.exists():
                    profiles.append(
                        json.loads(manifest.read_text(encoding="utf-8")).get("timings_s", {})
                    )
            peaks.append(peak)
    return {"walls": walls, "peaks": peaks, "profiles": profiles, "load": (load_before, _load())}


def _gib(b: int) -> str:
    return f"{b / 2**30:.2f}"


def section(households: int, months: int, stages: list[str], args: argparse.Namespace) -> str:
    """Measure the stages on one drop; Markdown."""
    drop = drop_for(households, months)
    as_of = as_of_for(drop)
    needs_model = any(s in ("score", "floor") for s in stages)
    model = model_for(args, as_of) if needs_model else None
    lines = [f"### {households:,} households × {months} months (as of {as_of})", ""]
    rows = [
        "| stage | runs | median (s) | range (s) | peak RSS (GiB) | × floor | load avg before → after |",
        "|---|---|---|---|---|---|---|",
    ]
    floor: float | None = None
    detail: list[str] = []
    for stage in stages:
        print(f"{stage}: {households:,} x {months}", file=sys.stderr, flush=True)
        got = measure(stage, drop, as_of, args.repeats, model)
        med = statistics.median(got["walls"])
        if stage == "floor":
            floor = med
            p = got["profiles"][-1]
            reads = statistics.median(x["read"] for x in got["profiles"])
            preds = statistics.median(x["predict"] for x in got["profiles"])
            detail.append(
                f"Floor: reading {reads:.1f} s (rows read: "
                + ", ".join(f"{k} {v:,}" for k, v in p["rows"].items())
                + f") + one prediction pass {preds:.1f} s ({p['households']:,} households × {p['issues']} issues)."
            )
        times = got["walls"]
        ratio = f"{med / floor:.1f}×" if floor and stage != "floor" else "—"
        rows.append(
            f"| {stage} | {len(times)} | {med:.1f} | {min(times):.1f}–{max(times):.1f} | "
            f"{_gib(max(got['peaks']))} | {ratio} | {got['load'][0]} → {got['load'][1]} |"
        )
        if stage == "score" and got["profiles"]:
            keys = list(got["profiles"][0])
            prof = {k: statistics.median(p.get(k, 0.0) for p in got["profiles"]) for k in keys}
            detail.append(
                "Score, median seconds per stage (manifest): "
                + ", ".join(f"{k} {v:.2f}" for k, v in prof.items())
                + "."
            )
    lines += [*rows, "", *detail, ""]
    if args.cleanup:
        shutil.rmtree(drop, ignore_errors=True)
    return "\n".join(lines)


def _legacy() -> int:
    failed = 0
    for name in LEGACY:
        proc = subprocess.run(
            [sys.executable, str(HERE / name)], capture_output=True, text=True, check=False
        )
        print(
            proc.stdout
            if proc.returncode == 0
            else f"## {name}\n\nFAILED (exit {proc.returncode})\n"
        )
        failed += proc.returncode != 0
    return failed


def main(argv: list[str]) -> int:
    """Entry point; returns the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--only", default=",".join(STAGES), help="stages, comma-separated: " + ", ".join(STAGES)
    )
    ap.add_argument("--households", type=int, nargs="+", default=None)
    ap.add_argument("--months", type=int, nargs="+", default=None)
    ap.add_argument(
        "--scaling",
        action="store_true",
        help="score and validate at 100k, 300k, 1M, 2M x 60 months",
    )
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--model", default=None, help="model URI to score with (default: train one)")
    ap.add_argument("--cleanup", action="store_true", help="remove each drop after its part")
    ap.add_argument("--out", type=Path, default=None, help="also append the Markdown to this file")
    ap.add_argument(
        "--legacy", action="store_true", help="run the older bench_*.py scripts instead"
    )
    args = ap.parse_args(argv)
    if args.legacy:
        return _legacy()
    stages = [s for s in STAGES if s in args.only.split(",")]
    if unknown := set(args.only.split(",")) - set(STAGES):
        ap.error(f"unknown stage(s): {', '.join(sorted(unknown))}")
    if "floor" not in stages and any(s != "train" for s in stages):
        stages = ["floor", *stages]  # every ratio needs the floor of the same run
    plan: list[tuple[int, int, list[str]]] = []
    full = args.households is None and args.months is None and not args.scaling
    if args.scaling:
        scale = [s for s in stages if s in ("floor", "score", "validate")]
        plan += [
            (n, 60, scale) for n in (args.households or (100_000, 300_000, 1_000_000, 2_000_000))
        ]
    else:
        for n in args.households or (1_000_000,):
            for m in args.months or (36, 60, 120):
                plan.append((n, m, stages))
    if full:
        plan += [(n, 60, ["floor", "validate", "score"]) for n in (100_000, 300_000, 2_000_000)]
    parts = ["## Issue 12 benchmarks (`benchmarks/run_all.py`)", "", *machine(), ""]
    print("\n".join(parts), flush=True)
    for n, m, st in plan:
        parts.append(section(n, m, st, args))
        print(parts[-1], flush=True)
    parts.append(f"Load average at the end: {_load()}.")
    text = "\n".join(parts) + "\n"
    if args.out:
        with args.out.open("a", encoding="utf-8") as fh:
            fh.write(text)
    print(f"Load average at the end: {_load()}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
