"""report.html says what it said before the page kit (tests/pages/golden/), apart from the
unifications listed in benchmarks/page_text.py."""

from __future__ import annotations

import pytest

from kizuki.report import render_html


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_shows_the_same_text_as_before(
    report_data, lang: str, page_text, golden_text
) -> None:
    old = golden_text(f"report_{lang}")
    new = page_text.visible_text(render_html(report_data, lang))
    assert len(old) > 20
    diff = page_text.differences(old, new)
    assert diff == [], "\n".join(diff)
