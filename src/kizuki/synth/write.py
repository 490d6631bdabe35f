"""Write a synthetic drop: parquet (canonical form) or ``csv-jp`` (as municipalities send it).

``csv-jp``: CP932 CSV files with Japanese headers (contract §1 aliases), 和暦 dates in
a mix of the accepted forms (``R5.8.3``, ``R05.08.03``, ``令和5年8月3日``,
``令和元年5月1日``) beside ``YYYY/MM/DD``, months as ``R5.8`` / ``令和5年8月`` /
``YYYYMM``, fiscal years as ``令和6年度`` / ``R6``, Japanese codes (男/女, 世帯主/長男/母,
要介護3/23, 課税/非課税, …) and full-width digits in some numeric fields. Loading
either form gives identical canonical frames.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from kizuki.calendar import month_end
from kizuki.contract import schema
from kizuki.contract.declaration import (
    DROP_CONTRACT_VERSION,
    DROP_YAML,
    TYPICAL_SOURCE,
    Declaration,
    TableBasis,
)
from kizuki.io.atomic import write_bytes, write_parquet
from kizuki.io.drop import write_declaration
from kizuki.io.staging import staged_folder
from kizuki.synth.generate import SynthDrop

_ERAS = (  # letter, kanji, first day, first year
    ("R", "令和", (2019, 5, 1)),
    ("H", "平成", (1989, 1, 8)),
    ("S", "昭和", (1926, 12, 25)),
    ("T", "大正", (1912, 7, 30)),
    ("M", "明治", (1868, 10, 23)),
)


def _era(d: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(letter, kanji, era year) of a date expression."""
    letter = pl.lit("M")
    kanji = pl.lit("明治")
    first_year = pl.lit(1868)
    for ltr, kj, (y, m, dd) in reversed(_ERAS[:-1]):
        hit = d >= pl.date(y, m, dd)
        letter = pl.when(hit).then(pl.lit(ltr)).otherwise(letter)
        kanji = pl.when(hit).then(pl.lit(kj)).otherwise(kanji)
        first_year = pl.when(hit).then(pl.lit(y)).otherwise(first_year)
    return letter, kanji, d.dt.year() - first_year + 1


def _full_width(e: pl.Expr) -> pl.Expr:
    for a, b in zip("0123456789-", "０１２３４５６７８９－", strict=True):
        e = e.str.replace_all(a, b, literal=True)
    return e


def _wareki_date(col: str, row: pl.Expr) -> pl.Expr:
    d = pl.col(col)
    letter, kanji, ey = _era(d)
    y, m, dd = d.dt.year(), d.dt.month(), d.dt.day()
    kanji_year = pl.when(ey == 1).then(pl.lit("元")).otherwise(ey.cast(pl.String))
    forms = [
        pl.format("{}{}.{}.{}", letter, ey, m, dd),
        pl.format(
            "{}{}.{}.{}",
            letter,
            ey.cast(pl.String).str.zfill(2),
            m.cast(pl.String).str.zfill(2),
            dd.cast(pl.String).str.zfill(2),
        ),
        pl.format("{}{}年{}月{}日", kanji, kanji_year, m, dd),
        pl.format("{}/{}/{}", y, m.cast(pl.String).str.zfill(2), dd.cast(pl.String).str.zfill(2)),
    ]
    k = row % 4
    out = (
        pl.when(k == 0)
        .then(forms[0])
        .when(k == 1)
        .then(forms[1])
        .when(k == 2)
        .then(forms[2])
        .otherwise(forms[3])
    )
    return pl.when(d.is_null()).then(pl.lit(None, pl.String)).otherwise(out)


def _wareki_month(col: str, row: pl.Expr) -> pl.Expr:
    d = (
        pl.col(col).str.strptime(pl.Date, "%Y-%m")
        if False
        else (pl.col(col) + "-01").str.to_date("%Y-%m-%d")
    )
    letter, kanji, ey = _era(d)
    y, m = d.dt.year(), d.dt.month()
    kanji_year = pl.when(ey == 1).then(pl.lit("元")).otherwise(ey.cast(pl.String))
    k = row % 3
    out = (
        pl.when(k == 0)
        .then(pl.format("{}{}.{}", letter, ey, m))
        .when(k == 1)
        .then(pl.format("{}{}年{}月", kanji, kanji_year, m))
        .otherwise(pl.format("{}{}", y, m.cast(pl.String).str.zfill(2)))
    )
    return pl.when(pl.col(col).is_null()).then(pl.lit(None, pl.String)).otherwise(out)


