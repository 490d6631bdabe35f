"""Benchmark of ``kizuki score``: wall time (median of runs) and peak memory.

Usage::

    uv run python benchmarks/bench_score.py [--quick] [--mode full|core] [--repeats 3]
        [--households N] [--drop DIR] [--model URI] [--as-of YYYY-MM-DD]

``full`` (the acceptance figure): scores a synthetic drop of N households (default
1,000,000, 36 months; ``--quick``: 100,000) end to end with the real stages —
load, features as of T, all six issues, reasons for the listed only, every output
file — by running ``kizuki score`` in a fresh process per run. The drop is made with
``kizuki synth`` unless ``--drop`` is given (it is reused from
``$KIZUKI_BENCH_DIR``, default ``/tmp/kizuki-bench``); the model is trained with
``kizuki train`` on a smaller drop of the same generator (20,000 households, 48 months)
unless ``--model`` is given.

``core``: the scoring run after features — model scores for six issues, ranks,
checklist, shortlist, reasons, all files — on a generated feature frame of N
households with 60 features and a LightGBM per issue of the given size, in a fresh
process per run. It isolates this stage from the loader and the features.

Prints a Markdown section: machine, versions, median and spread of wall time, peak
RSS, per-stage medians from the run manifests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH_DIR = Path(os.environ.get("KIZUKI_BENCH_DIR", "/tmp/kizuki-bench"))
KIZUKI = [sys.executable, "-c", "from kizuki.cli.main import app; app()"]


# ------------------------------------------------------------------ measuring


def run_measured(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Run ``cmd``; returns (wall seconds, peak RSS bytes of its process tree, stdout)."""
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
                peak = max(peak, sum(p.memory_info().rss for p in procs))
            except psutil.NoSuchProcess:
                pass
            time.sleep(0.05)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    out, err = proc.communicate()
    took = time.perf_counter() - t0
    stop.set()
    watcher.join()
    if proc.returncode != 0:
        tail = "\n".join(err.strip().splitlines()[-8:])
        raise SystemExit(f"command failed (exit {proc.returncode}): {' '.join(cmd[3:])}\n{tail}")
    return took, peak, out


def machine() -> list[str]:
    """Lines describing the machine and library versions."""
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
    return [
        f"- CPU: {cpu}, {os.cpu_count()} logical cores; RAM {psutil.virtual_memory().total / 2**30:.1f} GiB",
        f"- {platform.system()} {platform.release()}; Python {platform.python_version()}",
        f"- kizuki {kizuki.__version__}, polars {polars.__version__}, lightgbm {lightgbm.__version__}, numpy {numpy.__version__}",
    ]


def _median_stages(manifests: list[dict]) -> dict[str, float]:
    stages = manifests[0]["timings_s"].keys()
    return {s: statistics.median(m["timings_s"].get(s, 0.0) for m in manifests) for s in stages}


def report(
    title: str, what: list[str], walls: list[float], peaks: list[int], manifests: list[dict]
) -> str:
    lines = [f"## bench_score.py — {title}", "", *what, "", *machine(), ""]
    lines += [
        "| runs | median wall (s) | min–max (s) | peak RSS (GiB) |",
        "|---|---|---|---|",
        f"| {len(walls)} | {statistics.median(walls):.1f} | {min(walls):.1f}–{max(walls):.1f} | {max(peaks) / 2**30:.2f} |",
        "",
    ]
    if manifests:
        stages = _median_stages(manifests)
        lines += [
            "Median seconds per stage (from manifest.json):",
            "",
            "| stage | s |",
            "|---|---|",
        ]
        lines += [f"| {k} | {v:.2f} |" for k, v in stages.items()]
        m = manifests[-1]
        lines += [
            "",
            f"Households on the date: {m['households']:,}; listed: {m['shortlist']['listed']:,}; "
            f"(household, issue) pairs explained: {m['reasons']['pairs_explained']:,}; "
            f"max |Σ items + base − raw| = {m['reasons']['max_abs_error_vs_raw_output']:.1e}",
        ]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ full mode


def _synth(out: Path, households: int, months: int) -> None:
    if (out / "residents.parquet").exists():
        return
    print(f"synth {households:,} households -> {out}", file=sys.stderr, flush=True)
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
    )


def _newest_month_end(drop: Path) -> str:
    """The last day of the month before the newest residents change: a date well inside the drop."""
    import polars as pl

    newest = (
        pl.scan_parquet(drop / "residents.parquet")
        .select(pl.col("valid_from").cast(pl.Date).max())
        .collect()
        .item()
    )
    first = newest.replace(day=1)
    from datetime import timedelta

    return (first - timedelta(days=1)).isoformat()


