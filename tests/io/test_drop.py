"""The door: a drop loads identically from any format, refuses identifiers, counts rejects."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kizuki.cli.main import app
from kizuki.contract.schema import TABLES
from kizuki.io.drop import RefusedDrop, load_drop

runner = CliRunner()

RESIDENTS_JP = """個人ID,世帯ID,生年月,性別,続柄,地区,開始日,終了日,異動事由,国籍区分
P01,H01,昭和15年5月,女,世帯主,精道,H30.4.1,,,日本
P02,H01,S47.3,男,長男,精道,平成30年4月1日,,,日本
P03,H02,195001,男,世帯主,山手,R1.5.1,令和5年3月1日,死亡,
P04,H02,1955-01,女,妻,山手,R01.05.01,,,外国
P05,H03,２０１５－０６,女,孫,浜風,2020/01/15,,,日本
"""
TAX_JP = """個人ID,年度,合計所得金額,主たる所得,課税区分,申告有無,滞納額,記録日
P01,令和5年度,１２００００,年金,非課税,申告あり,,
P02,R5,,なし,非課税,申告なし,,
P04,2023,3500000,給与,課税,申告あり,"12,000",R5.7.10
"""
UTILITY_JP = """世帯ID,年月,検針間隔,使用水量,請求額,未納額,給水停止予告
H01,令和5年8月,2,30.5,6000,0,なし
H02,R5.8,1,12,2800,2800,あり
H03,202308,,８.0,1900,0,
"""


def _write_cp932(folder: Path, name: str, text: str) -> None:
    (folder / f"{name}.csv").write_bytes(text.encode("cp932"))


def _twin() -> dict[str, pl.DataFrame]:
    D = dt.date
    return {
        "residents": pl.DataFrame(
            {
                "person_id": ["P01", "P02", "P03", "P04", "P05"],
                "household_id": ["H01", "H01", "H02", "H02", "H03"],
                "birth_month": ["1940-05", "1972-03", "1950-01", "1955-01", "2015-06"],
                "sex": ["F", "M", "M", "F", "F"],
                "relation": ["head", "child", "head", "spouse", "grandchild"],
                "district": ["精道", "精道", "山手", "山手", "浜風"],
                "valid_from": [
                    D(2018, 4, 1),
                    D(2018, 4, 1),
                    D(2019, 5, 1),
                    D(2019, 5, 1),
                    D(2020, 1, 15),
                ],
                "valid_to": [None, None, D(2023, 3, 1), None, None],
                "end_reason": [None, None, "died", None, None],
                "nationality": ["jp", "jp", None, "foreign", "jp"],
            }
        ),
        "tax": pl.DataFrame(
            {
                "person_id": ["P01", "P02", "P04"],
                "fiscal_year": [2023, 2023, 2023],
                "income_total": [120000, None, 3500000],
                "main_income": ["pension", "none", "salary"],
                "taxable": [False, False, True],
                "filed": [True, False, True],
                "arrears_yen": [None, None, 12000],
                "recorded_on": [None, None, D(2023, 7, 10)],
            }
        ),
        "utility": pl.DataFrame(
            {
                "household_id": ["H01", "H02", "H03"],
                "month": ["2023-08", "2023-08", "2023-08"],
                "period_months": [2, 1, None],
                "water_m3": [30.5, 12.0, 8.0],
                "billed_yen": [6000, 2800, 1900],
                "unpaid_yen": [0, 2800, 0],
                "stop_notice": [False, True, None],
            }
        ),
    }


def test_cp932_japanese_drop_loads_identically_to_its_parquet_twin(tmp_path: Path, declare) -> None:
    jp, pq = tmp_path / "jp", tmp_path / "pq"
    jp.mkdir()
    pq.mkdir()
    _write_cp932(jp, "residents", RESIDENTS_JP)
    _write_cp932(jp, "tax", TAX_JP)
    _write_cp932(jp, "utility", UTILITY_JP)
    for name, frame in _twin().items():
        frame.write_parquet(pq / f"{name}.parquet")
    declare(jp), declare(pq)
    a, b = load_drop(jp), load_drop(pq)
    assert a.report.tables["residents"].encoding == "cp932"
    for name in ("residents", "tax", "utility"):
        fa, fb = a.tables[name].collect(), b.tables[name].collect()
        assert fa.schema == TABLES[name].schema
        assert fa.equals(fb), name
    util = a.tables["utility"].collect()
    # a bi-monthly row is known at the end of its two-month period
    assert util.filter(pl.col("household_id") == "H01")["known_on"].item() == dt.date(2023, 9, 30)
    assert util["period_months"].to_list() == [2, 1, 1]
    tax = a.tables["tax"].collect()
    assert tax["known_on"].to_list() == [
        dt.date(2023, 6, 1),
        dt.date(2023, 6, 1),
        dt.date(2023, 7, 10),
    ]


def test_utf8_bom_is_detected(tmp_path: Path, declare) -> None:
    (tmp_path / "residents.csv").write_bytes(b"\xef\xbb\xbf" + RESIDENTS_JP.encode("utf-8"))
    declare(tmp_path)
    loaded = load_drop(tmp_path)
    assert loaded.report.tables["residents"].encoding == "utf-8-sig"
    assert loaded.tables["residents"].collect().height == 5


@pytest.mark.parametrize("column", ["個人ID", "地区", "開始日"])
def test_my_number_in_any_column_refuses_without_the_value(
    tmp_path: Path, column: str, declare
) -> None:
    frame = pl.read_csv(RESIDENTS_JP.encode("utf-8"), infer_schema=False)
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 1)
        .then(pl.lit("621498320257"))
        .otherwise(pl.col(column))
        .alias(column)
    )
    frame.write_csv(tmp_path / "residents.csv")
    declare(tmp_path)
    result = runner.invoke(app, ["validate", str(tmp_path), "--out", str(tmp_path / "v")])
    assert result.exit_code == 3
    assert "my_number_values" in result.output
    assert "residents" in result.output
    assert "621498320257" not in result.output
    report = (tmp_path / "v" / "report.json").read_text(encoding="utf-8")
    assert "621498320257" not in report
    v = [x for x in json.loads(report)["violations"] if x["rule"] == "my_number_values"]
    assert v[0]["count"] == 1 and v[0]["table"] == "residents"


def test_column_named_shimei_refuses(tmp_path: Path, declare) -> None:
    frame = pl.read_csv(RESIDENTS_JP.encode("utf-8"), infer_schema=False).with_columns(
        氏名=pl.lit("山田太郎")
    )
    frame.write_csv(tmp_path / "residents.csv")
    declare(tmp_path)
    result = runner.invoke(app, ["validate", str(tmp_path), "--out", str(tmp_path / "v")])
    assert result.exit_code == 3
    assert "residents.氏名" in result.output and "identifier_column" in result.output
    assert "山田太郎" not in result.output
    assert "Traceback" not in result.output


def _synth_like_utility(n: int, bad: int) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "household_id": [f"H{i:04d}" for i in range(n)],
            "month": ["2024-01"] * n,
            "water_m3": [10.0] * n,
            "billed_yen": [2000] * n,
            "unpaid_yen": [0] * n,
        }
    )
    return frame.with_columns(
        unpaid_yen=pl.when(pl.int_range(pl.len()) < bad).then(-5).otherwise(pl.col("unpaid_yen"))
    )


def _residents_for(households: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "person_id": [f"P{i:04d}" for i in range(households)],
            "household_id": [f"H{i:04d}" for i in range(households)],
            "birth_month": ["1950-01"] * households,
            "sex": ["F"] * households,
            "relation": ["head"] * households,
            "district": ["east"] * households,
            "valid_from": [dt.date(2020, 1, 1)] * households,
        }
    )


def test_a_few_bad_rows_are_rejected_and_counted_exactly(
    tmp_path: Path, declare, lenient_config: Path
) -> None:
    _residents_for(1000).write_parquet(tmp_path / "residents.parquet")
    _synth_like_utility(1000, 7).write_parquet(tmp_path / "utility.parquet")
    declare(tmp_path)
    result = runner.invoke(
        app,
        ["--config-dir", str(lenient_config), "validate", str(tmp_path), "--out", str(tmp_path / "v")],
    )
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "v" / "report.json").read_text(encoding="utf-8"))
    util = report["tables"]["utility"]
    assert (util["rows_read"], util["rows_kept"], util["rows_rejected"]) == (1000, 993, 7)
    rejects = pl.read_parquet(tmp_path / "v" / "rejects" / "utility.parquet")
    assert rejects.height == 7 and set(rejects["rule"]) == {"negative_value"}
    assert set(rejects["column"]) == {"unpaid_yen"}


def test_five_percent_bad_utility_rows_refuse_the_drop(
    tmp_path: Path, declare, lenient_config: Path
) -> None:
    _residents_for(1000).write_parquet(tmp_path / "residents.parquet")
    _synth_like_utility(1000, 50).write_parquet(tmp_path / "utility.parquet")
    declare(tmp_path)
    result = runner.invoke(
        app,
        ["--config-dir", str(lenient_config), "validate", str(tmp_path), "--out", str(tmp_path / "v")],
    )
    assert result.exit_code == 3
    assert "utility" in result.output and "reject_share_over_limit" in result.output


def test_missing_residents_and_missing_required_column_refuse(tmp_path: Path, declare) -> None:
    _synth_like_utility(10, 0).drop("billed_yen").write_parquet(tmp_path / "utility.parquet")
    declare(tmp_path)
    with pytest.raises(RefusedDrop) as exc:
        load_drop(tmp_path)
    rules = {(v.table, v.rule) for v in exc.value.report.refusals}
    assert ("residents", "missing_required_table") in rules
    assert ("utility", "missing_required_column") in rules


def test_duplicate_key_refuses(tmp_path: Path, declare) -> None:
    pl.concat([_residents_for(3), _residents_for(3).head(1)]).write_parquet(
        tmp_path / "residents.parquet"
    )
    declare(tmp_path)
    with pytest.raises(RefusedDrop) as exc:
        load_drop(tmp_path)
    assert [v.rule for v in exc.value.report.refusals] == ["duplicate_key"]


def test_overlapping_periods_reject_the_later_one(tmp_path: Path, declare) -> None:
    r = _residents_for(2)
    extra = r.head(1).with_columns(
        household_id=pl.lit("H9999"), valid_from=pl.lit(dt.date(2021, 1, 1))
    )
    pl.concat([r, extra]).write_parquet(tmp_path / "residents.parquet")
    declare(tmp_path)
    loaded = load_drop(tmp_path, reject_limit=0.5)
    assert loaded.rejects["residents"]["rule"].to_list() == ["period_overlap"]
    assert loaded.tables["residents"].collect().height == 2


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nope")])
    assert result.exit_code != 0 and "Traceback" not in result.output
    (tmp_path / "residents.csv").write_bytes(b"\x00\xff\xfe garbage")
    result = runner.invoke(app, ["validate", str(tmp_path), "--out", str(tmp_path / "v")])
    assert result.exit_code == 3 and "Traceback" not in result.output


# -------------------------------------------------------------- property-based

_junk = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "H32.1.1",
            "R1.4.1",
            "-1",
            "１２",
            "NaN",
            "9" * 30,
            "令和元年13月",
            "2023-02-30",
            "男",
            "xyz",
        ]
    ),
)
_columns = [
    (t, c.name)
    for t, tbl in TABLES.items()
    for c in tbl.columns
    if t in ("residents", "tax", "school", "utility", "care")
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(target=st.sampled_from(_columns), junk=st.lists(_junk, min_size=1, max_size=4))
def test_junk_in_any_field_is_rejected_or_refused_never_a_crash(
    tmp_path: Path, target: tuple[str, str], junk: list[str], declare
) -> None:
    table, column = target
    base = {
        "residents": "person_id,household_id,birth_month,sex,relation,district,valid_from\n"
        + "".join(f"P{i},H{i},1950-01,F,head,east,2020-01-01\n" for i in range(8)),
        "tax": "person_id,fiscal_year,main_income,taxable,filed\n"
        + "".join(f"P{i},2023,pension,0,1\n" for i in range(8)),
        "school": "person_id,month,school_level,school_days,absent_days\n"
        + "".join(f"P{i},2023-05,elementary,19,1\n" for i in range(8)),
        "utility": "household_id,month,water_m3,billed_yen,unpaid_yen\n"
        + "".join(f"H{i},2023-05,10,2000,0\n" for i in range(8)),
        "care": "person_id,kind,level,valid_from\n"
        + "".join(f"P{i},ltc,care2,2022-01-01\n" for i in range(8)),
    }
    import tempfile

    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    for name, text in base.items():
        frame = pl.read_csv(text.encode(), infer_schema=False)
        if name == table:
            if column not in frame.columns:
                frame = frame.with_columns(pl.lit(None, pl.String).alias(column))
            values = frame[column].to_list()
            for i, j in enumerate(junk):
                values[i] = j
            frame = frame.with_columns(pl.Series(column, values, dtype=pl.String))
        frame.write_csv(folder / f"{name}.csv")
    declare(folder)
    try:
        loaded = load_drop(folder, reject_limit=1.0)
    except RefusedDrop as exc:
        report = exc.report
    else:
        report = loaded.report
    t = report.tables[table]
    assert t.rows_read == 8
    assert t.rows_read == t.rows_kept + t.rows_rejected or not report.usable
