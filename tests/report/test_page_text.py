"""report.html says what it said before the page kit (tests/pages/golden/), apart from the
unifications listed in benchmarks/page_text.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from kizuki.report import render_html

GOLDEN = Path(__file__).parents[1] / "pages" / "golden"
_spec = importlib.util.spec_from_file_location(
    "kizuki_page_text", Path(__file__).parents[2] / "benchmarks" / "page_text.py"
)
assert _spec and _spec.loader
page_text = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(page_text)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_shows_the_same_text_as_before(report_data, lang: str) -> None:
    old = (GOLDEN / f"report_{lang}.txt").read_text(encoding="utf-8").splitlines()
    new = page_text.visible_text(render_html(report_data, lang))
    assert len(old) > 20
    diff = page_text.differences(old, new)
    assert diff == [], "\n".join(diff)
