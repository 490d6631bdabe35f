"""Turn one raw table into canonical rows plus rejects, applying the contract's rules.

In: a raw frame whose headers are already mapped to contract names (any column
dtypes: strings from CSV, typed or string columns from parquet) and its
:class:`~kizuki.contract.schema.Table`. Out: :class:`TableResult` with the kept rows
in the canonical schema (``Table.schema``, incl. ``known_on``), the rejected rows
(raw values as text, the first ``rule`` broken and its ``column``), and the
violations found. Rows in = rows kept + rows rejected, always.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from kizuki.contract import schema
from kizuki.contract.parse import map_unique, parser_for
from kizuki.contract.report import Violation

_RULE = "__rule"
_COL = "__column"
_ROW = "__row"


@dataclass
class TableResult:
    """Outcome of validating one table (see module docstring)."""

    kept: pl.DataFrame
    rejects: pl.DataFrame
    rows_read: int
    violations: list[Violation] = field(default_factory=list)


def _nulls(name: str, n: int, dtype: pl.DataType) -> pl.Series:
    """A Series of ``n`` nulls (built natively, not from a Python list)."""
    return pl.repeat(None, n, dtype=dtype, eager=True).alias(name)


def _as_text(s: pl.Series) -> pl.Series:
    if s.dtype == pl.String:
        return s
    if s.dtype == pl.Null:
        return s.cast(pl.String)
    return s.cast(pl.String, strict=False)


def _typed_column(col: schema.Column, raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Canonical values and failure rules for one column (rules null where fine)."""
    dtype = col.dtype
    n = raw.len()
    none_rules = _nulls(col.name, n, pl.String())
    # fast paths for already-typed parquet columns
    if col.kind in ("date", "month") and raw.dtype in (pl.Date, pl.Datetime):
        values = raw.cast(pl.Date) if raw.dtype == pl.Datetime else raw
        if col.kind == "month":
            values = values.dt.truncate("1mo")
        return values.alias(col.name), none_rules
    if col.kind in ("int", "fiscal_year") and raw.dtype.is_integer():
        return raw.cast(dtype).alias(col.name), none_rules
    if col.kind == "float" and raw.dtype.is_numeric():
        return raw.cast(pl.Float64).alias(col.name), none_rules
    if col.kind == "bool" and raw.dtype == pl.Boolean:
        return raw.alias(col.name), none_rules
    text = _as_text(raw)
    if col.kind == "str":
        if text.str.contains(r"^\s|\s$").any():
            text = text.str.strip_chars()
        blank = text.str.len_bytes() == 0
        if blank.any():
            text = pl.select(pl.when(blank).then(None).otherwise(text)).to_series()
        return text.alias(col.name), none_rules
    if col.kind == "int":
        # vectorised attempt first; only the leftovers go through the Python parser
        direct = text.str.strip_chars().cast(pl.Int64, strict=False)
        leftover = text.filter(direct.is_null() & text.is_not_null())
        if leftover.len() == 0 or leftover.str.strip_chars().eq("").all():
            return direct.alias(col.name), none_rules
    if col.kind == "float":
        direct = text.str.strip_chars().cast(pl.Float64, strict=False)
        leftover = text.filter(direct.is_null() & text.is_not_null())
        if leftover.len() == 0 or leftover.str.strip_chars().eq("").all():
            return direct.alias(col.name), none_rules
    if col.kind in ("date", "month"):
        # fast path for the canonical text forms (YYYY-MM-DD, YYYY-MM); everything else
        # (和暦, slashes, compact forms, errors) goes through the parser, value by value
        stripped = text.str.strip_chars()
        padded = stripped + "-01" if col.kind == "month" else stripped
        direct = padded.str.to_date("%Y-%m-%d", strict=False)
        if col.kind == "month":
            direct = direct.dt.truncate("1mo")
        leftover = stripped.is_not_null() & (stripped.str.len_bytes() > 0) & direct.is_null()
        if not leftover.any():
            return direct.alias(col.name), none_rules
        rest = pl.select(pl.when(leftover).then(text)).to_series()
        values, rules = map_unique(rest, parser_for(col), dtype)
        merged = pl.select(pl.coalesce(direct, values)).to_series()
        return merged.alias(col.name), rules.alias(col.name)
    values, rules = map_unique(text, parser_for(col), dtype)
    return values.alias(col.name), rules.alias(col.name)


