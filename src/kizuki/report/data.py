"""What the report writers read: the shortlist, its reasons, and facts about the run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import polars as pl

from kizuki.explain.text import Lang
from kizuki.report.config import ReportConfig

#: the ``reasons`` struct of shortlist.parquet (one per reason, strongest first)
REASON_STRUCT = pl.Struct(
    {
        "rank": pl.Int64,
        "item": pl.String,
        "group_ja": pl.String,
        "group_en": pl.String,
        "label_ja": pl.String,
        "label_en": pl.String,
        "text_ja": pl.String,
        "text_en": pl.String,
        "contribution": pl.Float64,
        "issues": pl.List(pl.String),
        # the item's checklist rule holds for the household: label/text assert it (else
        # they are the item's neutral description with the household's values)
        "holds": pl.Boolean,
    }
)


@dataclass(frozen=True)
class ReportData:
    """Inputs of report.html / shortlist.xlsx / shortlist.csv.

    - ``shortlist``: shortlist.parquet's frame: household_id, district, priority,
      issues (list[str]), score, reasons (list[:data:`REASON_STRUCT`]), known_case,
      compound, issue_scores (list[f64], aligned with issues), known_issues;
    - ``issue_reasons``: household_id, issue, rank, item, label_ja, label_en,
      text_ja, text_en, contribution (top reasons per listed issue);
    - ``fired``: household_id, issue, item, text_ja, text_en (checklist items that
      fired for the listed households' listed issues);
    - ``capacities``: district, households, capacity (every district on the date);
    - ``known_counts``: district, issue, households (already in support for that
      issue, hence outside its cohort);
    - ``held_back`` (the outreach loop; None: the run belongs to no history):
      :data:`kizuki.shortlist.HELD_BACK_SCHEMA`, the held-back (household, issue) pairs
      of the cohort; the shortlist then carries the follow-up marks
      (:data:`kizuki.shortlist.FOLLOWUP_COLUMNS`);
    - ``loop``: per district, the loop so far
      (:data:`kizuki.outreach.loop.SUMMARY_SCHEMA`), None outside a history.
    """

    as_of: date
    run_id: str
    model_version: str
    code_version: str
    config_hash: str
    horizon_months: int
    shortlist: pl.DataFrame
    issue_reasons: pl.DataFrame
    fired: pl.DataFrame
    capacities: pl.DataFrame
    known_counts: pl.DataFrame
    config: ReportConfig
    priority_rule: Literal["issue_turns", "expected_needs", "max_score"] = "issue_turns"
    missing_tables: tuple[str, ...] = field(default_factory=tuple)
    held_back: pl.DataFrame | None = None
    loop: pl.DataFrame | None = None


def empty_issue_reasons() -> pl.DataFrame:
    """An empty ``issue_reasons`` frame with the right columns."""
    return pl.DataFrame(
        schema={
            "household_id": pl.String,
            "issue": pl.String,
            "rank": pl.Int64,
            "item": pl.String,
            "label_ja": pl.String,
            "label_en": pl.String,
            "text_ja": pl.String,
            "text_en": pl.String,
            "contribution": pl.Float64,
        }
    )


def empty_fired() -> pl.DataFrame:
    """An empty ``fired`` frame with the right columns."""
    return pl.DataFrame(
        schema={
            "household_id": pl.String,
            "issue": pl.String,
            "item": pl.String,
            "text_ja": pl.String,
            "text_en": pl.String,
        }
    )


def lang_of(lang: str) -> Lang:
    """Validate a language code ('ja' or 'en')."""
    from kizuki.errors import KizukiError

    if lang not in ("ja", "en"):
        raise KizukiError(f"report: language must be 'ja' or 'en'; got {lang!r}")
    return lang  # type: ignore[return-value]