_JA_CODES: dict[str, dict[str, str]] = {
    "sex": {"M": "男", "F": "女"},
    "end_reason": {"moved_out": "転出", "died": "死亡", "household_change": "世帯変更"},
    "nationality": {"jp": "日本", "foreign": "外国"},
    "main_income": {
        "salary": "給与",
        "pension": "年金",
        "business": "営業",
        "other": "その他",
        "none": "なし",
    },
    "kind": {
        "ltc": "要介護認定",
        "disability_physical": "身体障害者手帳",
        "disability_intellectual": "療育手帳",
        "disability_mental": "精神障害者保健福祉手帳",
    },
    "school_level": {"elementary": "小学校", "junior_high": "中学校", "high": "高等学校"},
    "school_aid": {"none": "なし", "semi": "準要保護", "full": "要保護"},
    "issue": schema.ISSUE_NAMES_JA,
    "route": {
        "consultation": "相談",
        "referral": "関係機関",
        "outreach": "アウトリーチ",
        "kizuki": "気づき",
    },
}
_LTC_JA = {
    "none": "非該当",
    "program": "事業対象者",
    "support1": "要支援1",
    "support2": "要支援2",
    **{f"care{i}": f"要介護{i}" for i in range(1, 6)},
}
_LTC_NUM = {
    "none": "01",
    "program": "06",
    "support1": "12",
    "support2": "13",
    **{f"care{i}": str(20 + i) for i in range(1, 6)},
}


def _relation(row: pl.Expr) -> pl.Expr:
    rel, sex = pl.col("relation"), pl.col("sex")
    f = sex == "F"
    return (
        pl.when(rel == "head")
        .then(pl.lit("世帯主"))
        .when(rel == "spouse")
        .then(pl.when(f).then(pl.lit("妻")).otherwise(pl.lit("夫")))
        .when(rel == "child")
        .then(
            pl.when(row % 2 == 0)
            .then(pl.lit("子"))
            .otherwise(pl.when(f).then(pl.lit("長女")).otherwise(pl.lit("長男")))
        )
        .when(rel == "parent")
        .then(pl.when(f).then(pl.lit("母")).otherwise(pl.lit("父")))
        .when(rel == "parent_in_law")
        .then(pl.when(f).then(pl.lit("妻の母")).otherwise(pl.lit("妻の父")))
        .when(rel == "child_in_law")
        .then(pl.when(f).then(pl.lit("子の妻")).otherwise(pl.lit("子の夫")))
        .when(rel == "grandchild")
        .then(pl.lit("孫"))
        .when(rel == "grandparent")
        .then(pl.when(f).then(pl.lit("祖母")).otherwise(pl.lit("祖父")))
        .when(rel == "sibling")
        .then(pl.when(f).then(pl.lit("姉")).otherwise(pl.lit("兄")))
        .when(rel == "other_relative")
        .then(pl.lit("その他の親族"))
        .otherwise(pl.lit("同居人"))
    )


def _level(row: pl.Expr) -> pl.Expr:
    kind, lvl = pl.col("kind"), pl.col("level")
    ltc = (
        pl.when(row % 2 == 0)
        .then(lvl.replace_strict(_LTC_JA, default=lvl))
        .otherwise(lvl.replace_strict(_LTC_NUM, default=lvl))
    )
    return (
        pl.when(kind == "ltc")
        .then(ltc)
        .when(kind == "disability_intellectual")
        .then(pl.when(lvl == "A").then(pl.lit("A1")).otherwise(pl.lit("B2")))
        .otherwise(pl.format("{}級", lvl))
    )


