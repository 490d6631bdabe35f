"""The audit page renders in headless Chromium with Japanese text and suppressed cells shown as <10."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest

from kizuki.audit.metrics import group_metrics
from kizuki.audit.report import to_html
from kizuki.audit.run import AuditResult

CHROMIUM = shutil.which("chromium")


def _result(matured: float) -> AuditResult:
    frame = pl.DataFrame(
        {
            "issue": ["eight050"] * 60,
            "district": ["east"] * 55 + ["tiny"] * 5,
            "label": [1, 0] * 30,
            "listed": [True, False, False] * 20,
        }
    )
    metrics = group_metrics(frame, "district")
    ratios = pl.DataFrame(
        {
            "issue": ["eight050"],
            "group": ["district"],
            "value": ["tiny"],
            "reference": ["east"],
            "recall_ratio": [None],
            "ci_low": [None],
            "ci_high": [None],
        },
        schema_overrides={"recall_ratio": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64},
    )
    return AuditResult("2026-03-31", 6, matured, "2026-09-30", metrics, ratios, [])


def test_pending_outcomes_are_said_not_shown_as_zero() -> None:
    page = to_html(_result(0.4), "ja")
    assert "まだ出そろっていません" in page


@pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not on PATH (apt-get install chromium fonts-noto-cjk)"
)
def test_audit_page_renders_in_chromium(tmp_path: Path) -> None:
    page = tmp_path / "audit.html"
    page.write_text(to_html(_result(1.0), "ja"), encoding="utf-8")
    dom = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'ud'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "公平性の監査" in dom and "8050問題" in dom and "再現率" in dom
    assert "&lt;10" in dom  # the 5-household district is suppressed
