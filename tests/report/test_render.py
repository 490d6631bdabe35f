"""report.html as a person sees it: rendered by headless Chromium, offline.

Skipped only when ``chromium`` is not on PATH (CI installs Debian's ``chromium`` and
``fonts-noto-cjk``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kizuki.report import write_html

pytestmark = pytest.mark.browser


@pytest.fixture
def rendered(report_data, tmp_path: Path, browser):
    page = write_html(tmp_path / "report.html", report_data, "ja")
    dom, requests = browser.dom(page)
    return page, dom, requests


def test_dom_shows_japanese_sections_and_no_external_requests(rendered, report_data) -> None:
    _, dom, requests = rendered
    assert "気づき 訪問候補リスト" in dom
    assert "2026年3月31日" in dom
    assert "担当者が判断" in dom
    sections = re.findall(r'<section class="district"[^>]*data-district="([^"]*)"', dom)
    assert len(sections) == report_data.capacities.height == len(set(sections))
    assert "8050問題" in dom and "高齢者の社会的孤立" in dom
    assert "<img" not in dom  # nothing that could be a broken image
    assert dom.count("<svg") >= 3  # the summary chart and the reasons charts, inline
    assert requests == []


def test_the_request_detector_does_see_external_requests(tmp_path: Path, browser) -> None:
    """Control: a page that loads a font and an image is caught by the same check."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="https://fonts.example.invalid/a.css">'
        '</head><body><img src="http://img.example.invalid/a.png"><p>x</p></body></html>',
        encoding="utf-8",
    )
    _, requests = browser.dom(bad)
    assert len(requests) >= 2


def test_screenshot_has_content_and_a_japanese_font_exists(rendered, tmp_path: Path, browser) -> None:
    from PIL import Image

    page, _, _ = rendered
    shot = browser.screenshot(page, tmp_path / "shot.png")
    assert Image.open(shot).size == (1100, 1600)
    assert 0.005 < browser.ink_share(shot) < 0.5  # text and bars drawn on a light page, not blank, not black
    fc = shutil.which("fc-match")
    if fc:  # what the page asks for in Japanese resolves to a CJK font, so no tofu boxes
        font = subprocess.run([fc, ":lang=ja"], capture_output=True, text=True, check=True).stdout
        assert re.search(r"CJK|Gothic|Mincho|IPA|Takao|VL", font), font
