"""The shortlist as a flat table of text cells (for CSV and Excel)."""

from __future__ import annotations

import polars as pl

from kizuki.contract.schema import ISSUE_NAMES_EN, ISSUE_NAMES_JA
from kizuki.explain.text import Lang

#: separator between reasons in one cell
REASON_SEPARATOR = " / "


def _issue_names(col: str, lang: Lang) -> pl.Expr:
    names = ISSUE_NAMES_JA if lang == "ja" else ISSUE_NAMES_EN
    sep = "、" if lang == "ja" else ", "
    return pl.col(col).list.eval(pl.element().replace(names)).list.join(sep)


def reasons_text(lang: Lang, sep: str = REASON_SEPARATOR) -> pl.Expr:
    """The ``reasons`` list of structs as one cell of texts in ``lang``."""
    return pl.col("reasons").list.eval(pl.element().struct.field(f"text_{lang}")).list.join(sep)


def csv_table(shortlist: pl.DataFrame, lang: Lang) -> pl.DataFrame:
    """Flat shortlist for ``shortlist.csv``: contract column names, codes, text reasons.

    In: shortlist.parquet's frame. Out: household_id, district, priority, issues
    (codes joined by ';'), score, reasons (texts in ``lang`` joined by ' / '),
    known_case, compound, known_issues (codes joined by ';'); sorted by district,
    priority.
    """
    return shortlist.sort("district", "priority").select(
        "household_id",
        "district",
        "priority",
        pl.col("issues").list.join(";"),
        "score",
        reasons_text(lang).alias("reasons"),
        "known_case",
        "compound",
        pl.col("known_issues").list.join(";"),
    )


def print_table(shortlist: pl.DataFrame, lang: Lang) -> pl.DataFrame:
    """Shortlist for people (Excel): issue names, reasons one per line.

    Out columns (internal names; headers come from the word catalogue, ``pages/words/xlsx.yaml``): district,
    priority, household_id, issues, compound, score, reasons, known_issues.
    """
    return shortlist.sort("district", "priority").select(
        "district",
        "priority",
        "household_id",
        _issue_names("issues", lang).alias("issues"),
        "compound",
        "score",
        reasons_text(lang, "\n").alias("reasons"),
        _issue_names("known_issues", lang).alias("known_issues"),
    )
