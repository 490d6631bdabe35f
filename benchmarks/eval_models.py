"""Acceptance figure for the risk models: model vs 気づき checklist vs best single feature.

Usage: ``uv run python benchmarks/eval_models.py [--preset ashiya] [--households N] [--out FILE]``

Writes (once) a synthetic drop with ``kizuki synth``, trains exactly as ``kizuki train``
does (temporal splits, selective-label weights, calibration; no tracking store), and
prints a Markdown section: per issue and scorer, average precision against the latent
need (``truth/latent.parquet``) and against case labels, precision and recall at the
outreach capacity (configs/shortlist.yaml), the selective-label comparison (same model
without the weights; with an exploration share) and the time each phase took. Exits 1
when the model's AP against the latent need does not beat the checklist's for every issue.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
from _common import BENCH_DIR, kizuki, machine

from kizuki.checklist import load_checklist_config
from kizuki.contract.schema import ISSUES
from kizuki.features.config import load_feature_config
from kizuki.io.drop import load_drop
from kizuki.model.config import load_model_config
from kizuki.pipeline.train import train
from kizuki.shortlist import load_shortlist_config


def _f(v: object) -> str:
    return "—" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


def markdown(ev: pl.DataFrame) -> list[str]:
    """Per issue: one header row (cohort, cases, need, k) and one row per scorer."""
    out = [
        "| issue | scorer | AP need | AP cases | need P@k | need R@k | case P@k | case R@k | Brier |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for issue in ISSUES:
        part = ev.filter(pl.col("issue") == issue)
        first = part.row(0, named=True)
        out.append(
            f"| **{issue}** | cohort {first['cohort']:,}, cases {first['cases']}, "
            f"need {first.get('need', '—')}, k {first['k']} | | | | | | | |"
        )
        for r in part.iter_rows(named=True):
            name = f"**{r['scorer']}**" if r["scorer"] == "model" else r["scorer"]
            out.append(
                f"| | {name} | {_f(r.get('ap_need'))} | {_f(r['ap_cases'])} | "
                f"{_f(r.get('need_precision_at_k'))} | {_f(r.get('need_recall_at_k'))} | "
                f"{_f(r['precision_at_k'])} | {_f(r['recall_at_k'])} | {_f(r['brier'])} |"
            )
    return out


def found(ev: pl.DataFrame) -> list[str]:
    """Households with the need / with a case on the list, per scorer, summed over issues."""
    t = (
        ev.with_columns(
            need_found=(pl.col("need_recall_at_k") * pl.col("need")).round(0),
            cases_found=(pl.col("recall_at_k") * pl.col("cases")).round(0),
        )
        .with_columns(family=pl.col("scorer").str.split(":").list.first())
        .group_by("family", maintain_order=True)
        .agg(pl.col("need_found").sum(), pl.col("cases_found").sum(), pl.col("k").sum())
    )
    out = ["| scorer | listed (sum of k) | need found | cases found |", "|---|---|---|---|"]
    for fam, nf, cf, k in t.select("family", "need_found", "cases_found", "k").iter_rows():
        out.append(f"| {fam} | {k:,} | {nf:,.0f} | {cf:,.0f} |")
    return out


def main() -> int:
    """Measure and print; exit status 1 when the acceptance rule fails."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="ashiya")
    ap.add_argument("--households", type=int, default=None)
    ap.add_argument("--as-of", default=None, help="default: the drop's newest knowledge date")
    ap.add_argument("--out", type=Path, default=None, help="also write the Markdown here")
    a = ap.parse_args()
    drop = BENCH_DIR / f"eval-{a.preset}-{a.households or 'preset'}"
    t0 = time.perf_counter()
    if not (drop / "residents.parquet").exists():
        cmd = [*kizuki(), "synth", "--preset", a.preset, "--out", str(drop)]
        if a.households:
            cmd += ["--households", str(a.households)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    t_synth = time.perf_counter() - t0
    t0 = time.perf_counter()
    loaded = load_drop(drop)
    truth = pl.read_parquet(drop / "truth" / "latent.parquet")
    as_of = dt.date.fromisoformat(a.as_of or loaded.newest_knowledge_date() or "")
    t_load = time.perf_counter() - t0
    phases: dict[str, float] = {}
    last = [time.perf_counter()]

    def progress(msg: str) -> None:
        now = time.perf_counter()
        key = "features" if "features as of" in msg else msg.split(":", 1)[-1].strip()[:40]
        phases[key] = phases.get(key, 0.0) + now - last[0]
        last[0] = now
        print(msg, file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    cfg = load_model_config()
    result = train(
        loaded,
        as_of,
        cfg,
        load_feature_config(),
        load_checklist_config(),
        shortlist_config=load_shortlist_config(),
        truth=truth,
        compare_without_pu=True,
        progress=progress,
    )
    t_train = time.perf_counter() - t0
    ev = result.evaluation
    model = ev.filter(pl.col("scorer") == "model").select("issue", m="ap_need")
    check = ev.filter(pl.col("scorer") == "checklist").select("issue", c="ap_need")
    verdict = model.join(check, on="issue").with_columns(ok=pl.col("m") > pl.col("c"))
    lines = [
        f"## Risk models: `{a.preset}` preset{f' ({a.households:,} households)' if a.households else ''}",
        "",
        machine(),
        "",
        f"Training dates {', '.join(result.dates['train'])}; calibration {result.dates['calibration'][0]}; "
        f"validation {result.dates['validation'][0]} (horizon {cfg.horizon_months} months). "
        "k = each district's capacity from configs/shortlist.yaml (1% of its households, at least 5), "
        "summed over districts. Need = the household had the need (truth/latent.parquet) in the "
        "validation window; cases = a confirmed case opened in it.",
        "",
        *markdown(ev),
        "",
        "Households found on the lists (summed over the six issues):",
        "",
        *found(ev),
        "",
        "Acceptance (model AP against latent need > checklist AP, every issue): "
        + ", ".join(
            f"{i} {m:.3f} vs {c:.3f} {'✓' if ok else '✗'}"
            for i, m, c, ok in verdict.select("issue", "m", "c", "ok").iter_rows()
        ),
        "",
        f"Time: synth {t_synth:.0f} s (0 when cached), load {t_load:.1f} s, train {t_train:.0f} s ("
        + ", ".join(f"{k} {v:.0f} s" for k, v in phases.items())
        + "). Command: `uv run python benchmarks/eval_models.py"
        + (f" --preset {a.preset}" if a.preset != "ashiya" else "")
        + (f" --households {a.households}" if a.households else "")
        + "`",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if a.out:
        a.out.write_text(text, encoding="utf-8")
    return 0 if verdict["ok"].all() else 1


if __name__ == "__main__":
    sys.exit(main())
