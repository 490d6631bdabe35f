"""Reading scoring-run folders (contract §5) for monitor and audit: the one place here that reads files.

A run folder holds ``manifest.json`` (written last: a folder with a manifest is a
complete run), ``features.parquet`` (every household on T: household_id, as_of,
district, features, group columns), ``scores.parquet`` (household_id, as_of, issue,
score, rank, checklist_score, model_version), ``shortlist.parquet`` (household_id,
district, priority, issues, score, reasons, known_case, ...) and ``rejects/<table>.parquet``
(rejected rows with ``rule`` and ``column``). Only counts are taken from the rejects:
never a rejected value.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from kizuki.errors import KizukiError

REQUIRED_FILES = ("manifest.json", "features.parquet", "scores.parquet", "shortlist.parquet")
DEFAULT_HORIZON_MONTHS = 6


class RunFolderError(KizukiError):
    """A path given as a scoring run is not a complete run folder."""


@dataclass(frozen=True)
class RejectSummary:
    """Rejected rows of one table grouped by (column, rule).

    ``frame``: column, rule, rows, distinct (number of distinct rejected raw values in
    that column: a count, never the values).
    """

    table: str
    frame: pl.DataFrame


@dataclass
class RunFolder:
    """One scoring run as monitor and audit see it (frames read lazily on first use)."""

    path: Path
    manifest: dict[str, Any]
    _cache: dict[str, pl.DataFrame] = field(default_factory=dict, repr=False)

    # ---------------------------------------------------------------- manifest facts
    @property
    def run_id(self) -> str:
        """The run id from the manifest (the folder name when absent)."""
        return str(self.manifest.get("run_id") or self.path.name)

    @property
    def as_of(self) -> dt.date:
        """The run's as-of date."""
        return dt.date.fromisoformat(str(self.manifest["as_of"]))

    @property
    def horizon_months(self) -> int:
        """The model's label horizon (months); 6 when the manifest does not say."""
        model = self.manifest.get("model") or {}
        return int(model.get("horizon_months") or DEFAULT_HORIZON_MONTHS)

    @property
    def model_version(self) -> str | None:
        """The model version that scored the run."""
        model = self.manifest.get("model") or {}
        v = model.get("version")
        return None if v is None else str(v)

    @property
    def drop_path(self) -> Path | None:
        """The data drop the run read (manifest ``drop.path``), when recorded."""
        p = (self.manifest.get("drop") or {}).get("path")
        return Path(p) if p else None

    @property
    def inputs(self) -> dict[str, dict[str, Any]]:
        """Per contract table: what the manifest says about it (``present``, rows, ...)."""
        raw = self.manifest.get("inputs") or {}
        out = {str(k): dict(v or {}) for k, v in raw.items()}
        for name in (self.manifest.get("drop") or {}).get("missing_tables") or []:
            out.setdefault(str(name), {})["present"] = False
        return out

    def table_present(self, table: str) -> bool:
        """Whether the run's drop held ``table``."""
        info = self.inputs.get(table)
        return bool(info) and info.get("present", True) is not False

    # ---------------------------------------------------------------- frames
    def _read(self, name: str) -> pl.DataFrame:
        if name not in self._cache:
            self._cache[name] = pl.read_parquet(self.path / f"{name}.parquet")
        return self._cache[name]

    @property
    def features(self) -> pl.DataFrame:
        """features.parquet: one row per household on T."""
        return self._read("features")

    @property
    def scores(self) -> pl.DataFrame:
        """scores.parquet: one row per (household, issue) in the cohort."""
        return self._read("scores")

    @property
    def shortlist(self) -> pl.DataFrame:
        """shortlist.parquet: one row per listed household."""
        return self._read("shortlist")

    def listed(self) -> pl.DataFrame:
        """household_id, district, issue: one row per (listed household, listed issue)."""
        sl = self.shortlist
        return (
            sl.select("household_id", "district", pl.col("issues").alias("issue"))
            .explode("issue")
            .drop_nulls("issue")
            .unique(["household_id", "issue"])
        )

    def reasons(self) -> pl.DataFrame:
        """item, label_ja, label_en: one row per reason listed on the shortlist."""
        sl = self.shortlist
        if "reasons" not in sl.columns or sl.height == 0:
            return pl.DataFrame(
                schema={"item": pl.String, "label_ja": pl.String, "label_en": pl.String}
            )
        r = sl.select(pl.col("reasons").explode()).drop_nulls().unnest("reasons")
        cols = [c for c in ("item", "label_ja", "label_en") if c in r.columns]
        r = r.select(cols)
        for c in ("label_ja", "label_en"):
            if c not in r.columns:
                r = r.with_columns(pl.col("item").alias(c))
        return r.select("item", "label_ja", "label_en")

    def rejects(self) -> dict[str, RejectSummary]:
        """Per table with a rejects file: counts per (column, rule)."""
        folder = self.path / "rejects"
        out: dict[str, RejectSummary] = {}
        if not folder.is_dir():
            return out
        for f in sorted(folder.glob("*.parquet")):
            out[f.stem] = RejectSummary(f.stem, summarise_rejects(pl.read_parquet(f)))
        return out


