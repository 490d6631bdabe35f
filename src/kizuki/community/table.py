"""The community table: per run (as of T), district and issue, what the records and the
model say about new and known cases, beside the synthetic truth when there is one.

In: a history folder (runs under ``runs/``, contract §9) and the newest drop (its
``outcomes``; for a synthetic drop also ``truth/latent.parquet``). One row per (run,
district, issue), columns :data:`COLUMNS`, plus per (run, issue) one row with district
null: the whole municipality:

- ``households``: households in the district on T (features.parquet);
- ``cohort``: of them, those in the issue's cohort (scores.parquet: not a known case);
- ``expected``, ``low``, ``high``: Σ calibrated score over the cohort, and the interval
  of the count of new confirmed cases in (T, T + H] (:mod:`kizuki.community.interval`);
- ``signs``: cohort households showing the checklist's signs (checklist_score > 0);
- ``known``: households with a confirmed case of the issue opened on or before T;
- ``capacity``, ``listed``: the district's visits allowed and households listed (from
  the run's manifest; the same for every issue of a district);
- ``matured``: the whole horizon lies on or before the outcomes' newest date;
  ``realised``: cohort households with a confirmed case opened in (T, T + H] (null
  until matured);
- ``truth_need``, ``truth_unknown``: households of the district truly in need on T's
  month (truth/latent.parquet), and those of them not known to services (null when
  the drop is not synthetic).

Of several attempts of one as-of date, the newest attempt (``runs/<as_of>.<n>``, the
largest n) is read.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from kizuki.calendar import add_months, month_start
from kizuki.community.config import CommunityConfig, load_community_config
from kizuki.community.interval import count_intervals, total_interval
from kizuki.contract.schema import ISSUES
from kizuki.errors import KizukiError
from kizuki.history import HistoryLayout
from kizuki.io.atomic import write_parquet
from kizuki.io.drop import DoorRules, LoadedDrop, load_drop
from kizuki.io.files import read_parquet
from kizuki.runs import NotARun, RunFolder, find_runs

#: the community table's columns and types
COLUMNS: dict[str, pl.DataType] = {
    "as_of": pl.Date(),
    "run": pl.String(),
    "district": pl.String(),
    "issue": pl.String(),
    "households": pl.Int64(),
    "cohort": pl.Int64(),
    "expected": pl.Float64(),
    "low": pl.Int64(),
    "high": pl.Int64(),
    "signs": pl.Int64(),
    "known": pl.Int64(),
    "capacity": pl.Int64(),
    "listed": pl.Int64(),
    "matured": pl.Boolean(),
    "realised": pl.Int64(),
    "truth_need": pl.Int64(),
    "truth_unknown": pl.Int64(),
}


#: the whole municipality while the rows are built (null in the finished table)
_ALL = "\x00all"


class NoHistory(KizukiError):
    """The history folder holds no scoring run to describe (exit 3: input refused)."""

    exit_code = 3


def history_runs(history: Path) -> list[RunFolder]:
    """The newest attempt of each as-of date under ``<history>/runs``, oldest first."""
    runs_dir = HistoryLayout(Path(history)).runs
    if not runs_dir.is_dir():
        raise NoHistory(f"community: {history} holds no runs/ folder (no run yet)")
    try:
        found = find_runs([runs_dir])
    except NotARun:
        raise NoHistory(f"community: {history} holds no complete scoring run yet") from None
    newest: dict[dt.date, RunFolder] = {}
    for run in sorted(found, key=lambda r: (r.as_of, _attempt(r.path))):
        newest[run.as_of] = run  # the last attempt of a date wins
    return [newest[d] for d in sorted(newest)]


def _attempt(path: Path) -> int:
    """n of ``runs/<as_of>.<n>`` (1 for ``runs/<as_of>``)."""
    tail = Path(path).name.rpartition(".")[2]
    return int(tail) if "." in Path(path).name and tail.isdigit() else 1


def newest_drop(runs: list[RunFolder], drop: Path | None) -> Path | None:
    """``drop`` when given, else the drop the newest run read (when it still exists)."""
    if drop is not None:
        return Path(drop)
    for run in reversed(runs):
        if run.drop_path is not None and run.drop_path.is_dir():
            return run.drop_path
    return None


def read_outcomes(
    drop: Path | None, loaded: LoadedDrop | None = None
) -> tuple[pl.DataFrame | None, dt.date | None, pl.DataFrame | None]:
    """(outcomes, newest knowledge date, truth latent) of a drop; Nones when absent.
    ``loaded``: the drop already validated (the runner's), else it is loaded here."""
    if drop is None:
        return None, None, None
    if loaded is None:
        loaded = load_drop(drop, rules=DoorRules(accept_undeclared=True))
    outcomes = (
        loaded.tables["outcomes"]
        .select("household_id", pl.col("issue").cast(pl.String), "opened_on", "confirmed")
        .collect()
        if "outcomes" in loaded.tables
        else None
    )
    newest = loaded.newest_knowledge_date()
    latent_path = Path(drop) / "truth" / "latent.parquet"
    latent = read_parquet(latent_path) if latent_path.is_file() else None
    return outcomes, (dt.date.fromisoformat(newest) if newest else None), latent


def known_on(outcomes: pl.DataFrame | None, as_of: dt.date) -> pl.DataFrame:
    """household_id, issue: confirmed cases opened on or before ``as_of`` (contract §2;
    the rule of kizuki.pipeline.score_core.known_cases_on)."""
    if outcomes is None:
        return pl.DataFrame(schema={"household_id": pl.String, "issue": pl.String})
    return (
        outcomes.filter(pl.col("confirmed") & (pl.col("opened_on") <= as_of))
        .select("household_id", "issue")
        .unique()
    )


def new_cases(outcomes: pl.DataFrame, as_of: dt.date, horizon: int) -> pl.DataFrame:
    """household_id, issue: confirmed cases opened in (T, T + H] (the label, contract §2)."""
    end = add_months(as_of, horizon)
    return (
        outcomes.filter(
            pl.col("confirmed") & (pl.col("opened_on") > as_of) & (pl.col("opened_on") <= end)
        )
        .select("household_id", "issue")
        .unique()
    )


def _with_total(frame: pl.DataFrame, counts: list[str]) -> pl.DataFrame:
    """``frame`` (district, issue, counts…) plus one row per issue with district null:
    the whole municipality."""
    total = (
        frame.group_by("issue")
        .agg(pl.col(counts).sum())
        .with_columns(pl.lit(_ALL).alias("district"))
    )
    return pl.concat([frame, total.select(frame.columns)])


def _cached_intervals(
    run: RunFolder, config: CommunityConfig, cache: Path | None
) -> tuple[Path | None, dict[tuple[str, str], tuple[float, int, int]]]:
    """(cache file, (district, issue) -> (expected, low, high)) of a run already computed.

    The intervals depend only on the run's scores (its run id) and the interval settings,
    never on outcomes that arrive later: computed once per run, a night costs one run's
    intervals however long the history grows."""
    if cache is None:
        return None, {}
    key = f"{run.manifest.run_id}-{config.level:g}-{config.calibration_error:g}.parquet"
    path = cache / key
    if not path.is_file():
        return path, {}
    frame = read_parquet(path)
    return path, {
        (r["district"], r["issue"]): (r["expected"], r["low"], r["high"])
        for r in frame.iter_rows(named=True)
    }


def run_table(
    run: RunFolder,
    outcomes: pl.DataFrame | None,
    known_until: dt.date | None,
    latent: pl.DataFrame | None,
    config: CommunityConfig,
    cache: Path | None = None,
) -> pl.DataFrame:
    """The community rows of one run (see the module docstring); ``cache``: a folder
    keeping each run's intervals (None: computed every time)."""
    T, H = run.as_of, run.horizon_months
    homes = run.features.select("household_id", pl.col("district").cast(pl.String))
    per_district = homes.group_by("district").agg(households=pl.len().cast(pl.Int64))
    grid = pl.concat(
        [
            per_district,
            pl.DataFrame(
                {"district": [_ALL], "households": [homes.height]}, schema=per_district.schema
            ),
        ]
    ).join(pl.DataFrame({"issue": list(ISSUES)}), how="cross")
    scores = run.scores.select(
        "household_id", pl.col("issue").cast(pl.String), "score", "checklist_score"
    ).join(homes, on="household_id", how="inner")
    matured = known_until is not None and add_months(T, H) <= known_until
    if outcomes is not None and matured:
        scores = scores.join(
            new_cases(outcomes, T, H).with_columns(new=pl.lit(1)),
            on=["household_id", "issue"],
            how="left",
        ).with_columns(pl.col("new").fill_null(0))
    else:
        scores = scores.with_columns(new=pl.lit(None, pl.Int32))
    # interval: one batch per issue (the districts of an issue have counts of one size)
    cache_file, known = _cached_intervals(run, config, cache)
    parts = []
    for issue in ISSUES:
        sub = scores.filter(pl.col("issue") == issue)
        groups = sorted(sub.partition_by("district", as_dict=True).items())
        if not groups:
            continue
        names = [k[0] for k, _ in groups] + [_ALL]
        if all((d, issue) in known for d in names):
            exp, lo, hi = (np.array([known[(d, issue)][i] for d in names]) for i in range(3))
        else:
            probs = [g["score"].to_numpy().astype(np.float64) for _, g in groups]
            exp, lo, hi = count_intervals(probs, config.level, config.calibration_error)
            t_exp, t_lo, t_hi = total_interval(
                np.concatenate(probs), config.level, config.calibration_error
            )
            exp, lo, hi = np.append(exp, t_exp), np.append(lo, t_lo), np.append(hi, t_hi)
            known.update(
                {
                    (d, issue): (float(e), int(a), int(b))
                    for d, e, a, b in zip(names, exp, lo, hi, strict=True)
                }
            )
        groups.append(((_ALL,), sub))
        parts.append(
            pl.DataFrame(
                {
                    "district": [k[0] for k, _ in groups],
                    "issue": issue,
                    "cohort": [g.height for _, g in groups],
                    "expected": exp,
                    "low": lo,
                    "high": hi,
                    "signs": [
                        int((g["checklist_score"].fill_null(0) > 0).sum()) for _, g in groups
                    ],
                    "realised": [int(g["new"].sum()) if matured else None for _, g in groups],
                },
                schema_overrides={"cohort": pl.Int64, "signs": pl.Int64, "realised": pl.Int64},
            )
        )
    if cache_file is not None and not cache_file.is_file() and known:
        write_parquet(
            cache_file,
            pl.DataFrame(
                [
                    {"district": d, "issue": i, "expected": e, "low": a, "high": b}
                    for (d, i), (e, a, b) in known.items()
                ],
                schema={
                    "district": pl.String,
                    "issue": pl.String,
                    "expected": pl.Float64,
                    "low": pl.Int64,
                    "high": pl.Int64,
                },
            ),
        )
    cells = (
        pl.concat(parts)
        if parts
        else pl.DataFrame(
            schema={
                k: COLUMNS[k]
                for k in (
                    "district",
                    "issue",
                    "cohort",
                    "expected",
                    "low",
                    "high",
                    "signs",
                    "realised",
                )
            }
        )
    )
    known = _with_total(
        known_on(outcomes, T)
        .join(homes, on="household_id", how="inner")
        .group_by("district", "issue")
        .agg(known=pl.len().cast(pl.Int64)),
        ["known"],
    )
    listing = pl.DataFrame(
        [(d.district, d.capacity, d.listed) for d in run.manifest.shortlist.districts],
        schema={"district": pl.String, "capacity": pl.Int64, "listed": pl.Int64},
        orient="row",
    )
    listing = pl.concat(
        [
            listing,
            listing.select(pl.lit(_ALL).alias("district"), pl.col("capacity", "listed").sum()),
        ]
    )
    out = (
        grid.join(cells, on=["district", "issue"], how="left")
        .join(known, on=["district", "issue"], how="left")
        .join(listing, on="district", how="left")
        .with_columns(
            pl.col("cohort", "signs").fill_null(0),
            pl.col("expected").fill_null(0.0),
            pl.col("low", "high").fill_null(0),
            pl.col("known").fill_null(0) if outcomes is not None else pl.col("known"),
            matured=pl.lit(matured),
            as_of=pl.lit(T),
            run=pl.lit(run.path.name),
        )
    )
    if latent is not None:
        need = (
            latent.filter(pl.col("month") == month_start(T))
            .select("household_id", pl.col("issue").cast(pl.String))
            .unique()
        )
        need = need.join(homes, on="household_id", how="inner").join(
            known_on(outcomes, T).with_columns(k=pl.lit(True)),
            on=["household_id", "issue"],
            how="left",
        )
        truth = _with_total(
            need.group_by("district", "issue").agg(
                truth_need=pl.len().cast(pl.Int64),
                truth_unknown=pl.col("k").is_null().sum().cast(pl.Int64),
            ),
            ["truth_need", "truth_unknown"],
        )
        out = out.join(truth, on=["district", "issue"], how="left").with_columns(
            pl.col("truth_need", "truth_unknown").fill_null(0)
        )
    else:
        out = out.with_columns(
            truth_need=pl.lit(None, pl.Int64), truth_unknown=pl.lit(None, pl.Int64)
        )
    order = {i: k for k, i in enumerate(ISSUES)}
    return (
        out.with_columns(_o=pl.col("issue").replace_strict(order, default=len(order)))
        .with_columns(pl.when(pl.col("district") != _ALL).then(pl.col("district")))
        .sort("district", "_o", nulls_last=True)
        .drop("_o")
        .select([pl.col(c).cast(t) for c, t in COLUMNS.items()])
    )


def community_table(
    history: Path,
    drop: Path | None = None,
    config: CommunityConfig | None = None,
    loaded: LoadedDrop | None = None,
) -> pl.DataFrame:
    """Every run's community rows (:data:`COLUMNS`), oldest run first.

    In: the history folder; the newest drop (None: the drop the newest run read, when it
    still exists; without one, known, realised and truth columns are null); the config
    (None: configs/community.yaml); ``drop`` already validated (None: loaded here). Raises
    :class:`NoHistory` when no run is there.
    """
    cfg = config or load_community_config()
    runs = history_runs(Path(history))
    outcomes, known_until, latent = read_outcomes(newest_drop(runs, drop), loaded)
    cache = HistoryLayout(Path(history)).community_cache
    return pl.concat([run_table(r, outcomes, known_until, latent, cfg, cache) for r in runs])