def to_csv_jp(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """One contract table in its canonical form -> the csv-jp text form (all String)."""
    spec = schema.TABLES[table]
    row = pl.int_range(pl.len())
    exprs: list[pl.Expr] = []
    for col in spec.columns:
        if col.name not in frame.columns:
            continue
        c = pl.col(col.name)
        if col.name == "relation":
            e = _relation(row)
        elif col.name == "level":
            e = _level(row)
        elif col.name in _JA_CODES:
            e = c.replace_strict(_JA_CODES[col.name], default=c)
        elif col.kind == "date":
            e = _wareki_date(col.name, row)
        elif col.kind == "month":
            e = _wareki_month(col.name, row)
        elif col.kind == "fiscal_year":
            e = (
                pl.when(row % 2 == 0)
                .then(pl.format("令和{}年度", c - 2018))
                .otherwise(pl.format("R{}", c - 2018))
            )
            e = pl.when(c < 2019).then(pl.format("平成{}年度", c - 1988)).otherwise(e)
        elif col.kind == "bool":
            words = {
                "taxable": ("課税", "非課税"),
                "filed": ("申告あり", "申告なし"),
                "stop_notice": ("あり", "なし"),
                "confirmed": ("はい", "いいえ"),
            }
            yes, no = words.get(col.name, ("1", "0"))
            e = (
                pl.when(c.is_null())
                .then(pl.lit(None, pl.String))
                .when(c)
                .then(pl.lit(yes))
                .otherwise(pl.lit(no))
            )
        elif col.kind in ("int", "float"):
            e = c.cast(pl.String)
            e = pl.when(row % 7 == 3).then(_full_width(e)).otherwise(e)
        else:
            e = c.cast(pl.String)
        exprs.append(e.cast(pl.String).alias(col.alias or col.name))
    return frame.select(exprs)


#: what a synthetic drop's drop.yaml says for every table
SYNTHETIC_PURPOSE = (
    "合成データ: kizuki の試験・デモ・評価（実在の個人・世帯の情報を含まない）"
)
SYNTHETIC_BASIS = (
    "該当なし（kizuki synth が生成した合成データであり、個人情報を含まない。"
    "実データの drop.yaml には利用目的と法的根拠を記す）"
)


def synthetic_declaration(drop: SynthDrop) -> Declaration:
    """The ``drop.yaml`` of a synthetic drop: the spec's municipality (a real preset's
    code, else the fictional 990019), extracted on the last day of the history, and per
    table the usual source system, a synthetic purpose and no legal basis needed."""
    spec = drop.spec
    return Declaration(
        contract_version=DROP_CONTRACT_VERSION,
        municipality_code=spec.municipality_code,
        municipality_name=spec.municipality_name,
        extracted_on=month_end(spec.end_month),
        tables={
            name: TableBasis(
                source=f"{TYPICAL_SOURCE[name]}（合成）",
                purpose=SYNTHETIC_PURPOSE,
                legal_basis=SYNTHETIC_BASIS,
            )
            for name in drop.tables
        },
    )


def write_drop(drop: SynthDrop, out: Path, fmt: str = "parquet") -> list[Path]:
    """Write the tables (``parquet`` or ``csv-jp``), ``drop.yaml`` and ``truth/`` into
    ``out``; returns the files. Written whole or not at all (:func:`staged_folder`): an
    error (a full disk, an interrupt) leaves no file of this drop behind."""
    names: list[Path] = []
    with staged_folder(out) as stage:
        for name, frame in drop.tables.items():
            if fmt == "parquet":
                write_parquet(stage / f"{name}.parquet", frame)
                names.append(Path(f"{name}.parquet"))
            else:
                text = to_csv_jp(name, frame).write_csv()
                write_bytes(stage / f"{name}.csv", text.encode("cp932"))
                names.append(Path(f"{name}.csv"))
        write_declaration(stage, synthetic_declaration(drop))
        names.append(Path(DROP_YAML))
        for name, frame in drop.truth.items():
            write_parquet(stage / "truth" / f"{name}.parquet", frame)
            names.append(Path("truth") / f"{name}.parquet")
    return [out / n for n in names]
