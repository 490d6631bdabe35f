"""Every §8 rule of a returned feedback file: refusals (whole file, exit 3) and row
rejects (column + rule; rows in = kept + rejected), never a record's value in a message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from kizuki.outreach.config import load_outreach_config
from kizuki.outreach.sheet import FeedbackRefused, read_feedback
from kizuki.outreach.validate import check_rows

AS_OF = dt.date(2026, 3, 31)
TODAY = dt.date(2026, 4, 30)
LISTS = pl.DataFrame({"run_id": ["RUN1"] * 4, "household_id": ["HA001", "HA002", "HA003", "HA004"]})
RUNS = pl.DataFrame({"run_id": ["RUN1"], "as_of": [AS_OF]})
HEAD = "実行ID,世帯ID,訪問日,訪問結果,確認：生活困窮,確認：8050問題,チーム\n"


def _csv(tmp_path: Path, body: str, head: str = HEAD, encoding: str = "utf-8") -> Path:
    path = tmp_path / "feedback.csv"
    path.write_bytes((head + body).encode(encoding))
    return path


def _check(path: Path):
    return check_rows(read_feedback(path), LISTS, RUNS, TODAY, load_outreach_config())


#: (row cells after the header, the column and rule it breaks)
RULES = [
    (",HA001,2026-04-03,課題なし,,,", "run_id", "missing_value"),
    ("RUN1,,2026-04-03,課題なし,,,", "household_id", "missing_value"),
    ("RUN1,HA001,,課題なし,,,", "visited_on", "missing_value"),
    ("RUN1,HA001,2026-04-03,,,,T01", "result", "missing_value"),
    ("RUN1,HA001,2026-13-45,課題なし,,,", "visited_on", "invalid_date"),
    ("RUN1,HA001,H32.1.1,課題なし,,,", "visited_on", "date_outside_era"),
    ("RUN1,HA001,someday,課題なし,,,", "visited_on", "unparseable_date"),
    ("RUN1,HA001,2026-04-03,まあまあ,,,", "result", "unknown_code"),
    (
        "RUN1,HA001,2026-04-03,支援につながった,たぶん,,",
        "confirmed:financial_hardship",
        "unknown_mark",
    ),
    ("RUN1,HA001,2026-04-03,不在,,,山田 花子", "team", "team_not_a_code"),
    ("RUN9,HA001,2026-04-03,課題なし,,,", "run_id", "unknown_run"),
    ("RUN1,HZ999,2026-04-03,課題なし,,,", "household_id", "not_on_list"),
    ("RUN1,HA001,2026-03-30,課題なし,,,", "visited_on", "before_as_of"),
    ("RUN1,HA001,2026-05-01,課題なし,,,", "visited_on", "after_import_day"),
    ("RUN1,HA001,2026-04-03,支援につながった,,,", "confirmed_issues", "confirmed_issues_required"),
    ("RUN1,HA001,2026-04-03,課題なし,○,,", "confirmed_issues", "issues_without_need"),
]


@pytest.mark.parametrize(("row", "column", "rule"), RULES, ids=[r[2] + ":" + r[1] for r in RULES])
def test_each_row_rule_rejects_with_its_column_and_rule(tmp_path, row, column, rule) -> None:
    good = "RUN1,HA002,2026-04-03,課題なし,,,T01\n"
    checked = _check(_csv(tmp_path, good + row + "\n"))
    assert checked.rows_in == 2 == checked.kept.height + checked.rejects.height
    assert checked.kept["household_id"].to_list() == ["HA002"]
    assert checked.rejects.select("row", "column", "rule").rows() == [(3, column, rule)]


def test_an_unknown_issue_in_confirmed_issues_is_rejected(tmp_path) -> None:
    head = "run_id,household_id,visited_on,result,confirmed_issues\n"
    body = (
        "RUN1,HA001,2026-04-03,need_confirmed,生活困窮・8050問題\n"
        "RUN1,HA002,2026-04-03,need_confirmed,借金\n"
    )
    checked = _check(_csv(tmp_path, body, head))
    assert checked.kept["confirmed_issues"].to_list() == [["eight050", "financial_hardship"]]
    assert checked.rejects.select("column", "rule").rows() == [
        ("confirmed_issues", "unknown_issue")
    ]


def test_a_household_twice_for_one_run_rejects_every_copy(tmp_path) -> None:
    body = "RUN1,HA001,2026-04-03,不在,,,\nRUN1,HA001,2026-04-09,課題なし,,,\n"
    checked = _check(_csv(tmp_path, body))
    assert checked.kept.height == 0
    assert set(checked.rejects["rule"]) == {"duplicated_household"}
    assert checked.rejects.height == 2


def test_cp932_wareki_and_aliases_are_accepted(tmp_path) -> None:
    body = (
        "RUN1,HA001,R8.4.3,支援につながった,○,〇,T-01\n"
        "RUN1,HA002,令和8年4月5日,問題なし,,,\n"
        "RUN1,HA003,２０２６／０４／０６,訪問拒否,,,\n"
        "RUN1,HA004,20260407,会えず,,,\n"
    )
    checked = _check(_csv(tmp_path, body, encoding="cp932"))
    assert checked.rejects.height == 0
    kept = checked.kept.sort("household_id")
    assert kept["visited_on"].to_list() == [
        dt.date(2026, 4, 3),
        dt.date(2026, 4, 5),
        dt.date(2026, 4, 6),
        dt.date(2026, 4, 7),
    ]
    assert kept["result"].to_list() == ["need_confirmed", "no_need", "declined", "not_reached"]
    assert kept["confirmed_issues"][0].to_list() == ["eight050", "financial_hardship"]
    assert kept["team"][0] == "T-01"


def test_blank_rows_are_no_feedback_and_free_text_columns_are_ignored(tmp_path) -> None:
    head = "実行ID,世帯ID,地区,訪問日,訪問結果,備考\n"
    body = "RUN1,HA001,中央,2026-04-03,課題なし,元気そうだった\nRUN1,HA002,中央,,,\n"
    checked = _check(_csv(tmp_path, body, head))
    assert (checked.rows_in, checked.blank_rows, checked.kept.height) == (1, 1, 1)
    assert checked.ignored_columns == ("備考", "地区")
    assert "備考" not in checked.kept.columns and "元気" not in str(checked.kept.rows())


# ------------------------------------------------------------------ refusals


VALUES = ("HA001", "RUN1", "2026-04-03", "山田", "621498320257", "６２１４ ９８３２ ０２５７")


def _refused(path: Path) -> str:
    with pytest.raises(FeedbackRefused) as err:
        _check(path)
    assert err.value.exit_code == 3
    msg = str(err.value)
    for v in VALUES:
        assert v not in msg, msg
    return msg


@pytest.mark.parametrize("column", ["氏名", "世帯主名前", "住所", "電話番号", "name", "my_number"])
def test_a_name_like_column_refuses_the_file(tmp_path, column) -> None:
    msg = _refused(
        _csv(tmp_path, "RUN1,HA001,2026-04-03,課題なし,,,,山田\n", HEAD.strip() + f",{column}\n")
    )
    assert f"'{column}'" in msg and "direct identifier" in msg


@pytest.mark.parametrize("value", ["621498320257", "本人確認 ６２１４ ９８３２ ０２５７ 済"])
def test_a_my_number_in_any_cell_refuses_the_file(tmp_path, value) -> None:
    msg = _refused(
        _csv(tmp_path, f"RUN1,HA001,2026-04-03,課題なし,,,,{value}\n", HEAD.strip() + ",備考\n")
    )
    assert "'備考'" in msg and "1 value(s)" in msg and "個人番号" in msg


def test_a_name_column_on_another_sheet_of_the_workbook_refuses(tmp_path) -> None:
    wb = openpyxl.Workbook()
    entry = wb.active
    entry.title = "記入用"
    entry.append(["実行ID", "世帯ID", "訪問日", "訪問結果"])
    entry.append(["RUN1", "HA001", dt.date(2026, 4, 3), "課題なし"])
    other = wb.create_sheet("メモ")
    other.append(["世帯ID", "氏名"])
    other.append(["HA001", "山田"])
    wb.save(tmp_path / "f.xlsx")
    msg = _refused(tmp_path / "f.xlsx")
    assert "sheet 'メモ'" in msg and "'氏名'" in msg


def test_a_missing_required_column_refuses(tmp_path) -> None:
    msg = _refused(_csv(tmp_path, "RUN1,HA001,課題なし\n", "実行ID,世帯ID,訪問結果\n"))
    assert "visited_on" in msg and "missing" in msg


def test_two_columns_meaning_one_refuse(tmp_path) -> None:
    msg = _refused(
        _csv(
            tmp_path,
            "RUN1,HA001,2026-04-03,2026-04-04,課題なし\n",
            "実行ID,世帯ID,訪問日,visited_on,訪問結果\n",
        )
    )
    assert "both mean visited_on" in msg


def test_another_format_and_an_unreadable_workbook_refuse(tmp_path) -> None:
    (tmp_path / "f.json").write_text("{}", encoding="utf-8")
    assert "xlsx" in _refused(tmp_path / "f.json")
    (tmp_path / "f.xlsx").write_bytes(b"not a zip")
    assert "not a readable xlsx" in _refused(tmp_path / "f.xlsx")
