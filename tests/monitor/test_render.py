"""monitor.html as a person sees it: headless Chromium, offline, Japanese by default."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kizuki.cli.main import app

pytestmark = pytest.mark.browser


def _monitor(reference: Path, current: Path, out: Path, *extra: str) -> Path:
    res = CliRunner().invoke(
        app,
        ["monitor", "--reference", str(reference), "--current", str(current), "--out", str(out), "--no-track", *extra],
    )
    assert res.exit_code in (0, 4), res.output
    return out / "monitor.html"


def test_monitor_page_renders_with_its_alert_in_japanese(village_runs, tmp_path: Path, browser) -> None:
    page = _monitor(village_runs["reference"], village_runs["water"], tmp_path / "water")
    dom, requests = browser.dom(page)
    assert "気づき モニタリング報告" in dom
    assert "データの品質" in dom
    assert "water" in dom and "アラート" in dom  # the water fault is named on the page
    assert dom.count("<svg") >= 1 and "<img" not in dom
    assert requests == []
    shot = browser.screenshot(page, tmp_path / "monitor.png")
    assert 0.005 < browser.ink_share(shot) < 0.5


def test_monitor_page_in_english_on_request(village_runs, tmp_path: Path, browser) -> None:
    page = _monitor(village_runs["reference"], village_runs["clean"], tmp_path / "en", "--lang", "en")
    dom, requests = browser.dom(page)
    assert "Data quality" in dom or "data quality" in dom.lower()
    assert "モニタリング報告" not in dom
    assert requests == []