def validate_table(table: schema.Table, raw: pl.DataFrame) -> TableResult:
    """Validate and canonicalise one raw table (see module docstring)."""
    n = raw.height
    violations: list[Violation] = []
    cols: dict[str, pl.Series] = {}
    rule_cols: list[pl.Series] = []
    for col in table.columns:
        if col.name in raw.columns:
            values, rules = _typed_column(col, raw[col.name])
        else:
            values = _nulls(col.name, n, col.dtype)
            rules = _nulls(col.name, n, pl.String())
        if col.required:
            missing = values.is_null() & rules.is_null()
            rules = pl.select(
                pl.when(missing).then(pl.lit("required_value_missing")).otherwise(rules)
            ).to_series()
        if col.minimum is not None and values.dtype.is_numeric():
            neg = values < col.minimum
            rules = pl.select(
                pl.when(neg & rules.is_null()).then(pl.lit("negative_value")).otherwise(rules)
            ).to_series()
        cols[col.name] = values
        rule_cols.append(rules.alias(col.name))

    frame = pl.DataFrame(list(cols.values()))
    rules_frame = pl.DataFrame(rule_cols)
    frame = frame.with_columns(_cross_rules(table, frame, rules_frame))
    frame = frame.with_row_index(_ROW)
    if table.name == "residents":
        frame = _reject_overlaps(frame)

    if frame[_RULE].null_count() == frame.height:  # nothing rejected: no copy
        bad = frame.clear()
        kept = frame.drop(_RULE, _COL, _ROW)
    else:
        bad = frame.filter(pl.col(_RULE).is_not_null())
        kept = frame.filter(pl.col(_RULE).is_null()).drop(_RULE, _COL, _ROW)
    kept = kept.with_columns(known_on=_knowledge_date(table.name)).select(list(table.schema))
    kept = kept.cast(dict(table.schema))

    if bad.height:
        for (column, rule), count in (
            bad.group_by(_COL, _RULE).len().sort(_COL, _RULE).rows_by_key([_COL, _RULE]).items()
        ):
            violations.append(Violation(table.name, column, rule, int(count[0][0]), "reject"))
    rejects = _rejects(raw, bad)
    dups = _duplicate_rows(kept, list(table.key))
    if dups:
        violations.append(
            Violation(table.name, ",".join(table.key), "duplicate_key", int(dups), "refuse")
        )
    assert kept.height + rejects.height == n, "rows in must equal rows kept + rows rejected"
    return TableResult(kept=kept, rejects=rejects, rows_read=n, violations=violations)


def _duplicate_rows(kept: pl.DataFrame, key: list[str]) -> int:
    """Rows whose key is shared with another row (0 fast when a 64-bit hash is unique)."""
    if kept.height < 2:
        return 0
    if kept.select(pl.struct(key).hash().n_unique()).item() == kept.height:
        return 0
    grouped = kept.lazy().group_by(key).len().filter(pl.col("len") > 1)
    return int(grouped.select(pl.col("len").sum()).collect().item() or 0)


def _rejects(raw: pl.DataFrame, bad: pl.DataFrame) -> pl.DataFrame:
    """Rejected rows as raw text with their rule and column (row_number is 1-based)."""
    head = ["row_number", "rule", "column"]
    if bad.height == 0:
        return pl.DataFrame(
            schema={
                "row_number": pl.UInt32,
                "rule": pl.String,
                "column": pl.String,
                **{c: pl.String for c in raw.columns if c not in head},
            }
        )
    rows = bad[_ROW]
    picked = raw.with_row_index(_ROW).filter(pl.col(_ROW).is_in(rows.implode()))
    raw_text = picked.select(
        pl.col(_ROW),
        *[pl.col(c).cast(pl.String, strict=False) for c in raw.columns if c not in head],
    )
    return (
        bad.select(_ROW, pl.col(_RULE).alias("rule"), pl.col(_COL).alias("column"))
        .join(raw_text, on=_ROW, how="left")
        .sort(_ROW)
        .rename({_ROW: "row_number"})
        .with_columns(pl.col("row_number") + 1)
    )


