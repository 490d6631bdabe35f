"""Data quality between two runs: tables, rejects, missing shares, codes, district coverage.

Inputs are what the runs recorded: manifest ``inputs`` (rows, rejects and, for the
source tables' code columns, counts per code), ``rejects/`` counts and features.
Every check returns a frame for the report and the :class:`Alert` s it raised. Messages
name the table, column, feature, district or code and give counts; never a value
from a record (rejected raw values are only counted).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import cast

import polars as pl

from kizuki.alerts import Alert
from kizuki.contract.schema import TABLES
from kizuki.features.spec import Feature
from kizuki.monitor.config import QualityConfig
from kizuki.runs import RejectSummary, RunFolder

#: reject rules that mean "a code the contract does not know"
CODE_RULES = ("unknown_code", "level_not_valid_for_kind")
#: categorical feature columns compared as codes (besides any other string column)
KEYS = ("household_id", "as_of")


@dataclass
class QualityResult:
    """All data-quality tables and the alerts they raised (frames described per function)."""

    tables: pl.DataFrame
    rejects: pl.DataFrame
    missing: pl.DataFrame
    codes: pl.DataFrame
    coverage: pl.DataFrame
    alerts: list[Alert] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------ tables


def table_checks(
    reference: RunFolder, current: RunFolder, config: QualityConfig
) -> tuple[pl.DataFrame, list[Alert]]:
    """Per contract table: present, rows read, rows rejected and reject share in each run.

    Out: frame table, ref_present, cur_present, ref_rows, cur_rows, ref_rejected,
    cur_rejected, ref_reject_share, cur_reject_share; alerts ``table_missing``,
    ``row_drop``, ``reject_rise``.
    """
    ref_in, cur_in = reference.inputs, current.inputs
    names = [t for t in TABLES if t in ref_in or t in cur_in]
    names += sorted((set(ref_in) | set(cur_in)) - set(names))
    rows, alerts = [], []
    for t in names:
        rp, cp = reference.table_present(t), current.table_present(t)
        r, c = ref_in.get(t, {}), cur_in.get(t, {})
        rr, cr = r.get("rows_read") if rp else None, c.get("rows_read") if cp else None
        rj, cj = r.get("rows_rejected") if rp else None, c.get("rows_rejected") if cp else None
        rs = rj / rr if rr and rj is not None else (0.0 if rp and rr == 0 else None)
        cs = cj / cr if cr and cj is not None else (0.0 if cp and cr == 0 else None)
        rows.append(
            {
                "table": t,
                "ref_present": rp,
                "cur_present": cp,
                "ref_rows": rr,
                "cur_rows": cr,
                "ref_rejected": rj,
                "cur_rejected": cj,
                "ref_reject_share": rs,
                "cur_reject_share": cs,
            }
        )
        if rp and not cp:
            alerts.append(
                Alert("table_missing", t, {"table": t})
            )
            continue
        if rp and cp and rr and cr is not None and cr < (1 - config.row_drop) * rr:
            alerts.append(
                Alert(
                    "row_drop",
                    t,
                    {"table": t, "ref_rows": rr, "cur_rows": cr, "row_drop": config.row_drop},
                )
            )
        if rs is not None and cs is not None and cs - rs > config.reject_share_increase:
            alerts.append(
                Alert(
                    "reject_rise",
                    t,
                    {"table": t, "ref_share": rs, "cur_share": cs, "rows": cj},
                )
            )
    schema = {
        "table": pl.String,
        "ref_present": pl.Boolean,
        "cur_present": pl.Boolean,
        "ref_rows": pl.Int64,
        "cur_rows": pl.Int64,
        "ref_rejected": pl.Int64,
        "cur_rejected": pl.Int64,
        "ref_reject_share": pl.Float64,
        "cur_reject_share": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema), alerts


def reject_checks(
    reference: Mapping[str, RejectSummary], current: Mapping[str, RejectSummary]
) -> tuple[pl.DataFrame, list[Alert]]:
    """Rejected rows per (table, column, rule) in both runs.

    Out: frame table, column, rule, ref_rows, cur_rows, cur_distinct; alerts:
    ``code_appeared`` when rows with codes the contract does not know appear (rules
    :data:`CODE_RULES`) and ``reject_rule_new`` for any other rule that rejected nothing
    in the reference. Only counts (rows, number of distinct rejected values) are used.
    """
    schema = {
        "table": pl.String,
        "column": pl.String,
        "rule": pl.String,
        "ref_rows": pl.Int64,
        "cur_rows": pl.Int64,
        "cur_distinct": pl.Int64,
    }

    def stack(m: Mapping[str, RejectSummary]) -> pl.DataFrame:
        parts = [
            s.frame.with_columns(pl.lit(t).alias("table")) for t, s in m.items() if s.frame.height
        ]
        if not parts:
            return pl.DataFrame(
                schema={
                    "table": pl.String,
                    "column": pl.String,
                    "rule": pl.String,
                    "rows": pl.Int64,
                    "distinct": pl.Int64,
                }
            )
        return pl.concat(parts).select("table", "column", "rule", "rows", "distinct")

    ref, cur = stack(reference), stack(current)
    keys = ["table", "column", "rule"]
    joined = (
        ref.select(*keys, pl.col("rows").alias("ref_rows"))
        .join(
            cur.select(
                *keys, pl.col("rows").alias("cur_rows"), pl.col("distinct").alias("cur_distinct")
            ),
            on=keys,
            how="full",
            coalesce=True,
            nulls_equal=True,
        )
        .with_columns(pl.col("ref_rows", "cur_rows").fill_null(0))
        .sort(keys, nulls_last=True)
        .select(list(schema))
        .cast(schema)
    )
    alerts = []
    for r in joined.filter((pl.col("cur_rows") > 0) & (pl.col("ref_rows") == 0)).iter_rows(
        named=True
    ):
        where = f"{r['table']}.{r['column']}" if r["column"] else r["table"]
        params = {"where": where, "rows": r["cur_rows"], "rule": r["rule"]}
        if r["rule"] in CODE_RULES:
            alerts.append(
                Alert(
                    "code_appeared",
                    where,
                    {**params, "distinct": r["cur_distinct"]},
                    text="code_unknown",
                )
            )
        else:
            alerts.append(
                Alert("reject_rule_new", f"{where}:{r['rule']}", params)
            )
    return joined, alerts


# ------------------------------------------------------------------------ features


def _missing_expr(name: str, dtype: pl.DataType) -> pl.Expr:
    miss = pl.col(name).is_null()
    if dtype in (pl.Float32, pl.Float64):
        miss = miss | pl.col(name).is_nan().fill_null(False)
    return miss.mean().alias(name)


def missing_shares(frame: pl.DataFrame, names: Iterable[str]) -> dict[str, float]:
    """Share of missing values (null or NaN) per column of ``frame``."""
    names = [n for n in names if n in frame.columns]
    if not names or frame.height == 0:
        return {n: 1.0 for n in names}
    row = frame.select([_missing_expr(n, frame.schema[n]) for n in names]).row(0, named=True)
    return {k: float(v) for k, v in row.items()}


def missing_checks(
    reference: pl.DataFrame,
    current: pl.DataFrame,
    config: QualityConfig,
    sources: Mapping[str, tuple[str, ...]],
    missing_tables: Iterable[str],
) -> tuple[pl.DataFrame, list[Alert]]:
    """Missing share of every feature in both runs.

    Out: frame feature, ref_missing, cur_missing, explained_by (a table missing in the
    current run that the feature reads, else null); alerts ``missing_share`` when the
    share rose by more than the configured amount and no missing table explains it.
    """
    names = [c for c in reference.columns if c not in KEYS]
    names += [c for c in current.columns if c not in KEYS and c not in names]
    ref_m, cur_m = missing_shares(reference, names), missing_shares(current, names)
    gone = set(missing_tables)
    rows, alerts = [], []
    for n in names:
        r, c = ref_m.get(n, 1.0), cur_m.get(n, 1.0)
        explained = next((t for t in sources.get(n, ()) if t in gone), None)
        rows.append({"feature": n, "ref_missing": r, "cur_missing": c, "explained_by": explained})
        if c - r > config.missing_share_increase and explained is None:
            alerts.append(
                Alert("missing_share", n, {"feature": n, "ref_share": r, "cur_share": c})
            )
    schema = {
        "feature": pl.String,
        "ref_missing": pl.Float64,
        "cur_missing": pl.Float64,
        "explained_by": pl.String,
    }
    return pl.DataFrame(rows, schema=schema), alerts


def _category_counts(frame: pl.DataFrame, name: str) -> dict[str, int]:
    if name not in frame.columns:
        return {}
    vc = frame.select(pl.col(name).cast(pl.String).drop_nulls().value_counts()).unnest(name)
    return {str(v): int(n) for v, n in vc.iter_rows()}


def category_columns(frame: pl.DataFrame) -> list[str]:
    """String-like feature columns (codes such as district, hh_type, nationality)."""
    return [
        c
        for c, t in frame.schema.items()
        if c not in KEYS and (t in (pl.String, pl.Categorical) or isinstance(t, pl.Enum))
    ]


def code_rows(
    source: str,
    ref_counts: Mapping[tuple[str, str], Mapping[str, int]],
    cur_counts: Mapping[tuple[str, str], Mapping[str, int]],
    min_count: int,
    present: Iterable[tuple[str, str]] | None = None,
    appeared_min_count: int = 1,
) -> tuple[list[dict[str, object]], list[Alert]]:
    """Compare code counts per (table or "features", column): codes that appear or vanish.

    A code *appears* when the reference had none and the current run has some; it is an
    alert when the current run has at least ``appeared_min_count`` of it, else a note
    (one resident with a valid code new to a village is not a fault; :func:`code_notes`
    words it). It *vanishes* when the reference had at least ``min_count`` and the
    current run none (a rarer code missing by chance is not marked). ``present``: the
    (table, column) pairs that exist in the current run (a missing table is reported by
    ``table_missing``, not as vanished codes). Counts are rows of a drop table, or
    households for a feature column.

    Out: one row per (table, column, code) of :data:`CODES_SCHEMA` (``alert``: whether
    the change raised an alert), and the alerts.
    """
    rows: list[dict[str, object]] = []
    alerts: list[Alert] = []
    keys = sorted(set(ref_counts) | set(cur_counts))
    allowed = set(present) if present is not None else None
    for key in keys:
        table, column = key
        if allowed is not None and key not in allowed:
            continue
        r, c = ref_counts.get(key, {}), cur_counts.get(key, {})
        for code in sorted(set(r) | set(c)):
            rn, cn = int(r.get(code, 0)), int(c.get(code, 0))
            status = None
            if rn == 0 and cn > 0:
                status = "appeared"
            elif rn >= min_count and cn == 0:
                status = "vanished"
            alert = status == "vanished" or (status == "appeared" and cn >= appeared_min_count)
            rows.append(
                {
                    "source": source,
                    "table": table,
                    "column": column,
                    "code": code,
                    "ref_count": rn,
                    "cur_count": cn,
                    "status": status,
                    "alert": alert if status is not None else None,
                }
            )
            if not alert:
                continue
            where = f"{table}.{column}" if source == "drop" else column
            subject = f"{where}={code}"
            if status == "appeared":
                alerts.append(
                    Alert(
                        "code_appeared", subject, {"where": where, "code": code, "cur_count": cn}
                    )
                )
            else:
                alerts.append(
                    Alert(
                        "code_vanished", subject, {"where": where, "code": code, "ref_count": rn}
                    )
                )
    return rows, alerts


def code_notes(rows: Iterable[Mapping[str, object]], appeared_min_count: int) -> list[str]:
    """One line per code that appeared too rarely for an alert (rows of :func:`code_rows`).

    Names the column, the code and the count, and the setting that made it a note."""
    out = []
    for r in rows:
        if r["status"] != "appeared" or r["alert"]:
            continue
        drop = r["source"] == "drop"
        where = f"{r['table']}.{r['column']}" if drop else f"features.{r['column']}"
        unit = "row" if drop else "household"
        n = cast(int, r["cur_count"])
        out.append(
            f"note: {where}: code {r['code']} appeared in {n} {unit}{'s' if n != 1 else ''} "
            f"(none in the reference), fewer than quality.code_appeared_min_count = "
            f"{appeared_min_count}: a note, not an alert"
        )
    return out


CODES_SCHEMA = {
    "source": pl.String,  # features | drop
    "table": pl.String,
    "column": pl.String,
    "code": pl.String,
    "ref_count": pl.Int64,
    "cur_count": pl.Int64,
    "status": pl.String,  # appeared | vanished | null
    "alert": pl.Boolean,  # the change raised an alert (false: a note); null without a change
}


def category_checks(
    reference: pl.DataFrame, current: pl.DataFrame, config: QualityConfig
) -> tuple[list[dict[str, object]], list[Alert]]:
    """Codes of the features' string columns (district, hh_type, ...), households per code
    (:func:`code_rows` under the configured minimums)."""
    cols = sorted(set(category_columns(reference)) | set(category_columns(current)))
    ref = {("features", c): _category_counts(reference, c) for c in cols}
    cur = {("features", c): _category_counts(current, c) for c in cols}
    return code_rows(
        "features", ref, cur, config.code_min_count,
        appeared_min_count=config.code_appeared_min_count,
    )


def coverage_features(registry: Iterable[Feature]) -> dict[str, list[str]]:
    """Per source table: the features that read only that table and are null for a
    household without its rows (their declared null policy keeps nulls)."""
    out: dict[str, list[str]] = {}
    for f in registry:
        if len(f.tables) == 1 and f.null_policy.null_without_rows:
            out.setdefault(f.tables[0], []).append(f.name)
    return out


def coverage_checks(
    reference: pl.DataFrame,
    current: pl.DataFrame,
    covered: Mapping[str, list[str]],
    config: QualityConfig,
    missing_tables: Iterable[str],
) -> tuple[pl.DataFrame, list[Alert]]:
    """Households with a source table's data, per district, in both runs.

    A household "has rows" of table T when any feature of T in ``covered[T]`` is not
    missing. Out: frame table, district, ref_households, ref_with_rows, cur_households,
    cur_with_rows; alerts ``district_no_rows`` when a district had at least
    ``district_min_households`` households with rows in the reference and none now
    (skipped when the whole table is missing: ``table_missing`` says it).
    """
    schema = {
        "table": pl.String,
        "district": pl.String,
        "ref_households": pl.Int64,
        "ref_with_rows": pl.Int64,
        "cur_households": pl.Int64,
        "cur_with_rows": pl.Int64,
    }
    if "district" not in reference.columns or "district" not in current.columns:
        return pl.DataFrame(schema=schema), []

    def per_district(frame: pl.DataFrame, table: str, feats: list[str]) -> pl.DataFrame:
        cols = [f for f in feats if f in frame.columns]
        has = (
            pl.any_horizontal([~_missing_expr_row(f, frame.schema[f]) for f in cols])
            if cols
            else pl.lit(False)
        )
        return frame.group_by(pl.col("district").cast(pl.String)).agg(
            pl.len().cast(pl.Int64).alias("households"), has.sum().cast(pl.Int64).alias("with_rows")
        )

    parts, alerts = [], []
    gone = set(missing_tables)
    for table, feats in sorted(covered.items()):
        r = per_district(reference, table, feats).rename(
            {"households": "ref_households", "with_rows": "ref_with_rows"}
        )
        c = per_district(current, table, feats).rename(
            {"households": "cur_households", "with_rows": "cur_with_rows"}
        )
        j = (
            r.join(c, on="district", how="full", coalesce=True)
            .with_columns(pl.lit(table).alias("table"))
            .with_columns(pl.col(list(schema)[2:]).fill_null(0))
            .select(list(schema))
            .sort("district")
        )
        parts.append(j)
        if table in gone:
            continue
        hit = j.filter(
            (pl.col("ref_with_rows") >= config.district_min_households)
            & (pl.col("cur_with_rows") == 0)
            & (pl.col("cur_households") > 0)
        )
        for row in hit.iter_rows(named=True):
            d = row["district"]
            alerts.append(
                Alert(
                    "district_no_rows",
                    f"{table}@{d}",
                    {
                        "district": d,
                        "table": table,
                        "ref_with_rows": row["ref_with_rows"],
                        "ref_households": row["ref_households"],
                    },
                )
            )
    frame = pl.concat(parts) if parts else pl.DataFrame(schema=schema)
    return frame, alerts


def _missing_expr_row(name: str, dtype: pl.DataType) -> pl.Expr:
    miss = pl.col(name).is_null()
    if dtype in (pl.Float32, pl.Float64):
        miss = miss | pl.col(name).is_nan().fill_null(False)
    return miss
