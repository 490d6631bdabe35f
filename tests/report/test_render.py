"""report.html as a person sees it: rendered by headless Chromium, offline.

Skipped only when ``chromium`` is not on PATH (CI installs Debian's ``chromium`` and
``fonts-noto-cjk``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kizuki.report import write_html

CHROMIUM = shutil.which("chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="chromium is not on PATH (apt-get install chromium fonts-noto-cjk)"
    ),
]

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium(page: Path, tmp: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / f"profile-{len(list(tmp.iterdir()))}"
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],  # type: ignore[list-item]
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def _page_requests(net_log: Path) -> list[str]:
    """URLs the *page* asked for: requests whose network isolation key is the file:// page.

    Chromium's own background requests (update checks and the like) have other keys.
    """
    log = json.loads(net_log.read_text(encoding="utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [
        e["params"]["url"]
        for e in log["events"]
        if e["type"] == start
        and str(e["params"].get("network_isolation_key", "")).startswith("file://")
    ]


@pytest.fixture
def rendered(report_data, tmp_path: Path):
    page = write_html(tmp_path / "report.html", report_data, "ja")
    work = tmp_path / "chromium"
    work.mkdir()
    net = tmp_path / "net.json"
    dom = _chromium(page, work, f"--log-net-log={net}", "--dump-dom").stdout
    return page, work, dom, net


def test_dom_shows_japanese_sections_and_no_external_requests(rendered, report_data) -> None:
    _, _, dom, net = rendered
    assert "気づき 訪問候補リスト" in dom
    assert "2026年3月31日" in dom
    assert "担当者が判断" in dom
    sections = re.findall(r'<section class="district"[^>]*data-district="([^"]*)"', dom)
    assert len(sections) == report_data.capacities.height == len(set(sections))
    assert "8050問題" in dom and "高齢者の社会的孤立" in dom
    assert "<img" not in dom  # nothing that could be a broken image
    assert dom.count("<svg") >= 3  # the summary chart and the reasons charts, inline
    assert _page_requests(net) == []


def test_the_request_detector_does_see_external_requests(tmp_path: Path) -> None:
    """Control: a page that loads a font and an image is caught by the same check."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="https://fonts.example.invalid/a.css">'
        '</head><body><img src="http://img.example.invalid/a.png"><p>x</p></body></html>',
        encoding="utf-8",
    )
    work = tmp_path / "chromium"
    work.mkdir()
    net = tmp_path / "net.json"
    _chromium(bad, work, f"--log-net-log={net}", "--dump-dom")
    assert len(_page_requests(net)) >= 2


def test_screenshot_has_content_and_a_japanese_font_exists(rendered, tmp_path: Path) -> None:
    from PIL import Image

    page, work, _, _ = rendered
    shot = tmp_path / "shot.png"
    _chromium(page, work, f"--screenshot={shot}", "--window-size=1100,1600", "--hide-scrollbars")
    img = Image.open(shot).convert("L")
    assert img.size == (1100, 1600)
    hist = img.histogram()
    dark = sum(hist[:128]) / (img.size[0] * img.size[1])
    assert 0.005 < dark < 0.5  # text and bars drawn on a light page, not blank, not black
    fc = shutil.which("fc-match")
    if fc:  # what the page asks for in Japanese resolves to a CJK font, so no tofu boxes
        font = subprocess.run([fc, ":lang=ja"], capture_output=True, text=True, check=True).stdout
        assert re.search(r"CJK|Gothic|Mincho|IPA|Takao|VL", font), font
