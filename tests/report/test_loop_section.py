"""report.html in a history (issue 14 item 3): each household's follow-up mark, the
per-district loop summary and the held-back households, read from the DOM of a real
Chromium; outside a history (the golden pages) none of it shows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import polars as pl
import pytest

from kizuki.report import render_html, write_html
from kizuki.shortlist import HELD_BACK_SCHEMA, mark_followup

pytestmark = pytest.mark.browser


def _in_history(report_data):
    sl = report_data.shortlist
    marks = pl.DataFrame(
        {
            "household_id": ["H0001", "H0002"],
            "followup": ["visited", "again"],
            "times_listed_before": [2, 1],
            "last_visit": [dt.date(2026, 2, 14), None],
            "last_result": ["not_reached", None],
        }
    )
    districts = report_data.capacities["district"].to_list()
    loop = pl.DataFrame(
        {
            "district": [districts[0]],
            "lists": [3],
            "listed": [12],
            "visited": [9],
            "found": [4],
            "not_reached": [2],
            "no_result": [3],
        }
    )
    held = pl.DataFrame(
        {
            "household_id": ["H0777", "H0777", "H0778"],
            "district": [districts[0]] * 3,
            "issue": ["eight050", "self_neglect", "young_carer"],
            "score": [0.31, 0.2, 0.05],
            "held_back_until": [dt.date(2026, 5, 14)] * 3,
            "would_list": [True, True, False],
        },
        schema=HELD_BACK_SCHEMA,
    )
    return dataclasses.replace(
        report_data, shortlist=mark_followup(sl, marks), held_back=held, loop=loop
    )


def test_marks_loop_summary_and_held_back_show_in_the_browser(report_data, tmp_path, browser):
    data = _in_history(report_data)
    page = write_html(tmp_path / "report.html", data, "ja")
    dom, requests = browser.dom(page)
    assert requests == []
    marks = dict(re.findall(r'data-followup="(\w+)">([^<]+)<', dom))
    assert marks["visited"] == "訪問済み（前回 2026年2月14日：不在）"
    assert marks["again"] == "再掲（これまでに1回掲載、訪問記録なし）"
    assert marks["new"] == "新規（初めてリストに掲載）"  # a household the marks do not hold
    loop = dom[dom.index('id="loop"') :].split("</section>", 1)[0]
    first = report_data.capacities["district"].to_list()[0]
    row = re.search(f'<tr data-district="{re.escape(first)}">(.*?)</tr>', loop, re.S)
    assert row is not None
    assert re.findall(r'class="num">([\d,]+)<', row[1]) == ["3", "12", "9", "4", "2", "3", "2", "1"]
    held = dom[dom.index('id="held"') :].split("</section>", 1)[0]
    assert 'data-household="H0777"' in held and "H0778" not in held  # shown: would be listed
    assert "8050問題、セルフネグレクト" in held and "2026年5月14日" in held
    shot = browser.screenshot(page, tmp_path / "shot.png")
    assert 0.005 < browser.ink_share(shot) < 0.5


def test_outside_a_history_the_loop_is_not_shown(report_data) -> None:
    html = render_html(report_data, "ja")
    assert 'id="loop"' not in html and "data-followup" not in html and 'id="held"' not in html
    en = render_html(_in_history(report_data), "en")
    assert "Visited before (last 2026-02-14, not reached)" in en
    assert "Held back after a visit" in en
