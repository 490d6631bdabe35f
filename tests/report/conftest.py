"""A small, hand-built ReportData: three districts, a compound and a known-case household."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from kizuki.config import validate_config
from kizuki.report import REASON_STRUCT, ReportConfig, ReportData

DISTRICTS = ["中央圏域", "西部 & <北>", "東部圏域"]  # the second one tests escaping


def _reason(rank, item, label_ja, text_ja, label_en, text_en, contribution, issues):
    return {
        "rank": rank,
        "item": item,
        "group_ja": "暮らしの変化",
        "group_en": "Daily life",
        "label_ja": label_ja,
        "label_en": label_en,
        "text_ja": text_ja,
        "text_en": text_en,
        "contribution": contribution,
        "issues": issues,
    }


WATER = (
    "water_drop",
    "水道の使用量が大きく減っている",
    "水道の使用量が大きく減っている（水道使用量が直近3か月で前年同期比58%減）",
    "Water use has fallen sharply",
    "Water use has fallen sharply (water use down 58% on the same 3 months last year)",
)
ARREARS = (
    "tax_arrears",
    "住民税の滞納がある",
    "住民税の滞納がある（滞納額 45,000円）",
    "Resident-tax arrears",
    "Resident-tax arrears (¥45,000 unpaid)",
)
NODECL = (
    "no_declaration",
    "中高年の子に所得の申告がない",
    "中高年の子に所得の申告がない（52歳の子に2年続けて申告なし）",
    "A middle-aged child has no income declaration",
    "A middle-aged child has no income declaration (no declaration for 2 years, age 52)",
)


def _shortlist() -> pl.DataFrame:
    rows = [
        # household, district, priority, issues, issue_scores, known_issues, reasons
        (
            "H0001",
            DISTRICTS[0],
            1,
            ["eight050", "financial_hardship"],
            [0.42, 0.18],
            [],
            [
                _reason(1, *NODECL, 1.2, ["eight050", "financial_hardship"]),
                _reason(2, *ARREARS, 0.6, ["financial_hardship"]),
            ],
        ),
        (
            "H0002",
            DISTRICTS[0],
            2,
            ["elderly_isolation"],
            [0.12],
            [],
            [_reason(1, *WATER, 0.9, ["elderly_isolation"])],
        ),
        (
            "H0003",
            DISTRICTS[0],
            3,
            ["self_neglect"],
            [0.04],
            ["financial_hardship"],
            [_reason(1, *WATER, 0.5, ["self_neglect"])],
        ),
        ("H0101", DISTRICTS[1], 1, ["young_carer"], [0.33], [], []),
    ]
    return pl.DataFrame(
        {
            "household_id": [r[0] for r in rows],
            "district": [r[1] for r in rows],
            "priority": [r[2] for r in rows],
            "issues": [r[3] for r in rows],
            "score": [max(r[4]) for r in rows],
            "reasons": [r[6] for r in rows],
            "known_case": [bool(r[5]) for r in rows],
            "compound": [len(r[3]) > 1 for r in rows],
            "issue_scores": [r[4] for r in rows],
            "expected_needs": [sum(r[4]) for r in rows],
            "known_issues": [r[5] for r in rows],
        },
        schema_overrides={
            "reasons": pl.List(REASON_STRUCT),
            "priority": pl.Int64,
            "known_issues": pl.List(pl.String),
        },
    )


@pytest.fixture
def report_data() -> ReportData:
    cfg = validate_config(
        ReportConfig, {"config_version": 1, "bands": {"high": 0.3, "medium": 0.1}}
    )
    issue_reasons = pl.DataFrame(
        [
            ("H0001", "eight050", 1, NODECL[0], NODECL[1], NODECL[3], NODECL[2], NODECL[4], 1.0),
            (
                "H0001",
                "financial_hardship",
                1,
                ARREARS[0],
                ARREARS[1],
                ARREARS[3],
                ARREARS[2],
                ARREARS[4],
                0.6,
            ),
            (
                "H0002",
                "elderly_isolation",
                1,
                WATER[0],
                WATER[1],
                WATER[3],
                WATER[2],
                WATER[4],
                0.9,
            ),
        ],
        schema=[
            "household_id",
            "issue",
            "rank",
            "item",
            "label_ja",
            "label_en",
            "text_ja",
            "text_en",
            "contribution",
        ],
        orient="row",
    )
    fired = pl.DataFrame(
        [
            (
                "H0001",
                "eight050",
                "parent75_child40",
                "75歳以上の親と40〜64歳の子の世帯",
                "A parent 75+ with a child aged 40-64",
            ),
            (
                "H0002",
                "elderly_isolation",
                "alone65",
                "65歳以上の一人暮らし",
                "A person 65+ living alone",
            ),
        ],
        schema=["household_id", "issue", "item", "text_ja", "text_en"],
        orient="row",
    )
    capacities = pl.DataFrame(
        {"district": DISTRICTS, "households": [400, 300, 260], "capacity": [3, 3, 3]}
    )
    known_counts = pl.DataFrame(
        {
            "district": [DISTRICTS[0], DISTRICTS[2]],
            "issue": ["financial_hardship", "eight050"],
            "households": [7, 2],
        }
    )
    return ReportData(
        as_of=date(2026, 3, 31),
        run_id="20260401T020000Z-abc123",
        model_version="models:/kizuki/3",
        code_version="0.1.0+test",
        config_hash="0123456789abcdef",
        horizon_months=6,
        shortlist=_shortlist(),
        issue_reasons=issue_reasons,
        fired=fired,
        capacities=capacities,
        known_counts=known_counts,
        config=cfg,
        missing_tables=("school",),
    )
