"""A value from a drop never becomes markup: every page shows a hostile district name and
household id as text (the templates escape every value)."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest
from typer.testing import CliRunner

from kizuki.cli.main import app
from kizuki.monitor.config import PerformanceConfig
from kizuki.monitor.performance import estimate_error, performance_history
from kizuki.monitor.report import render_performance_html
from kizuki.runs import find_runs

EVIL = "<img src=x onerror=alert(1)></script>"
SHOWN = "&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


def _check(html: str, shown: bool = True) -> None:
    parser = _Tags()
    parser.feed(html)
    assert not parser.tags & {"img", "script"}
    assert EVIL not in html and "onerror=alert(1)>" not in html
    if shown:
        assert SHOWN in html


def _hostile(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.concat_str(pl.lit(EVIL), pl.col("household_id")).alias("household_id"),
        pl.when(pl.col("district") == "北")
        .then(pl.lit(f"北{EVIL}"))
        .otherwise(pl.col("district"))
        .alias("district"),
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, factory: ModuleType) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("hostile")
    out = {}
    for name, seed, as_of in (("ref", 1, dt.date(2026, 8, 31)), ("cur", 2, dt.date(2026, 9, 30))):
        features = _hostile(factory.frame_generator(600, seed)).with_columns(
            pl.lit(as_of).alias("as_of")
        )
        if name == "cur":  # a shift in the hostile district, so its rows show on the page
            features = features.with_columns(
                pl.when(pl.col("district").str.contains("onerror"))
                .then(pl.col("water_recent") * 0.3)
                .otherwise(pl.col("water_recent"))
                .alias("water_recent")
            )
        out[name] = factory.fabricate_run(base / name, features, as_of=as_of)
    return out


def test_monitor_page_escapes_districts(runs: dict[str, Path], tmp_path: Path) -> None:
    res = CliRunner().invoke(
        app,
        ["monitor", "--reference", str(runs["ref"]), "--current", str(runs["cur"]),
         "--out", str(tmp_path), "--no-track"],
    )  # fmt: skip
    assert res.exit_code in (0, 4), res.output
    _check((tmp_path / "monitor.html").read_text(encoding="utf-8"))


def test_audit_page_escapes_districts(runs: dict[str, Path], tmp_path: Path) -> None:
    res = CliRunner().invoke(
        app, ["audit", "--run", str(runs["cur"]), "--out", str(tmp_path), "--no-track"]
    )
    assert res.exit_code in (0, 4), res.output
    _check((tmp_path / "audit.html").read_text(encoding="utf-8"))


def test_performance_page_escapes_what_it_shows(runs: dict[str, Path]) -> None:
    found = find_runs([runs["ref"].parent])
    outcomes = pl.DataFrame(
        {"household_id": [f"{EVIL}H1"], "issue": ["eight050"], "opened_on": [dt.date(2026, 9, 1)],
         "confirmed": [True]}
    )  # fmt: skip
    history = performance_history(found, outcomes, dt.date(2026, 9, 30), PerformanceConfig())
    meta = {"outcomes": f"/drops/{EVIL}", "known_until": "2026-09-30", "runs": len(found)}
    _check(render_performance_html(history, estimate_error(history), meta, []))