def full(args: argparse.Namespace) -> str:
    n = args.households or (100_000 if args.quick else 1_000_000)
    drop = Path(args.drop) if args.drop else BENCH_DIR / f"drop-{n}"
    _synth(drop, n, 36)
    as_of = args.as_of or _newest_month_end(drop)
    env = dict(os.environ)
    model = args.model
    if model is None:
        env.setdefault("KIZUKI_TRACKING_URI", f"sqlite:///{BENCH_DIR / 'tracking' / 'mlflow.db'}")
        (BENCH_DIR / "tracking").mkdir(parents=True, exist_ok=True)
        # kizuki train needs two training dates, a calibration and a validation date 6
        # months apart after the first horizon: 36 months of history are too few
        train_drop = BENCH_DIR / "drop-train-20000-48"
        _synth(train_drop, 20_000, 48)
        print("train on the 20,000-household drop", file=sys.stderr, flush=True)
        out = subprocess.run(
            [*KIZUKI, "train", str(train_drop), "--as-of", as_of],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        ).stdout
        model = out.strip().splitlines()[-1]
    walls, peaks, manifests = [], [], []
    with tempfile.TemporaryDirectory(prefix="bench-score-", dir=BENCH_DIR) as tmp:
        for i in range(args.repeats):
            out_dir = Path(tmp) / f"run{i}"
            print(f"score run {i + 1}/{args.repeats}", file=sys.stderr, flush=True)
            wall, peak, _ = run_measured(
                [
                    *KIZUKI,
                    "score",
                    str(drop),
                    "--as-of",
                    as_of,
                    "--out",
                    str(out_dir),
                    "--model",
                    model,
                ],
                env=env,
            )
            walls.append(wall)
            peaks.append(peak)
            manifests.append(json.loads((out_dir / "manifest.json").read_text(encoding="utf-8")))
    what = [
        f"`kizuki score` end to end on a synthetic drop of {n:,} households, 36 months "
        f"(load, features as of {as_of}, six issues, reasons for the listed, all files), "
        f"model {model}; each run a fresh process; peak RSS of the process tree sampled every 50 ms."
    ]
    return report(f"full run, {n:,} households", what, walls, peaks, manifests)


# ------------------------------------------------------------------ core mode


