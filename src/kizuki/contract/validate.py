"""Turn one raw table into canonical rows plus rejects, applying the contract's rules.

In: a raw frame whose headers are already mapped to contract names (any column
dtypes: strings from CSV, typed or string columns from parquet) and its
:class:`~kizuki.contract.schema.Table`. Out: :class:`TableResult` with the kept rows
in the canonical schema (``Table.schema``, incl. ``known_on``), the rejected rows
(raw values as text, the first ``rule`` broken and its ``column``), and the
violations found. Rows in = rows kept + rows rejected, always.

The rules come from the table's declaration alone: each column's kind, required flag,
minimum and default (an empty optional field takes it in the kept rows), then the table's :class:`~kizuki.contract.schema.Check` list (row checks
in order, ``no_overlap`` last); ``known_on`` from its
:class:`~kizuki.contract.schema.KnowledgeRule` (:mod:`kizuki.contract.knowledge`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from kizuki.contract import schema
from kizuki.contract.checks import broken, reject_overlaps
from kizuki.contract.knowledge import with_known_on
from kizuki.contract.parse import map_unique, parser_for
from kizuki.contract.report import Violation
from kizuki.errors import ContractError

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


def _typed_column(col: schema.Column, raw: pl.Series) -> tuple[pl.Series, pl.Series | None]:
    """Canonical values and failure rules for one column (rules null where fine).

    The rules are ``None`` when no value of the column failed (no all-null Series is built
    for the common case of a clean column).
    """
    dtype = col.dtype
    # fast paths for already-typed parquet columns
    if col.kind in ("date", "month") and raw.dtype in (pl.Date, pl.Datetime):
        values = raw.cast(pl.Date) if raw.dtype == pl.Datetime else raw
        if col.kind == "month":
            values = values.dt.truncate("1mo")
        return values.alias(col.name), None
    if col.kind in ("int", "fiscal_year") and raw.dtype.is_integer():
        return raw.cast(dtype).alias(col.name), None
    if col.kind == "float" and raw.dtype.is_numeric():
        return raw.cast(pl.Float64).alias(col.name), None
    if col.kind == "bool" and raw.dtype == pl.Boolean:
        return raw.alias(col.name), None
    text = _as_text(raw)
    if col.kind == "str":
        stripped = text.str.strip_chars()
        if (stripped != text).any():  # any value with white space around it
            text = stripped
        blank = text.str.len_bytes() == 0
        if blank.any():
            text = pl.select(pl.when(blank).then(None).otherwise(text)).to_series()
        return text.alias(col.name), None
    if col.kind == "int":
        # vectorised attempt first; only the leftovers go through the Python parser
        direct = text.str.strip_chars().cast(pl.Int64, strict=False)
        leftover = text.filter(direct.is_null() & text.is_not_null())
        if leftover.len() == 0 or leftover.str.strip_chars().eq("").all():
            return direct.alias(col.name), None
    if col.kind == "float":
        direct = text.str.strip_chars().cast(pl.Float64, strict=False)
        leftover = text.filter(direct.is_null() & text.is_not_null())
        if leftover.len() == 0 or leftover.str.strip_chars().eq("").all():
            return direct.alias(col.name), None
    if col.kind in ("date", "month"):
        direct = _canonical_dates(text, col.kind)
        leftover = text.is_not_null() & direct.is_null()
        if not leftover.any():
            return direct.alias(col.name), None
        # everything else (和暦, slashes, compact forms, blanks, errors) goes through the
        # parser, one call per distinct value
        rest = pl.select(pl.when(leftover).then(text)).to_series()
        values, rules = map_unique(rest, parser_for(col), dtype)
        merged = pl.select(pl.coalesce(direct, values)).to_series()
        if rules.null_count() == rules.len():
            return merged.alias(col.name), None
        return merged.alias(col.name), rules.alias(col.name)
    values, rules = map_unique(text, parser_for(col), dtype)
    if rules.null_count() == rules.len():
        return values.alias(col.name), None
    return values.alias(col.name), rules.alias(col.name)


def _canonical_dates(text: pl.Series, kind: str) -> pl.Series:
    """Dates of the values in canonical text form (``YYYY-MM-DD``; ``YYYY-MM`` for months),
    null elsewhere.

    Two passes: the bare text against the canonical format, which takes almost every value
    of a machine-written extract at once; then, for the values it missed only, the text
    stripped of surrounding white space (months: with ``-01`` appended, then truncated to
    the month). The second pass is what this fast path always accepted, and the first
    accepts a subset of it with the same dates (``tests/contract/test_validate.py``).
    """
    fmt = "%Y-%m" if kind == "month" else "%Y-%m-%d"
    direct = text.str.to_date(fmt, strict=False)
    missed = text.is_not_null() & direct.is_null()
    if not missed.any():
        return direct
    rest = text.filter(missed).str.strip_chars()
    padded = rest + "-01" if kind == "month" else rest
    second = padded.str.to_date("%Y-%m-%d", strict=False)
    if kind == "month":
        second = second.dt.truncate("1mo")
    filled = direct.scatter(missed.arg_true(), second)
    return filled


def validate_table(
    table: schema.Table, raw: pl.DataFrame, *, check_key: bool = True
) -> TableResult:
    """Validate and canonicalise one raw table (see module docstring).

    ``check_key=False`` leaves out the duplicate-key test: the caller validates a table
    in chunks and tests its key across all of them (:func:`duplicate_key_rows`).
    """
    n = raw.height
    violations: list[Violation] = []
    cols: dict[str, pl.Series] = {}
    rule_cols: list[pl.Series] = []  # only columns where some value broke a rule
    for col in table.columns:
        rules: pl.Series | None
        if col.name in raw.columns:
            values, rules = _typed_column(col, raw[col.name])
        else:
            values, rules = _nulls(col.name, n, col.dtype), None
        if col.required:
            missing = values.is_null() if rules is None else values.is_null() & rules.is_null()
            if missing.any():
                rules = pl.select(
                    pl.when(missing)
                    .then(pl.lit("required_value_missing"))
                    .otherwise(_or_nulls(rules, n))
                ).to_series()
        if col.minimum is not None and values.dtype.is_numeric():
            neg = values < col.minimum
            if neg.any():
                rules = _or_nulls(rules, n)
                rules = pl.select(
                    pl.when(neg & rules.is_null()).then(pl.lit("negative_value")).otherwise(rules)
                ).to_series()
        cols[col.name] = values
        if rules is not None:
            rule_cols.append(rules.alias(col.name))

    frame = pl.DataFrame(list(cols.values()))
    set_checks = [c for c in table.checks if not c.row_wise]
    if rule_cols or set_checks or _cross_rules_fire(table, frame):
        frame = frame.with_columns(_cross_rules(table, frame, rule_cols))
        frame = frame.with_row_index(_ROW)
        for check in set_checks:
            frame = reject_overlaps(check, frame, _RULE, _COL, _ROW)
    if _RULE not in frame.columns or frame[_RULE].null_count() == frame.height:
        # nothing rejected: no copy
        bad = frame.clear()
        kept = frame.drop(_RULE, _COL, _ROW, strict=False)
    else:
        bad = frame.filter(pl.col(_RULE).is_not_null())
        kept = frame.filter(pl.col(_RULE).is_null()).drop(_RULE, _COL, _ROW)
    defaults = [pl.col(c.name).fill_null(c.default) for c in table.columns if c.default is not None]
    if defaults:
        kept = kept.with_columns(defaults)
    kept = with_known_on(table, kept).select(list(table.schema))
    kept = kept.cast(dict(table.schema))

    if bad.height:
        for (column, rule), count in (
            bad.group_by(_COL, _RULE).len().sort(_COL, _RULE).rows_by_key([_COL, _RULE]).items()
        ):
            violations.append(Violation(table.name, column, rule, int(count[0][0]), "reject"))
    rejects = _rejects(raw, bad)
    dups = _duplicate_rows(kept, list(table.key)) if check_key else 0
    if dups:
        violations.append(
            Violation(table.name, ",".join(table.key), "duplicate_key", int(dups), "refuse")
        )
    if kept.height + rejects.height != n:
        raise ContractError(
            f"validation of table {table.name}: {n} rows read but {kept.height} kept and "
            f"{rejects.height} rejected (every row must be kept or rejected)"
        )
    return TableResult(kept=kept, rejects=rejects, rows_read=n, violations=violations)


def _or_nulls(rules: pl.Series | None, n: int) -> pl.Series:
    """``rules``, or a Series of ``n`` null rules when there are none."""
    return _nulls("rule", n, pl.String()) if rules is None else rules


def key_hashes(kept: pl.DataFrame, key: list[str]) -> pl.Series:
    """A 64-bit hash of each row's key (the same value for the same key, in every chunk)."""
    return kept.select(pl.struct(key).hash()).to_series()


