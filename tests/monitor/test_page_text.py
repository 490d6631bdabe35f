"""monitor.html and performance.html say what they said before the page kit (tests/pages/golden/),
apart from the unifications listed in benchmarks/page_text.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kizuki.cli.main import app


def monitor_pages(village_runs: dict[str, Path], village_drop: Path, out: Path) -> dict[str, str]:
    """The monitor and performance pages of the village runs, by golden name (paths masked)."""
    cases = {
        "monitor_water_ja": ["--reference", village_runs["reference"], "--current", village_runs["water"]],
        "monitor_codes_ja": ["--reference", village_runs["reference"], "--current", village_runs["codes"]],
        "monitor_no_utility_en": [
            "--reference", village_runs["reference"], "--current", village_runs["no_utility"], "--lang", "en",
        ],
        "performance_ja": ["--runs", village_runs["reference"], "--runs", village_runs["clean"],
                           "--outcomes", village_drop],
        "performance_en": ["--runs", village_runs["reference"], "--runs", village_runs["clean"],
                           "--outcomes", village_drop, "--lang", "en"],
    }  # fmt: skip
    pages = {}
    for name, args in cases.items():
        folder = out / name
        res = CliRunner().invoke(
            app, ["monitor", *map(str, args), "--out", str(folder), "--no-track"]
        )
        assert res.exit_code in (0, 4), res.output
        file = folder / ("performance.html" if name.startswith("performance") else "monitor.html")
        pages[name] = file.read_text(encoding="utf-8").replace(str(village_drop), "DROP")
    return pages


@pytest.fixture(scope="module")
def pages(village_runs, village_drop, tmp_path_factory) -> dict[str, str]:
    return monitor_pages(village_runs, village_drop, tmp_path_factory.mktemp("monitor_pages"))


@pytest.mark.parametrize(
    "name",
    [
        "monitor_water_ja",
        "monitor_codes_ja",
        "monitor_no_utility_en",
        "performance_ja",
        "performance_en",
    ],
)
def test_page_shows_the_same_text_as_before(
    pages: dict[str, str], name: str, page_text, golden_text
) -> None:
    old = golden_text(f"{name}")
    new = page_text.visible_text(pages[name])
    assert len(old) > 20
    diff = page_text.differences(old, new)
    assert diff == [], "\n".join(diff)