def _cross_rules(table: schema.Table, frame: pl.DataFrame, rules: pl.DataFrame) -> list[pl.Series]:
    """First broken rule per row (column rules first, then rules across columns)."""
    column_rule = pl.coalesce(
        *[pl.when(pl.col(c).is_not_null()).then(pl.lit(c)) for c in rules.columns],
        pl.lit(None, pl.String),
    )
    first = rules.select(
        pl.coalesce(*[pl.col(c) for c in rules.columns], pl.lit(None, pl.String)).alias(_RULE),
        column_rule.alias(_COL),
    )
    checks: list[tuple[str, str, pl.Expr]] = []
    if table.name in ("residents", "care"):
        checks.append(("valid_to", "end_before_start", pl.col("valid_to") < pl.col("valid_from")))
    if table.name == "care":
        ok = pl.lit(False)
        for kind, levels in schema.LEVELS_BY_KIND.items():
            ok = ok | (
                (pl.col("kind") == kind) & pl.col("level").cast(pl.String).is_in(list(levels))
            )
        checks.append(("level", "level_not_valid_for_kind", pl.col("level").is_not_null() & ~ok))
    if table.name == "school":
        checks.append(
            (
                "absent_days",
                "absent_over_school_days",
                pl.col("absent_days") > pl.col("school_days"),
            )
        )
        checks.append(
            ("late_days", "late_over_school_days", pl.col("late_days") > pl.col("school_days"))
        )
    if table.name == "utility":
        checks.append(
            ("period_months", "invalid_period_months", ~pl.col("period_months").is_in([1, 2]))
        )
    if not checks:
        return [first[_RULE], first[_COL]]
    cross = frame.select(
        pl.coalesce(
            *[pl.when(e.fill_null(False)).then(pl.lit(r)) for _, r, e in checks],
            pl.lit(None, pl.String),
        ).alias("r"),
        pl.coalesce(
            *[pl.when(e.fill_null(False)).then(pl.lit(c)) for c, _, e in checks],
            pl.lit(None, pl.String),
        ).alias("c"),
    )
    return [
        first[_RULE].fill_null(cross["r"]).alias(_RULE),
        first[_COL].fill_null(cross["c"]).alias(_COL),
    ]


def _reject_overlaps(frame: pl.DataFrame) -> pl.DataFrame:
    """Reject a residence period that starts before the same person's previous one ended.

    Among rows not already rejected, sorted by (person_id, valid_from, row): a row whose
    valid_from is before the running maximum end of the person's earlier rows (an open
    end counts as infinity) is rejected with ``period_overlap``.
    """
    far = pl.date(9999, 12, 31)
    ok = frame.filter(pl.col(_RULE).is_null()).select("person_id", "valid_from", "valid_to", _ROW)
    # only people with more than one period can overlap: check those alone
    ok = ok.filter(pl.col("person_id").is_duplicated()).sort("person_id", "valid_from", _ROW)
    ok = ok.with_columns(
        prev_end=pl.col("valid_to").fill_null(far).cum_max().shift(1).over("person_id")
    )
    # exact key duplicates are a refusal (duplicate_key), not an overlap
    dup = pl.struct("person_id", "valid_from").is_duplicated()
    overlapping = ok.filter((pl.col("valid_from") < pl.col("prev_end")) & ~dup)[_ROW]
    if overlapping.len() == 0:
        return frame
    hit = pl.col(_ROW).is_in(overlapping.implode())
    return frame.with_columns(
        pl.when(hit).then(pl.lit("period_overlap")).otherwise(pl.col(_RULE)).alias(_RULE),
        pl.when(hit).then(pl.lit("valid_from")).otherwise(pl.col(_COL)).alias(_COL),
    )


def _month_end(col: str, plus_months: int) -> pl.Expr:
    """Last day of the month ``plus_months`` after the month of ``col``."""
    return pl.col(col).dt.offset_by(f"{plus_months}mo").dt.month_end()


def _knowledge_date(table: str) -> pl.Expr:
    """The ``known_on`` expression for a table (schema.KNOWLEDGE_RULE)."""
    if table in ("residents", "care"):
        return pl.col("valid_from")
    if table == "outcomes":
        return pl.col("opened_on")
    if table == "tax":
        default = pl.date(pl.col("fiscal_year"), 6, 1)
        return pl.coalesce(pl.col("recorded_on"), default)
    if table == "care_usage":
        return pl.coalesce(pl.col("recorded_on"), _month_end("month", 2))
    if table == "school":
        return pl.coalesce(pl.col("recorded_on"), _month_end("month", 0))
    if table == "utility":
        two = pl.col("period_months").fill_null(1) == 2
        end = pl.when(two).then(_month_end("month", 1)).otherwise(_month_end("month", 0))
        return pl.coalesce(pl.col("recorded_on"), end)
    raise KeyError(table)
