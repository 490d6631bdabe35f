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

    Out columns (internal names; headers come from :data:`PRINT_HEADERS`): district,
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


PRINT_HEADERS: dict[Lang, dict[str, str]] = {
    "ja": {
        "district": "地区",
        "priority": "優先順位",
        "household_id": "世帯ID",
        "issues": "課題",
        "compound": "複合課題",
        "score": "確率（最高）",
        "band": "目安",
        "reasons": "主な理由（気づきのポイント）",
        "known_issues": "既に支援中の課題",
    },
    "en": {
        "district": "District",
        "priority": "Priority",
        "household_id": "Household ID",
        "issues": "Issues",
        "compound": "Compound",
        "score": "Probability (highest)",
        "band": "Band",
        "reasons": "Main reasons (kizuki checklist items)",
        "known_issues": "Already in support for",
    },
}
