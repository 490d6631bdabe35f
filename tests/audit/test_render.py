"""audit.html as a person sees it: headless Chromium, offline, Japanese by default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kizuki.cli.main import app

pytestmark = pytest.mark.browser


def test_audit_page_shows_recall_parity_by_district_and_nationality(
    audit_drop: Path, audit_run_dir: Path, tmp_path: Path, browser
) -> None:
    out = tmp_path / "audit"
    res = CliRunner().invoke(
        app, ["audit", "--run", str(audit_run_dir), "--outcomes", str(audit_drop), "--out", str(out), "--no-track"]
    )
    assert res.exit_code in (0, 4), res.output
    page = out / "audit.html"
    dom, requests = browser.dom(page)
    text = re.sub(r"<[^>]+>", " ", dom)
    assert "公平性の監査" in text
    assert "地区: 再現率の比" in text and "国籍: 再現率の比" in text
    # recall parity comes first within each dimension
    assert text.index("地区: 再現率の比") < text.index("その他の指標", text.index("地区: 再現率の比"))
    assert "&lt;10" in dom  # suppressed cells are visible as "<10", not as numbers
    assert "%–" in text  # intervals are printed
    assert dom.count("<svg") >= 5 and "<img" not in dom
    assert requests == []
    shot = browser.screenshot(page, tmp_path / "audit.png")
    assert 0.005 < browser.ink_share(shot) < 0.5
