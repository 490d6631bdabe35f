"""``kizuki feedback import`` on a real history (``kizuki run`` subprocesses): visits kept
with their file and hash, the same file twice changes nothing, a correction replaces the
rows it corrects, a refusal leaves a ledger row and no visit; the next nights hold back
the households visited with no need or declined and list the confirmed ones in support."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from kizuki.history.layout import HistoryLayout
from kizuki.history.ledger import read_ledger
from kizuki.outreach.entry import headers
from kizuki.outreach.visits import history_outcomes

JA = headers("ja")


@pytest.fixture
def night(first_night, tmp_path: Path) -> dict[str, object]:
    """A private copy of the one-run history."""
    folder = tmp_path / "town"
    shutil.copytree(first_night["folder"], folder)
    history = folder / "history"
    (run_dir,) = [p for p in (history / "runs").iterdir() if p.is_dir()]
    return {"folder": folder, "history": history, "run": run_dir, "as_of": first_night["as_of"]}


def _fill(run: Path, out: Path, answers: dict[int, tuple[object, str, list[str], str | None]]):
    """Fill the entry sheet of ``run``'s shortlist.xlsx as a team would (openpyxl): row
    index (0 = first household) -> (visit date, result label, confirmed issue names, team).
    Returns the household ids answered, in order."""
    wb = openpyxl.load_workbook(run / "shortlist.xlsx")
    ws = wb["記入用"]
    col = {c.value: i + 1 for i, c in enumerate(ws[1])}
    ids = []
    for i, (day, result, issues, team) in answers.items():
        r = i + 2
        ws.cell(r, col[JA["visited_on"]]).value = day
        ws.cell(r, col[JA["result"]]).value = result
        for name in issues:
            ws.cell(r, col[f"確認：{name}"]).value = "○"
        ws.cell(r, col[JA["team"]]).value = team
        ids.append(ws.cell(r, col[JA["household_id"]]).value)
    wb.save(out)
    return ids


def _import(kit, night, path: Path):
    return kit.run_cli(
        "feedback", "import", path, "--history", night["history"], cwd=night["folder"]
    )


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_filled_sheet_imports_once_and_again_changes_nothing(kit, night) -> None:
    v = night["as_of"] + dt.timedelta(days=10)
    path = night["folder"] / "filled.xlsx"
    ids = _fill(
        night["run"],
        path,
        {
            0: (v, "課題なし", [], None),
            1: (v, "支援につながった", ["生活困窮"], "T01"),
            2: (v, "拒否", [], None),
            3: (v, "不在", [], "T02"),
            4: (night["as_of"] - dt.timedelta(days=3), "課題なし", [], None),  # before the as-of
        },
    )
    done = _import(kit, night, path)
    assert done.returncode == 0, done.stderr
    assert "5 row(s) in = 4 kept + 1 rejected" in done.stderr
    assert "column visited_on: before_as_of" in done.stderr
    for value in (*ids, v.isoformat(), "T01"):
        assert value not in done.stderr + done.stdout  # counts and rules, never a value
    layout = HistoryLayout(night["history"])
    visits = pl.read_parquet(layout.visits)
    assert sorted(visits["household_id"]) == sorted(ids[:4])
    assert set(visits["file"]) == {"filled.xlsx"} and set(visits["file_sha256"]) == {_sha(path)}
    got = dict(visits.select("household_id", "result").iter_rows())
    assert [got[h] for h in ids[:4]] == ["no_need", "need_confirmed", "declined", "not_reached"]
    report = json.loads(Path(done.stdout.strip()).read_text("utf-8"))
    assert report["rows_in"] == report["kept"] + report["rejected"] == 5
    assert report["rejects_by_rule"] == [
        {"column": "visited_on", "rule": "before_as_of", "rows": 1}
    ]
    rejects = pl.read_parquet(Path(done.stdout.strip()).parent / "rejects.parquet")
    assert rejects.select("rule", "household_id").rows() == [("before_as_of", ids[4])]
    row = read_ledger(layout).row(-1, named=True)
    assert (row["pipeline"], row["status"], row["run_dir"], row["exit_status"]) == (
        "feedback-import",
        "done",
        "",
        0,
    )
    assert json.loads(row["drop_hashes"]) == {"filled.xlsx": _sha(path)}
    follow = pl.read_parquet(layout.followup)
    held = follow.filter(pl.col("held_back_until").is_not_null())
    assert set(held["household_id"]) == {ids[0], ids[2]}
    support = follow.filter(pl.col("in_support_since").is_not_null())
    assert support.select("household_id", "issue").rows() == [(ids[1], "financial_hardship")]

    outcomes = history_outcomes(layout)
    listed = dict(
        pl.read_parquet(night["run"] / "shortlist.parquet")
        .select("household_id", "issues")
        .iter_rows()
    )
    want = {(ids[1], "financial_hardship", True)}
    want |= {(ids[1], i, False) for i in listed[ids[1]] if i != "financial_hardship"}
    want |= {(ids[0], i, False) for i in listed[ids[0]]}  # no_need: the listed issues
    assert set(outcomes.select("household_id", "issue", "confirmed").iter_rows()) == want
    assert set(outcomes["route"]) == {"kizuki"} and set(outcomes["opened_on"]) == {v}

    before = {p: p.read_bytes() for p in (layout.visits, layout.ledger, layout.followup)}
    again = _import(kit, night, path)
    assert again.returncode == 0, again.stderr
    assert "already imported; nothing changed" in again.stderr
    assert {p: p.read_bytes() for p in before} == before


def test_a_corrected_file_replaces_the_rows_it_corrects_and_the_ledger_keeps_both(
    kit, night
) -> None:
    v = night["as_of"] + dt.timedelta(days=7)
    first = night["folder"] / "filled.xlsx"
    ids = _fill(
        night["run"],
        first,
        {0: (v, "不在", [], None), 1: (v, "課題なし", [], None), 2: (v, "不在", [], None)},
    )
    assert _import(kit, night, first).returncode == 0
    run_id = pl.read_parquet(night["history"] / "visits.parquet")["run_id"][0]
    fixed = night["folder"] / "corrected.csv"
    later = (v + dt.timedelta(days=2)).isoformat()
    fixed.write_text(
        "実行ID,世帯ID,訪問日,訪問結果,確認：8050問題\n"
        f"{run_id},{ids[0]},{later},支援につながった,○\n"
        f"{run_id},{ids[1]},{later},課題なし,\n",
        encoding="utf-8-sig",
    )
    done = _import(kit, night, fixed)
    assert done.returncode == 0, done.stderr
    assert "corrects filled.xlsx (2 row(s) replaced)" in done.stderr
    visits = pl.read_parquet(night["history"] / "visits.parquet").sort("household_id")
    by = {r["household_id"]: r for r in visits.iter_rows(named=True)}
    assert len(visits) == 3
    assert (by[ids[0]]["file"], by[ids[0]]["result"]) == ("corrected.csv", "need_confirmed")
    assert by[ids[0]]["confirmed_issues"] == ["eight050"]
    assert by[ids[1]]["file"] == "corrected.csv"
    assert (by[ids[2]]["file"], by[ids[2]]["result"]) == ("filled.xlsx", "not_reached")
    imports = read_ledger(HistoryLayout(night["history"])).filter(
        pl.col("pipeline") == "feedback-import"
    )
    assert imports["status"].to_list() == ["done", "done"]
    assert [list(json.loads(h)) for h in imports["drop_hashes"]] == [
        ["filled.xlsx"],
        ["corrected.csv"],
    ]


def test_a_refused_file_leaves_a_refused_row_and_no_visit(kit, night) -> None:
    bad = night["folder"] / "names.csv"
    bad.write_text(
        "実行ID,世帯ID,訪問日,訪問結果,氏名\nR,H1,2026-07-01,不在,山田 太郎\n", encoding="cp932"
    )
    done = _import(kit, night, bad)
    assert done.returncode == 3
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("kizuki: error:") and "'氏名'" in line and "山田" not in line
    layout = HistoryLayout(night["history"])
    assert not layout.visits.exists()
    row = read_ledger(layout).row(-1, named=True)
    assert (row["pipeline"], row["status"], row["exit_status"]) == ("feedback-import", "refused", 3)


def test_the_next_nights_hold_back_and_list_the_confirmed_in_support(kit, night, town) -> None:
    v = night["as_of"] + dt.timedelta(days=5)
    path = night["folder"] / "filled.xlsx"
    answers = {
        0: (v, "課題なし", [], None),
        1: (v, "拒否", [], None),
        2: (v, "支援につながった", ["生活困窮"], None),
        3: (v, "不在", [], None),
    }
    ids = _fill(night["run"], path, answers)
    assert _import(kit, night, path).returncode == 0
    first = pl.read_parquet(night["run"] / "shortlist.parquet")
    listed_for = dict(first.select("household_id", "issues").iter_rows())
    held_pairs = {(h, i) for h in ids[:2] for i in listed_for[h]}
    ends = town["month_ends"]
    later = [d for d in ends if night["as_of"] < d < night["as_of"] + dt.timedelta(days=85)]
    assert len(later) >= 2
    for n, as_of in enumerate(later, start=1):
        kit.run_night(night["folder"], as_of)
        run = night["history"] / "runs" / as_of.isoformat()
        sl = pl.read_parquet(run / "shortlist.parquet")
        pairs = set(sl.select("household_id", "issues").explode("issues").iter_rows())
        assert not pairs & held_pairs, as_of  # no household listed again inside its hold
        row = dict(zip(sl["household_id"], sl.iter_rows(named=True), strict=True)).get(ids[2])
        if row is not None:
            assert "financial_hardship" not in row["issues"]
            assert "financial_hardship" in row["known_issues"] and row["known_case"]
            assert row["followup"] == "visited" and row["last_result"] == "need_confirmed"
        assert set(sl["followup"]) <= {"new", "again", "visited"}
        page = (run / "report.html").read_text("utf-8")
        assert 'id="loop"' in page
        held_part = page[page.index('id="held"') :].split("</section>", 1)[0]
        shown = [h for h in ids[:2] if f'data-household="{h}"' in held_part]
        assert shown, as_of  # counted and shown as held back, never silently dropped
        district = first.filter(pl.col("household_id") == ids[0])["district"].item()
        loop_part = page[page.index('id="loop"') :].split("</section>", 1)[0]
        cells = re.search(f'<tr data-district="{re.escape(district)}">(.*?)</tr>', loop_part)
        assert cells is not None
        numbers = [int(x.replace(",", "")) for x in re.findall(r'class="num">([\d,]+)<', cells[1])]
        lists, listed, visited, found, not_reached, no_result, held, _ = numbers
        assert (lists, visited, found, not_reached) == (n, 4, 1, 1)
        assert listed == visited + no_result and held >= 2
    follow = pl.read_parquet(night["history"] / "followup.parquet")
    top = follow.filter(pl.col("household_id") == ids[3])
    assert top["times_listed"].max() >= 1 and set(top["last_result"]) == {"not_reached"}
