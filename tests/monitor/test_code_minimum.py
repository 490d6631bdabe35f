"""A valid code new to a column fails the nightly run only when enough rows carry it
(issue 11 item 10): one resident of a village with a 続柄 nobody had last month is a
note on the page and in monitor.json, exit 0; the same code on many rows is an alert,
exit 4. Through the real CLI on fabricated run folders."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import ModuleType

from typer.testing import CliRunner

from kizuki.cli.main import app
from kizuki.runs import CODE_WINDOW_MONTHS

REF, CUR = dt.date(2026, 8, 31), dt.date(2026, 9, 30)


def _runs(tmp_path: Path, factory: ModuleType, new_rows: int) -> tuple[Path, Path]:
    features = factory.frame_generator(960, 1)

    def inputs(relation: dict[str, int]) -> dict[str, dict[str, object]]:
        rows = sum(relation.values())
        return {
            "residents": {
                "present": True,
                "rows_read": rows,
                "rows_rejected": 0,
                "codes": {"relation": relation},
            }
        }

    before = {"head": 960, "spouse": 610, "child": 700, "parent": 40}
    after = {**before, "child": 700 - new_rows, "grandparent": new_rows}
    ref = factory.fabricate_run(
        tmp_path / "ref",
        features,
        as_of=REF,
        inputs=inputs(before),
        codes_window_months=CODE_WINDOW_MONTHS,
    )
    cur = factory.fabricate_run(
        tmp_path / "cur",
        features,
        as_of=CUR,
        inputs=inputs(after),
        codes_window_months=CODE_WINDOW_MONTHS,
    )
    return ref, cur


def _monitor(ref: Path, cur: Path, out: Path, lang: str = "en") -> tuple[int, str, dict]:
    res = CliRunner().invoke(
        app,
        ["monitor", "--reference", str(ref), "--current", str(cur), "--out", str(out),
         "--no-track", "--lang", lang],
    )  # fmt: skip
    data = json.loads((out / "monitor.json").read_text(encoding="utf-8"))
    return res.exit_code, res.output, data


def test_one_resident_with_a_new_valid_code_is_a_note(tmp_path: Path, factory: ModuleType) -> None:
    ref, cur = _runs(tmp_path, factory, 1)
    code, output, data = _monitor(ref, cur, tmp_path / "out")
    assert code == 0, output
    assert data["alerts"] == [] and data["failing"] == 0
    notes = [n for n in data["quality"]["notes"] if "residents.relation" in n]
    assert notes == [
        "note: residents.relation: code grandparent appeared in 1 row (none in the reference), "
        "fewer than quality.code_appeared_min_count = 5: a note, not an alert"
    ]
    row = next(r for r in data["quality"]["codes"] if r["code"] == "grandparent")
    assert (row["status"], row["alert"], row["cur_count"]) == ("appeared", False, 1)
    page = (tmp_path / "out" / "monitor.html").read_text(encoding="utf-8")
    assert notes[0] in page and "appeared (too few for an alert; a note)" in page
    _, _, _ = _monitor(ref, cur, tmp_path / "ja", "ja")
    assert "件数が少ないため補足のみ" in (tmp_path / "ja" / "monitor.html").read_text(
        encoding="utf-8"
    )


def test_a_new_code_on_many_rows_is_an_alert(tmp_path: Path, factory: ModuleType) -> None:
    ref, cur = _runs(tmp_path, factory, 12)
    code, output, data = _monitor(ref, cur, tmp_path / "out")
    assert code == 4, output
    assert [(a["check"], a["subject"], a["fails"]) for a in data["alerts"]] == [
        ("code_appeared", "residents.relation=grandparent", True)
    ]
    assert "code_appeared" in output and "residents.relation=grandparent" in output
    assert not any("residents.relation" in n for n in data["quality"]["notes"])


def test_the_minimum_is_configurable(tmp_path: Path, factory: ModuleType) -> None:
    src = Path(__file__).parents[2] / "src" / "kizuki" / "configs" / "monitor.yaml"
    text = src.read_text(encoding="utf-8")
    assert "code_appeared_min_count: 5" in text
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "monitor.yaml").write_text(
        text.replace("code_appeared_min_count: 5", "code_appeared_min_count: 1"), encoding="utf-8"
    )
    ref, cur = _runs(tmp_path, factory, 1)
    res = CliRunner().invoke(
        app,
        ["monitor", "--reference", str(ref), "--current", str(cur), "--out", str(tmp_path / "o"),
         "--no-track", "--config-dir", str(conf)],
    )  # fmt: skip
    assert res.exit_code == 4, res.output
