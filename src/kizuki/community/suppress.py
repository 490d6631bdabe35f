"""Small-cell suppression of the community table, by the audit's rules (configs/audit.yaml
``min_cell``; kizuki.audit.suppress) applied to plain counts.

1. **Own count**: a cell (district × issue) whose cohort holds fewer than ``min_cell``
   households shows nothing (not even its expected count); a count under ``min_cell``
   (zero included) is not shown.
2. **Across districts**: the municipality's total of a count is published, so a hidden
   district count could be worked out by subtraction. For every (run, issue, count) the
   hidden district counts must hold at least ``min_cell`` together (or be none); else the
   smallest shown district count is hidden too, until they do.

The page never shows a cohort size (households − known cases), so no count is the
difference of two shown ones within a cell.
"""

from __future__ import annotations

import polars as pl

#: the counts of people the page may show, each with its ``<count>_shown`` flag
COUNTS = ("households", "known", "signs", "realised", "truth_need", "truth_unknown")


def _protect(values: list[int | None], shown: list[bool], min_cell: int) -> list[bool]:
    """Rule 2 for one margin (the districts of one run, issue and count)."""
    shown = list(shown)
    while True:
        hidden = [v or 0 for v, s in zip(values, shown, strict=True) if not s and v is not None]
        visible = [k for k, s in enumerate(shown) if s]
        if not hidden or not visible or sum(hidden) >= min_cell:
            return shown
        victim = min(visible, key=lambda k: values[k] or 0)
        shown[victim] = False


def suppress(table: pl.DataFrame, min_cell: int) -> pl.DataFrame:
    """``table`` (kizuki.community.table.COLUMNS) with ``cell_shown`` and one
    ``<count>_shown`` flag per count of :data:`COUNTS` (rules 1–2 above)."""
    t = table.with_columns(
        cell_shown=pl.col("cohort") >= min_cell,
        **{
            f"{c}_shown": pl.col(c).is_not_null()
            & (pl.col(c) >= min_cell)
            & ((pl.col("cohort") >= min_cell) | pl.col("district").is_null())
            for c in COUNTS
        },
    ).with_row_index("_row")
    flags = {f"{c}_shown": t[f"{c}_shown"].to_list() for c in COUNTS}
    districts = t.filter(pl.col("district").is_not_null())
    for _, part in districts.group_by("as_of", "run", "issue"):
        rows = part["_row"].to_list()
        for c in COUNTS:
            got = _protect(part[c].to_list(), [flags[f"{c}_shown"][r] for r in rows], min_cell)
            for r, s in zip(rows, got, strict=True):
                flags[f"{c}_shown"][r] = s
    return t.drop("_row").with_columns(pl.Series(k, v, dtype=pl.Boolean) for k, v in flags.items())