def core_child(n: int, trees: int, leaves: int, out: str) -> None:
    """One core run in this process: build inputs (untimed), time run_score, print JSON."""
    from datetime import date

    import lightgbm as lgb
    import numpy as np
    import polars as pl

    from kizuki.config import validate_config
    from kizuki.contract.schema import ISSUES
    from kizuki.explain import CatalogTexts, ItemText
    from kizuki.pipeline.score import Components, DropInput, LoadedModel, TableInput, run_score
    from kizuki.report import ReportConfig
    from kizuki.shortlist import load_shortlist_config

    rng = np.random.default_rng(0)
    n_feat = 60
    names = [f"f{j:02d}" for j in range(n_feat)]
    items = {f: f"item{j % 20:02d}" for j, f in enumerate(names)}
    cols = {}
    for j, f in enumerate(names):
        kind = j % 3
        if kind == 0:
            v = rng.normal(size=n)
        elif kind == 1:
            v = rng.integers(0, 12, n).astype(float)
        else:
            v = (rng.random(n) < 0.1).astype(float)
        if j % 7 == 0:
            v[rng.random(n) < 0.2] = np.nan  # a table missing for some households
        cols[f] = v
    ids = [f"H{i:016x}" for i in rng.permutation(n)]
    features = pl.DataFrame(
        {
            "household_id": ids,
            "as_of": [date(2026, 3, 31)] * n,
            "district": rng.choice([f"地区{k:02d}" for k in range(20)], n),
            **cols,
            "hh_type": rng.choice(["single_65plus", "elderly_couple", "other"], n),
            "nationality": rng.choice(["jp", "foreign"], n, p=[0.97, 0.03]),
        }
    ).with_columns(pl.col(names).fill_nan(None))

    class Models:
        version = f"bench-{trees}x{leaves}"

        def __init__(self) -> None:
            x = features.head(50_000).select(names).to_numpy()
            self.boosters = {}
            for k, issue in enumerate(ISSUES):
                logit = np.nan_to_num(x[:, k]) + 0.5 * np.nan_to_num(x[:, k + 6]) - 3.5
                y = (rng.random(len(x)) < 1 / (1 + np.exp(-logit))).astype(int)
                params = {
                    "objective": "binary",
                    "num_leaves": leaves,
                    "learning_rate": 0.05,
                    "num_threads": 2,
                    "deterministic": True,
                    "seed": 0,
                    "verbose": -1,
                    "min_data_in_leaf": 50,
                }
                self.boosters[issue] = lgb.train(
                    params, lgb.Dataset(x, label=y), num_boost_round=trees
                )

        def _x(self, X):
            return X.select(names).to_numpy()

        def raw_score(self, X, issue):
            return self.boosters[issue].predict(self._x(X), raw_score=True, num_threads=2)

        def contributions(self, X, issue):
            c = self.boosters[issue].predict(self._x(X), pred_contrib=True, num_threads=2)
            return c[:, :-1], c[:, -1], names

        def predict_proba(self, X):
            x = self._x(X)
            parts = []
            for issue, b in self.boosters.items():
                p = b.predict(x, num_threads=2)
                parts.append(
                    pl.DataFrame({"household_id": X["household_id"], "issue": issue, "score": p})
                )
            return pl.concat(parts)

    class Checklist:
        def explain(self, X):
            parts = []
            for k, issue in enumerate(ISSUES):
                f = names[k]
                parts.append(
                    X.select(
                        "household_id",
                        issue=pl.lit(issue),
                        item=pl.lit(items[f]),
                        fired=(pl.col(f) > 1.5).fill_null(False),
                        weight=pl.lit(1.0),
                        text_ja=pl.lit(f"項目 {items[f]}"),
                        text_en=pl.lit(f"item {items[f]}"),
                    )
                )
            return pl.concat(parts)

        def checklist_scores(self, X):
            return pl.concat(
                X.select(
                    "household_id",
                    issue=pl.lit(issue),
                    checklist_score=(pl.col(names[k]) > 1.5).fill_null(False).cast(pl.Float64),
                )
                for k, issue in enumerate(ISSUES)
            )

    models = Models()
    texts = CatalogTexts(
        items={
            i: ItemText(f"チェック項目 {i}", f"checklist item {i}") for i in set(items.values())
        },
        formatters={
            f: {"ja": (lambda v: f"値 {v:.2f}"), "en": (lambda v: f"value {v:.2f}")} for f in names
        },
    )
    residents = pl.DataFrame({"household_id": ids, "known_on": [date(2026, 9, 30)] * n}).lazy()
    comp = Components(
        load=lambda p: DropInput(
            {"residents": residents}, {"residents": TableInput("residents.parquet", None, n, 0)}
        ),
        features=lambda tables, as_of: features,
        model=lambda uri: LoadedModel(models, "bench", 6),
        checklist=Checklist,
        feature_items=lambda: items,
        texts=lambda: texts,
    )
    report_cfg = validate_config(
        ReportConfig, {"config_version": 1, "bands": {"high": 0.3, "medium": 0.1}}
    )
    t0 = time.perf_counter()
    summary = run_score(
        Path("bench-drop"),
        date(2026, 3, 31),
        Path(out),
        components=comp,
        shortlist_config=load_shortlist_config(),
        report_config=report_cfg,
    )
    print(
        json.dumps({"seconds": time.perf_counter() - t0, "manifest": summary.manifest}, default=str)
    )


def core(args: argparse.Namespace) -> str:
    n = args.households or (100_000 if args.quick else 1_000_000)
    walls, peaks, manifests = [], [], []
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-core-", dir=BENCH_DIR) as tmp:
        for i in range(args.repeats):
            print(f"core run {i + 1}/{args.repeats}", file=sys.stderr, flush=True)
            cmd = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--core-child",
                str(n),
                str(args.trees),
                str(args.leaves),
                str(Path(tmp) / f"run{i}"),
            ]
            _, peak, out = run_measured(cmd)
            got = json.loads(out.strip().splitlines()[-1])
            walls.append(got["seconds"])
            peaks.append(peak)
            manifests.append(got["manifest"])
    what = [
        f"The scoring run after features (model scores for six issues, ranks, checklist, shortlist, "
        f"reasons for the listed only, every output file) on a generated frame of {n:,} households "
        f"× 60 features, one LightGBM per issue with {args.trees} trees of {args.leaves} leaves. "
        "Wall time is run_score only; peak RSS is the whole child process (inputs included)."
    ]
    return report(f"core stage, {n:,} households", what, walls, peaks, manifests)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--core-child"]:
        core_child(int(argv[1]), int(argv[2]), int(argv[3]), argv[4])
        return 0
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="100,000 households instead of 1,000,000")
    p.add_argument("--mode", choices=("full", "core"), default="full")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--households", type=int, default=None)
    p.add_argument("--drop", default=None)
    p.add_argument("--model", default=None)
    p.add_argument("--as-of", dest="as_of", default=None)
    p.add_argument("--trees", type=int, default=300)
    p.add_argument("--leaves", type=int, default=31)
    args = p.parse_args(argv)
    print(full(args) if args.mode == "full" else core(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
