"""Build a small synthetic run history without the runner (contract §9 layout).

``build_history(base, households, runs=6, seed=5)`` writes, under ``base``:

- ``drop/``: a synthetic drop (kizuki synth, the ``ashiya`` shape at ``households``
  households, 48 months ending 2026-09, with ``truth/``);
- ``history/runs/<as_of>/``: ``runs`` scoring runs at consecutive month-ends from
  2025-10-31, scored by a LightGBM model trained (kizuki.pipeline.train, no tracking)
  as of 2025-09-30, so every run's 6-month horizon has matured by 2026-09-30 for the
  first four runs of six;
- ``monitor/`` in each run after the first (this run against the previous one);
- ``history/performance/`` (run_performance over runs/, outcomes from the drop);
- ``history/ledger.parquet`` with the LEDGER_COLUMNS schema: one ``done`` row per run,
  plus a ``failed`` attempt of the last month (no folder).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import polars as pl

from kizuki.calendar import month_end
from kizuki.checklist import load_checklist_config
from kizuki.features.config import load_feature_config
from kizuki.history import LEDGER_COLUMNS, HistoryLayout
from kizuki.io.drop import load_drop
from kizuki.model.config import load_model_config
from kizuki.monitor.config import load_monitor_config
from kizuki.pipeline.monitor import run_monitor
from kizuki.pipeline.performance import run_performance
from kizuki.pipeline.score import LoadedModel, default_components, run_score
from kizuki.pipeline.train import train
from kizuki.report.config import load_report_config
from kizuki.shortlist import load_shortlist_config
from kizuki.synth.generate import generate
from kizuki.synth.presets import make_spec
from kizuki.synth.write import write_drop

TRAIN_AS_OF = dt.date(2025, 9, 30)
FIRST_RUN = dt.date(2025, 10, 31)


def _ledger_frame(rows: list[dict]) -> pl.DataFrame:
    schema = {name: getattr(pl, kind.split("[")[0]) for name, kind in LEDGER_COLUMNS}
    schema["started"] = pl.Datetime("us", "UTC")
    schema["ended"] = pl.Datetime("us", "UTC")
    return pl.DataFrame(rows, schema=schema, orient="row")


_BUILT: dict[tuple[int, int, int], tuple[Path, Path]] = {}


def cached_history(base: Path, households: int, runs: int = 6, seed: int = 5) -> tuple[Path, Path]:
    """:func:`build_history` once per (households, runs, seed) in a test session (the
    community and overview tests share one history)."""
    key = (households, runs, seed)
    if key not in _BUILT:
        _BUILT[key] = build_history(base, households, runs, seed)
    return _BUILT[key]


def build_history(base: Path, households: int, runs: int = 6, seed: int = 5) -> tuple[Path, Path]:
    """Write the drop and the history under ``base``; returns (history, drop)."""
    drop = base / "drop"
    write_drop(generate(make_spec("ashiya", households, 48, seed)), drop, "parquet")
    cfg = load_model_config()
    cfg = type(cfg).model_validate(cfg.model_dump(mode="json") | {"max_train_dates": 4})
    result = train(
        load_drop(drop),
        TRAIN_AS_OF,
        cfg,
        load_feature_config(),
        load_checklist_config(),
        compare_without_pu=False,
    )
    components = dataclasses.replace(
        default_components(load_feature_config(), load_checklist_config()),
        model=lambda uri: LoadedModel(result.model, "models:/kizuki/1", cfg.horizon_months),
        resolve=None,
    )
    history = base / "history"
    layout = HistoryLayout(history)
    monitor_cfg = load_monitor_config()
    ledger: list[dict] = []
    previous: Path | None = None
    for k in range(runs):
        as_of = month_end(FIRST_RUN, k)
        out = layout.run_dir(as_of)
        started = dt.datetime.now(dt.UTC)
        summary = run_score(
            drop,
            as_of,
            out,
            components=components,
            shortlist_config=load_shortlist_config(),
            report_config=load_report_config(),
        )
        status, code = "done", 0
        if previous is not None:
            mon = run_monitor(previous, out, config=monitor_cfg, track=False)
            if any(a.fails for a in mon.alerts):
                status, code = "alert", 4
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        ledger.append(
            {
                "run_id": manifest["run_id"],
                "pipeline": "nightly",
                "as_of": as_of,
                "attempt": 1,
                "run_dir": out.relative_to(history).as_posix(),
                "started": started,
                "ended": dt.datetime.now(dt.UTC),
                "status": status,
                "stage": "monitor" if previous is not None else "score",
                "drop_hashes": json.dumps(
                    {
                        n: t["sha256"]
                        for n, t in manifest["inputs"].items()
                        if t.get("present", True) and t.get("sha256")
                    }
                ),
                "model_version": manifest["model"]["version"],
                "config_hash": manifest["config_hash"],
                "shortlist_hash": manifest["files"]["shortlist.parquet"]["sha256"],
                "exit_status": code,
                "message": "",
            }
        )
        del summary
        previous = out
    # a failed second attempt of the last month: no run folder of its own
    last = ledger[-1]
    ledger.append(
        last
        | {
            "run_id": last["run_id"] + "-retry",
            "attempt": 2,
            "run_dir": f"runs/{last['as_of'].isoformat()}.2",
            "status": "failed",
            "stage": "validate",
            "exit_status": 1,
            "message": "validate: unexpected failure (test fixture)",
            "shortlist_hash": None,
        }
    )
    run_performance([layout.runs], drop, history / "performance", config=monitor_cfg, track=False)
    layout.root.mkdir(parents=True, exist_ok=True)
    _ledger_frame(ledger).write_parquet(layout.ledger)
    return history, drop
