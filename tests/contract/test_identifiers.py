"""Direct identifiers: column names and 個人番号 values (contract §4)."""

from __future__ import annotations

import polars as pl
import pytest

from kizuki.contract.identifiers import (
    count_my_numbers,
    is_identifier_column,
    is_my_number,
    my_number_check_digit,
)


def test_contract_example_is_valid() -> None:
    assert my_number_check_digit("62149832025") == 7
    assert is_my_number("621498320257")


@pytest.mark.parametrize("last", [d for d in "012345689"])
def test_neighbours_of_the_example_are_invalid(last: str) -> None:
    assert not is_my_number("62149832025" + last)


def test_separated_and_full_width_forms() -> None:
    assert is_my_number("6214-9832-0257")
    assert is_my_number("６２１４９８３２０２５７")
    assert not is_my_number("62149832025")  # 11 digits
    assert not is_my_number("6214983202570")  # 13 digits


def test_count_my_numbers_in_a_column() -> None:
    s = pl.Series(
        "x", ["621498320257", "621498320258", "abc", None, "6214-9832-0257", "621498320257"]
    )
    assert count_my_numbers(s) == 3


@pytest.mark.parametrize(
    "name",
    [
        "氏名",
        "氏名カナ",
        "名前",
        "name",
        "Name",
        "full_name",
        "住所",
        "現住所",
        "home_address",
        "電話",
        "電話番号",
        "phone",
        "phoneNo",
        "tel",
        "個人番号",
        "マイナンバー",
        "my_number",
        "MyNumber",
        "宛名番号",
    ],
)
def test_identifier_columns(name: str) -> None:
    assert is_identifier_column(name)


@pytest.mark.parametrize(
    "name",
    ["person_id", "household_id", "district", "個人ID", "世帯ID", "地区", "hotel", "filed", "kind"],
)
def test_contract_columns_are_not_identifiers(name: str) -> None:
    assert not is_identifier_column(name)


# --- a 個人番号 anywhere inside a text value (contract §4) --------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kizuki.contract.identifiers import HYPHENS, SPACES, holds_my_number  # noqa: E402

FULL = str.maketrans("0123456789", "０１２３４５６７８９")
#: text around a number: kanji, kana, punctuation, spaces; no digit, no Latin letter
AROUND = st.text(alphabet="確認済本人申出番号をのは、。「」()（）:：/ 　\n", max_size=12)
#: one to three separator characters between two groups (mixed allowed)
SEPARATOR = st.text(alphabet=SPACES + HYPHENS, min_size=1, max_size=3)


def _holds(text: str) -> bool:
    return bool(holds_my_number(pl.Series("memo", [text])).item())


@st.composite
def numbers(draw, valid: bool = True) -> str:
    first = "".join(str(draw(st.integers(0, 9))) for _ in range(11))
    check = my_number_check_digit(first)
    last = check if valid else draw(st.integers(0, 9).filter(lambda d: d != check))
    return first + str(last)


@st.composite
def written(draw, number: str) -> str:
    """``number`` as a person writes it: plain or 4-4-4, each digit half- or full-width."""
    digits = "".join(c.translate(FULL) if draw(st.booleans()) else c for c in number)
    if draw(st.booleans()):
        return digits
    return digits[:4] + draw(SEPARATOR) + digits[4:8] + draw(SEPARATOR) + digits[8:]


def test_the_memo_of_the_issue_is_found() -> None:
    assert _holds("確認済 621498320257 本人申出")
    assert _holds("番号621498320257を確認")
    assert count_my_numbers(pl.Series("memo", ["確認済 621498320257 本人申出", "確認済"])) == 1


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_valid_number_is_found_anywhere(data) -> None:
    text = data.draw(AROUND) + data.draw(written(data.draw(numbers()))) + data.draw(AROUND)
    assert _holds(text), repr(text)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_wrong_check_digit_is_not_one(data) -> None:
    text = data.draw(AROUND) + data.draw(written(data.draw(numbers(valid=False)))) + data.draw(AROUND)
    assert not _holds(text), repr(text)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), left=st.text("0123456789０１２３abcXＡ", min_size=1, max_size=2),
       right=st.text("0123456789０１２３abcXＡ", min_size=1, max_size=2), side=st.sampled_from(["l", "r", "both"]))  # fmt: skip
def test_digits_or_letters_glued_on_disqualify(data, left: str, right: str, side: str) -> None:
    number = data.draw(written(data.draw(numbers())))
    glued = (left if side != "r" else "") + number + (right if side != "l" else "")
    text = data.draw(AROUND) + glued + data.draw(AROUND)
    assert not _holds(text), repr(text)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), length=st.sampled_from([11, 13, 14]))
def test_eleven_or_thirteen_digits_are_not_one(data, length: int) -> None:
    digits = "".join(str(data.draw(st.integers(0, 9))) for _ in range(length))
    text = data.draw(AROUND) + digits + data.draw(AROUND)
    assert not _holds(text), repr(text)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("1234-6214-9832-0257", False),  # a longer hyphenated code
        ("ab-621498320257", False),
        ("P202414186809f3cc", False),  # a hexadecimal pseudonym
        ("621498320257-01", False),
        ("6214----9832-0257", False),  # four separators
        ("62149832-0257", False),
        ("6214 - 9832 - 0257", True),
        ("1234 6214 9832 0257", True),  # spaces never join: each 4-4-4 is checked
        ("ID 621498320257 ok", True),
        ("６２１４－９８３２－０２５７", True),
        ("6214\u30009832\u30000257", True),
    ],
)
def test_codes_and_separator_forms(text: str, found: bool) -> None:
    assert _holds(text) is found


def test_a_refusal_names_table_column_and_count_never_the_value(tmp_path) -> None:
    from kizuki.io.drop import RefusedDrop, load_drop

    n = 20
    memo = ["確認済 621498320257 本人申出"] * 2 + ["なし"] * (n - 2)
    pl.DataFrame(
        {
            "person_id": [f"P{i:05d}" for i in range(n)],
            "household_id": [f"H{i:06d}" for i in range(n)],
            "birth_month": ["1950-01"] * n,
            "sex": ["F"] * n,
            "relation": ["head"] * n,
            "district": ["北地区"] * n,
            "valid_from": ["2026-01-05"] * n,
            "memo": memo,
        }
    ).write_parquet(tmp_path / "residents.parquet")
    with pytest.raises(RefusedDrop) as refused:
        load_drop(tmp_path)
    text = refused.value.report.to_text() + str(refused.value)
    assert "my_number_values" in text and "memo" in text and "residents" in text
    assert "621498320257" not in text and "6214" not in text