def duplicate_key_rows(kept: pl.LazyFrame, key: list[str]) -> int:
    """Rows whose key is shared with another row, counted exactly on the key columns alone."""
    grouped = kept.select(key).group_by(key).len().filter(pl.col("len") > 1)
    return int(grouped.select(pl.col("len").sum()).collect().item() or 0)


def _duplicate_rows(kept: pl.DataFrame, key: list[str]) -> int:
    """Rows whose key is shared with another row (0 fast when a 64-bit hash is unique)."""
    if kept.height < 2:
        return 0
    # distinct hashes counted on the sorted hashes (runs, no hash set): at 32 million rows
    # half the time and a third of the memory of a hashed n_unique
    hashes = key_hashes(kept, key).sort()
    if hashes.n_unique() == kept.height:
        return 0
    return duplicate_key_rows(kept.lazy(), key)


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


def _cross_checks(table: schema.Table) -> list[tuple[str, str, pl.Expr]]:
    """The table's row-wise checks, in declaration order: (column, rule, broken-when)."""
    return [(c.column, c.rule, broken(c)) for c in table.checks if c.row_wise]


def _cross_rules_fire(table: schema.Table, frame: pl.DataFrame) -> bool:
    """True when some row breaks a rule across columns."""
    checks = _cross_checks(table)
    if not checks or frame.height == 0:
        return False
    fired = frame.select(pl.any_horizontal([e.fill_null(False) for _, _, e in checks]).any())
    return bool(fired.item())


def _cross_rules(
    table: schema.Table, frame: pl.DataFrame, rule_cols: list[pl.Series]
) -> list[pl.Series]:
    """First broken rule per row (column rules first, then rules across columns).

    ``rule_cols``: per column in contract order, the rule each row broke (only columns
    where some row broke one; a column without any cannot be a row's first rule).
    """
    if rule_cols:
        rules = pl.DataFrame(rule_cols)
        column_rule = pl.coalesce(
            *[pl.when(pl.col(c).is_not_null()).then(pl.lit(c)) for c in rules.columns],
            pl.lit(None, pl.String),
        )
        first = rules.select(
            pl.coalesce(*[pl.col(c) for c in rules.columns], pl.lit(None, pl.String)).alias(_RULE),
            column_rule.alias(_COL),
        )
    else:
        first = pl.DataFrame(
            [_nulls(_RULE, frame.height, pl.String()), _nulls(_COL, frame.height, pl.String())]
        )
    checks = _cross_checks(table)
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
