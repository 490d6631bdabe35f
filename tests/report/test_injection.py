"""Formula payloads from a drop stay inert in every output file of a real scoring run.

A small synthetic municipality whose district names and household ids carry the
payloads of issue 11 is scored by :func:`kizuki.pipeline.score.run_score` with the real
stages (contract loader, feature registry, 気づき checklist, reasons, shortlist,
reports) and a fitted LightGBM model; then shortlist.csv, shortlist.xlsx and
report.html are read back. ``kizuki validate`` on the same drop writes rejects whose
CSV is checked too, with a negative amount that stays a number.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from kizuki.checklist import load_checklist_config
from kizuki.cli.main import app
from kizuki.config import validate_config
from kizuki.contract.schema import ISSUES
from kizuki.features.config import load_feature_config
from kizuki.features.registry import model_inputs
from kizuki.io.csv_safe import needs_quote
from kizuki.model.config import load_model_config
from kizuki.model.lgbm import IssueModels, TrainSet
from kizuki.pipeline.score import LoadedModel, default_components, run_score
from kizuki.report import ReportConfig
from kizuki.shortlist import ShortlistConfig
from kizuki.synth.generate import generate
from kizuki.synth.presets import make_spec
from kizuki.synth.write import write_drop

PAYLOADS = [
    '=HYPERLINK("http://x","click")',
    "+SUM(1,1)",
    "-SUM(1,1)",
    "@SUM(1,1)",
    "\t=1",
    "\r=1",
]
AS_OF = dt.date(2026, 6, 30)
#: household ids of the rejected bills, one per payload
BAD_BILLS = [f"{p}X{k}" for k, p in enumerate(PAYLOADS)]


def _hostile_drop(folder: Path) -> Path:
    """A synthetic drop; districts renamed to the payloads, every household id to
    ``<payload>H<n>`` (cycling through the payloads); six utility rows with -7295 yen unpaid
    (rejected: their raw values, one household id per payload, go to the rejects)."""
    write_drop(generate(make_spec("ashiya", 300, 30, 7)), folder, "parquet")
    res = pl.read_parquet(folder / "residents.parquet")
    districts = sorted(res["district"].unique().to_list())
    rename_d = {d: PAYLOADS[i % len(PAYLOADS)] + (str(i) if i >= len(PAYLOADS) else "")
                for i, d in enumerate(districts)}  # fmt: skip
    ids = sorted(res["household_id"].unique().to_list())
    rename_h = {h: f"{PAYLOADS[i % len(PAYLOADS)]}H{i}" for i, h in enumerate(ids)}
    for path in folder.glob("*.parquet"):
        frame = pl.read_parquet(path)
        if "household_id" in frame.columns:
            frame = frame.with_columns(pl.col("household_id").replace(rename_h))
        if "district" in frame.columns:
            frame = frame.with_columns(pl.col("district").replace(rename_d))
        if path.stem == "utility":
            row = pl.int_range(pl.len())
            frame = frame.with_columns(
                pl.when(row < len(BAD_BILLS))
                .then(-7295)
                .otherwise(pl.col("unpaid_yen"))
                .cast(frame.schema["unpaid_yen"])
                .alias("unpaid_yen"),
                pl.when(row < len(BAD_BILLS))
                .then(pl.Series(BAD_BILLS + [""] * (frame.height - len(BAD_BILLS))))
                .otherwise(pl.col("household_id"))
                .alias("household_id"),
            )
        frame.write_parquet(path)
    return folder


def _model() -> IssueModels:
    raw = load_model_config().model_dump(mode="json")
    raw["lightgbm"] |= {"max_rounds": 20, "early_stopping_rounds": 5}
    cfg = type(load_model_config()).model_validate(raw)
    rng = np.random.default_rng(0)
    feats = model_inputs()
    X = rng.normal(size=(300, len(feats)))
    y = (rng.random(300) < 0.3).astype(float)
    return IssueModels(feats, cfg).fit(
        {i: TrainSet(X[:200], y[:200]) for i in ISSUES},
        {i: TrainSet(X[200:], y[200:]) for i in ISSUES},
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("inject")
    drop = _hostile_drop(base / "drop")
    model = _model()
    components = dataclasses.replace(
        default_components(load_feature_config(), load_checklist_config()),
        model=lambda uri: LoadedModel(model, "models:/kizuki/1", 6),
        resolve=None,  # the model is given here: no tracking store is asked for one
    )
    out = base / "run"
    run_score(
        drop,
        AS_OF,
        out,
        components=components,
        shortlist_config=validate_config(
            ShortlistConfig, {"config_version": 1, "capacity": {"default": {"count": 40}}}
        ),
        report_config=validate_config(
            ReportConfig, {"config_version": 1, "bands": {"high": 0.3, "medium": 0.1}}
        ),
    )
    return drop, out


def _listed(out: Path) -> pl.DataFrame:
    return pl.read_parquet(out / "shortlist.parquet")


def test_the_run_lists_every_payload(run: tuple[Path, Path]) -> None:
    # the loader strips white space around a value: "\t=1" and "\r=1" arrive as "=1"
    listed = _listed(run[1])
    for p in PAYLOADS:
        shown = p.strip()
        assert listed.filter(pl.col("district").str.starts_with(shown)).height > 0, repr(p)
        assert listed.filter(pl.col("household_id").str.starts_with(shown)).height > 0, repr(p)


def test_shortlist_csv_cells_are_inert(run: tuple[Path, Path]) -> None:
    text = (run[1] / "shortlist.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    listed = _listed(run[1])
    assert len(rows) == listed.height
    for row in rows:
        for cell in row.values():
            assert not needs_quote(cell), repr(cell)
    got_ids = {r["household_id"] for r in rows}
    got_districts = {r["district"] for r in rows}
    assert got_ids == {"'" + h for h in listed["household_id"]}  # every id starts with a payload
    assert got_districts == {"'" + d for d in listed["district"]}


def test_shortlist_xlsx_holds_strings_not_formulas(run: tuple[Path, Path]) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(run[1] / "shortlist.xlsx").worksheets[0]
    header = [c.value for c in ws[1]]
    seen = set()
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                assert cell.data_type == "s", (cell.coordinate, cell.data_type)
                seen.add(cell.value)
            assert cell.data_type != "f"
    listed = _listed(run[1])
    assert set(listed["household_id"]) <= seen and set(listed["district"]) <= seen
    assert header  # the header row is there


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_report_html_shows_payloads_as_text(run: tuple[Path, Path]) -> None:
    html = (run[1] / "report.html").read_text(encoding="utf-8")
    assert 'href="http://x"' not in html
    parser = _Text()
    parser.feed(html)
    shown = "".join(parser.text)
    assert '=HYPERLINK("http://x","click")' in shown  # the text, shown as text
    assert "+SUM(1,1)" in shown and "@SUM(1,1)" in shown


def test_validate_rejects_csv_is_inert_and_keeps_negative_numbers(
    run: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "validation"
    r = CliRunner().invoke(app, ["validate", str(run[0]), "--out", str(out)])
    assert r.exit_code == 0, r.output
    rejects = out / "rejects" / "utility.csv"
    text = rejects.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows, "the -7295 bill is rejected"
    assert [r["unpaid_yen"] for r in rows] == ["-7295"] * len(PAYLOADS)  # numbers stay numbers
    raw = pl.read_parquet(out / "rejects" / "utility.parquet")["household_id"].to_list()
    assert [r["household_id"] for r in rows] == ["'" + h for h in raw]
    assert sorted(h.strip() for h in raw) == sorted(h.strip() for h in BAD_BILLS)
    for row in rows:
        for cell in row.values():
            assert not needs_quote(cell), repr(cell)


def test_run_files_are_owner_only(run: tuple[Path, Path]) -> None:
    import stat

    out = run[1]
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {"shortlist.csv", "shortlist.xlsx", "report.html", "manifest.json"} <= {
        p.name for p in files
    }
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
