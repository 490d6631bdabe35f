"""report.html: structure, language, escaping, self-containment (static checks)."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

import polars as pl

from kizuki.contract.schema import ISSUE_NAMES_EN, ISSUE_NAMES_JA
from kizuki.report import render_html


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    p = _Collect()
    p.feed(html)
    return p.tags


def _section(html: str, cls: str, district: str | None = None) -> str:
    for m in re.finditer(r'<section class="([^"]+)"[^>]*>(.*?)</section>', html, re.S):
        if m.group(1) == cls and (district is None or f'data-district="{district}"' in m.group(0)):
            return m.group(0)
    raise AssertionError(f"no section {cls} {district}")


def test_one_section_per_district_in_order(report_data) -> None:
    html = render_html(report_data, "ja")
    sections = [a for t, a in _tags(html) if t == "section" and a.get("class") == "district"]
    # sorted by name, every district on the date (from the capacities)
    assert [a["data-district"] for a in sections] == sorted(["中央圏域", "西部 & <北>", "東部圏域"])
    # a district with nobody newly listed still has its section, saying so
    assert "この地区で新たに掲載された世帯はありません。" in _section(html, "district", "東部圏域")


def test_known_cases_are_shown_apart(report_data) -> None:
    html = render_html(report_data, "ja")
    central = _section(html, "district", "中央圏域")
    known = _section(html, "known")
    assert 'data-household="H0003"' not in central
    assert 'data-household="H0003"' in known
    assert "支援中の課題: 生活困窮" in known
    assert 'data-household="H0001"' in central and 'data-household="H0001"' not in known


def test_japanese_by_default_with_bands_probabilities_and_reasons(report_data) -> None:
    html = render_html(report_data, "ja")
    assert '<html lang="ja">' in html
    assert "基準日: <strong>2026年3月31日</strong>" in html
    assert "models:/kizuki/3" in html
    assert "担当者が判断" in html  # a person decides
    central = _section(html, "district", "中央圏域")
    for code in ("eight050", "financial_hardship", "elderly_isolation"):
        assert ISSUE_NAMES_JA[code] in central
    assert '<span class="band high">高</span>' in central  # 0.42
    assert '<span class="band medium">中</span>' in central  # 0.18, 0.12
    assert "42%" in central and "18%" in central and "12%" in central
    assert "水道使用量が直近3か月で前年同期比58%減" in central
    assert "75歳以上の親と40〜64歳の子の世帯" in central  # fired checklist item
    assert central.count("<svg") == 2  # one reasons chart per household with reasons
    assert "複合" in central
    assert "単調" in html  # the methodology note on calibration
    assert "出欠・就学援助（school）" in html  # missing table said loudly


def test_english_on_request(report_data) -> None:
    html = render_html(report_data, "en")
    assert '<html lang="en">' in html
    assert "As of: <strong>2026-03-31</strong>" in html
    assert ISSUE_NAMES_EN["eight050"] in html
    assert "Kizuki only points" in html
    assert "Water use has fallen sharply (water use down 58%" in html
    assert "monotone" in html
    # no Japanese UI words leak into the English page (data values aside)
    body = html
    for name in ("中央圏域", "東部圏域", "西部 &amp; &lt;北&gt;"):
        body = body.replace(name, "")
    assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", body)


def test_values_are_escaped(report_data) -> None:
    html = render_html(report_data, "ja")
    assert "西部 &amp; &lt;北&gt;" in html
    assert "<北>" not in html


def test_self_contained(report_data) -> None:
    html = render_html(report_data, "ja")
    tags = _tags(html)
    assert not [t for t, _ in tags if t in ("script", "img", "link", "iframe", "object", "embed")]
    for _, attrs in tags:
        for k in ("src", "href"):
            assert attrs.get(k) is None or not re.match(r"^(https?:)?//", attrs[k] or "")
    assert "@import" not in html and "url(" not in html
    assert "<style>" in html


def test_empty_shortlist_still_renders(report_data) -> None:
    empty = replace(
        report_data,
        shortlist=report_data.shortlist.clear(),
        issue_reasons=report_data.issue_reasons.clear(),
        fired=report_data.fired.clear(),
    )
    html = render_html(empty, "ja")
    assert html.count('<section class="district"') == 3
    assert "該当する世帯はありません。" in html


def test_summary_counts(report_data) -> None:
    html = render_html(report_data, "ja")
    summary = _section(html, "summary")
    m = re.search(r'<tr><td><a href="#(district-\d+)">中央圏域</a></td>(.*?)</tr>', summary)
    anchor, row = m.group(1), m.group(2)
    assert f'id="{anchor}" data-district="中央圏域"' in html  # the summary links to the section
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells == ["400", "3", "3", "1", "1"]  # households, capacity, listed, compound, known
    listed_pairs = report_data.shortlist.select(pl.col("issues").list.len().sum()).item()
    assert summary.count("<rect") == len({i for row in report_data.shortlist["issues"] for i in row})
    assert listed_pairs == 5


def test_a_hostile_district_and_household_id_stay_text(report_data) -> None:
    evil = "<img src=x onerror=alert(1)></script>"

    def hostile(frame: pl.DataFrame) -> pl.DataFrame:
        cols = [c for c in ("district", "household_id") if c in frame.columns]
        return frame.with_columns(pl.concat_str(pl.lit(evil), pl.col(c)).alias(c) for c in cols)

    data = replace(
        report_data,
        shortlist=hostile(report_data.shortlist),
        issue_reasons=hostile(report_data.issue_reasons),
        fired=hostile(report_data.fired),
        capacities=hostile(report_data.capacities),
        known_counts=hostile(report_data.known_counts),
    )
    for lang in ("ja", "en"):
        html = render_html(data, lang)
        assert not [t for t, _ in _tags(html) if t in ("img", "script")]
        assert evil not in html and "onerror=alert(1)>" not in html
        shown = "&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;"
        assert f'data-household="{shown}H0001"' in html  # a household id, escaped
        assert f"{shown}中央圏域</a>" in html  # a district, escaped