def summarise_rejects(rejects: pl.DataFrame) -> pl.DataFrame:
    """column, rule, rows, distinct: counts of a rejects frame (row_number, rule, column, raw…).

    ``distinct`` is the number of distinct raw values in the named column among the
    group's rows (null when the column is not in the frame).
    """
    schema = {"column": pl.String, "rule": pl.String, "rows": pl.Int64, "distinct": pl.Int64}
    if rejects.height == 0 or "rule" not in rejects.columns:
        return pl.DataFrame(schema=schema)
    if "column" not in rejects.columns:
        rejects = rejects.with_columns(pl.lit(None, pl.String).alias("column"))
    groups = (
        rejects.group_by("column", "rule")
        .agg(pl.len().cast(pl.Int64).alias("rows"))
        .sort("column", "rule", nulls_last=True)
    )
    distinct: list[int | None] = []
    for column, rule in groups.select("column", "rule").iter_rows():
        if column is not None and column in rejects.columns:
            sub = rejects.filter((pl.col("column") == column) & (pl.col("rule") == rule))
            distinct.append(int(sub[column].n_unique()))
        else:
            distinct.append(None)
    return groups.with_columns(pl.Series("distinct", distinct, dtype=pl.Int64)).select(list(schema))


def read_run(path: Path | str) -> RunFolder:
    """Open a scoring-run folder; RunFolderError (one line) when a required file is missing."""
    path = Path(path)
    if not path.is_dir():
        raise RunFolderError(f"run folder not found: {path}")
    missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
    if missing:
        raise RunFolderError(
            f"{path} is not a complete scoring run: missing {', '.join(missing)} "
            "(written by kizuki score)"
        )
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise RunFolderError(f"{path / 'manifest.json'} is not readable JSON: {exc}") from exc
    if "as_of" not in manifest:
        raise RunFolderError(f"{path / 'manifest.json'} has no as_of")
    return RunFolder(path=path, manifest=manifest)


def find_runs(paths: Iterable[Path | str]) -> list[RunFolder]:
    """Run folders named by ``paths``: each path is a run folder, or a folder whose
    sub-folders (one level) are runs. Sorted by as-of date, then path."""
    runs: list[RunFolder] = []
    for p in paths:
        p = Path(p)
        if (p / "manifest.json").is_file():
            runs.append(read_run(p))
            continue
        if not p.is_dir():
            raise RunFolderError(f"run folder not found: {p}")
        subs = sorted(d for d in p.iterdir() if (d / "manifest.json").is_file())
        if not subs:
            raise RunFolderError(f"{p} holds no scoring run (no manifest.json in it or below)")
        runs.extend(read_run(d) for d in subs)
    return sorted(runs, key=lambda r: (r.as_of, str(r.path)))
