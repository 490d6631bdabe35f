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
