"""Reading scoring-run folders for monitor, audit and performance (the readers' one door).

:func:`read_run` checks the folder (:data:`~kizuki.runs.layout.REQUIRED_FILES`),
validates its manifest (:mod:`kizuki.runs.manifest`) and returns a :class:`RunFolder`
whose frames are read on first use. Only counts are taken from ``rejects/``: never a
rejected value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from kizuki.io.files import read_parquet
from kizuki.runs.layout import REQUIRED_FILES, RunLayout, is_temporary
from kizuki.runs.manifest import Manifest, NotARun, read_manifest

#: (table, column) -> code -> rows
CodeCounts = dict[tuple[str, str], dict[str, int]]


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
    """One scoring run as its readers see it: the folder, its validated manifest, and
    its frames (read lazily on first use)."""

    path: Path
    manifest: Manifest
    _cache: dict[str, pl.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def layout(self) -> RunLayout:
        """The paths inside the folder."""
        return RunLayout(self.path)

    # ---------------------------------------------------------------- manifest facts
    @property
    def run_id(self) -> str:
        """The run id."""
        return self.manifest.run_id

    @property
    def as_of(self) -> dt.date:
        """The run's as-of date."""
        return self.manifest.as_of

    @property
    def horizon_months(self) -> int:
        """The model's label horizon (months)."""
        return self.manifest.model.horizon_months

    @property
    def model_version(self) -> str:
        """The model version that scored the run."""
        return self.manifest.model.version

    @property
    def drop_path(self) -> Path | None:
        """The data drop the run read (manifest ``drop.path``), when recorded."""
        p = self.manifest.drop.path
        return Path(p) if p else None

    @property
    def inputs(self) -> dict[str, dict[str, Any]]:
        """Per contract table: what the manifest says about it (``present``, ``rows_read``,
        ``rows_rejected``, ...) as plain values; tables listed as missing are
        ``present: False``."""
        out = {name: t.model_dump(exclude={"codes"}) for name, t in self.manifest.inputs.items()}
        for name in self.manifest.drop.missing_tables:
            out.setdefault(name, {})["present"] = False
        return out

    def table_present(self, table: str) -> bool:
        """Whether the run's drop held ``table``."""
        info = self.inputs.get(table)
        return bool(info) and info.get("present", True) is not False

    def code_counts(self) -> CodeCounts | None:
        """(table, column) -> code -> rows of the input tables' code columns, as the run
        recorded them (see :mod:`kizuki.runs.codes`); None for a manifest without them
        (version 1)."""
        if self.manifest.codes_window_months is None:
            return None
        found: CodeCounts = {}
        for table, info in self.manifest.inputs.items():
            for column, counts in (info.codes or {}).items():
                found[(table, column)] = dict(counts)
        return found

    # ---------------------------------------------------------------- frames
    def _read(self, name: str, path: Path) -> pl.DataFrame:
        if name not in self._cache:
            self._cache[name] = read_parquet(path)
        return self._cache[name]

    @property
    def features(self) -> pl.DataFrame:
        """features.parquet: one row per household on T."""
        return self._read("features", self.layout.features)

    @property
    def scores(self) -> pl.DataFrame:
        """scores.parquet: one row per (household, issue) in the cohort."""
        return self._read("scores", self.layout.scores)

    @property
    def shortlist(self) -> pl.DataFrame:
        """shortlist.parquet: one row per listed household."""
        return self._read("shortlist", self.layout.shortlist)

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
        """item, label_ja, label_en: one row per reason listed on the shortlist (each item
        named by its own wording where any listed household meets it)."""
        sl = self.shortlist
        if "reasons" not in sl.columns or sl.height == 0:
            return pl.DataFrame(
                schema={"item": pl.String, "label_ja": pl.String, "label_en": pl.String}
            )
        r = sl.select(pl.col("reasons").explode()).drop_nulls().unnest("reasons")
        if "holds" in r.columns:
            # an item is named by its own wording (from a household that meets it), not by
            # the neutral form written for households that do not
            r = r.with_columns(
                pl.col(c)
                .sort_by(pl.col("holds").fill_null(False), descending=True)
                .first()
                .over("item")
                for c in ("label_ja", "label_en")
                if c in r.columns
            )
        cols = [c for c in ("item", "label_ja", "label_en") if c in r.columns]
        r = r.select(cols)
        for c in ("label_ja", "label_en"):
            if c not in r.columns:
                r = r.with_columns(pl.col("item").alias(c))
        return r.select("item", "label_ja", "label_en")

    def rejects(self) -> dict[str, RejectSummary]:
        """Per table with a rejects file: counts per (column, rule)."""
        folder = self.layout.rejects
        out: dict[str, RejectSummary] = {}
        if not folder.is_dir():
            return out
        for f in sorted(folder.glob("*.parquet")):
            out[f.stem] = RejectSummary(f.stem, summarise_rejects(read_parquet(f)))
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
    """Open a scoring-run folder.

    In: the folder. Out: a :class:`RunFolder` with its validated manifest. Raises
    :class:`~kizuki.runs.manifest.NotARun` (one line) when the folder does not exist, a
    required file is missing or the manifest is not a valid one of a known version.
    """
    path = Path(path)
    if not path.is_dir():
        raise NotARun(f"run folder not found: {path}")
    missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
    if missing:
        raise NotARun(
            f"{path} is not a complete scoring run: missing {', '.join(missing)} "
            "(written by kizuki score)"
        )
    return RunFolder(path=path, manifest=read_manifest(RunLayout(path).manifest))


def find_runs(paths: Iterable[Path | str]) -> list[RunFolder]:
    """Run folders named by ``paths``: each path is a run folder, or a folder whose
    sub-folders (one level, e.g. a history's ``runs/``) are runs, except the temporary
    siblings of a run being written (``<run>.kizuki-…``). Sorted by as-of date, then path."""
    runs: list[RunFolder] = []
    for p in paths:
        p = Path(p)
        if RunLayout(p).holds_run():
            runs.append(read_run(p))
            continue
        if not p.is_dir():
            raise NotARun(f"run folder not found: {p}")
        subs = sorted(d for d in p.iterdir() if not is_temporary(d) and RunLayout(d).holds_run())
        if not subs:
            raise NotARun(f"{p} holds no scoring run (no manifest.json in it or below)")
        runs.extend(read_run(d) for d in subs)
    return sorted(runs, key=lambda r: (r.as_of, str(r.path)))
