"""drop.yaml as data: the 団体コード check digit and the field-by-field checks."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kizuki.contract.declaration import (
    FIELDS,
    RULES,
    check_tables,
    declaration_record,
    is_valid_municipality_code,
    municipality_check_digit,
    read_declaration,
)
from kizuki.contract.report import RULE_SEVERITY, RULE_TEXT

#: real codes (総務省 全国地方公共団体コード), covering remainders 0 (新宿区, 荒川区) and 1 (渋谷区)
KNOWN = {
    "282065": "芦屋市",
    "131016": "千代田区",
    "011002": "札幌市",
    "465259": "宇検村",
    "131041": "新宿区",
    "131181": "荒川区",
    "131130": "渋谷区",
    "130001": "東京都",
    "270008": "大阪府",
    "325015": "津和野町",
    "013919": "島牧村",
}


@pytest.mark.parametrize("code", sorted(KNOWN))
def test_known_codes_have_valid_check_digits(code: str) -> None:
    assert municipality_check_digit(code[:5]) == int(code[5])
    assert is_valid_municipality_code(code)


@given(st.from_regex(r"\A[0-9]{5}\Z"), st.integers(1, 9))
def test_every_other_sixth_digit_is_wrong(first: str, shift: int) -> None:
    good = municipality_check_digit(first)
    assert is_valid_municipality_code(first + str(good))
    assert not is_valid_municipality_code(first + str((good + shift) % 10))


@pytest.mark.parametrize("bad", ["28206", "2820650", "28206５", "ab2065", "", "２８２０６５"])
def test_malformed_codes_are_not_valid(bad: str) -> None:
    assert not is_valid_municipality_code(bad)


def _doc(**over: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "contract_version": 2,
        "municipality": {"code": "282065", "name": "芦屋市"},
        "extracted_on": dt.date(2026, 10, 5),
        "tables": {
            "residents": {"source": "住民記録システム", "purpose": "早期把握", "legal_basis": "社会福祉法"},
        },
    }
    doc.update(over)
    return doc


def _rules(doc: object) -> list[tuple[str | None, str]]:
    return [(f.column, f.rule) for f in read_declaration(doc)[1]]


def test_a_complete_declaration_has_no_findings() -> None:
    decl, found = read_declaration(_doc())
    assert found == [] and decl is not None
    assert decl.municipality_code == "282065" and decl.extracted_on == dt.date(2026, 10, 5)
    undeclared, more = check_tables(decl, ["residents"], accept_undeclared=False)
    assert undeclared == () and more == []


@pytest.mark.parametrize(
    ("over", "expected"),
    [
        ({"contract_version": 1}, ("contract_version", "unsupported_contract_version")),
        ({"contract_version": True}, ("contract_version", "unsupported_contract_version")),
        ({"municipality": {"code": "282064", "name": "芦屋市"}}, ("municipality.code", "municipality_code_check_digit")),
        # YAML reads 011002 as an octal number: it cannot be trusted, the code must be quoted
        ({"municipality": {"code": 4610, "name": "札幌市"}}, ("municipality.code", "invalid_municipality_code")),
        ({"municipality": {"code": "28206", "name": "芦屋市"}}, ("municipality.code", "invalid_municipality_code")),
        ({"municipality": {"name": "芦屋市"}}, ("municipality.code", "drop_yaml_field_missing")),
        ({"municipality": {"code": "282065", "name": " "}}, ("municipality.name", "drop_yaml_field_missing")),
        ({"municipality": "282065"}, ("municipality", "drop_yaml_field_invalid")),
        ({"extracted_on": "yesterday"}, ("extracted_on", "drop_yaml_field_invalid")),
        ({"extracted_on": None}, ("extracted_on", "drop_yaml_field_missing")),
        ({"tables": ["residents"]}, ("tables", "drop_yaml_field_invalid")),
        ({"tables": {"residents": {"purpose": 3, "legal_basis": "x"}}}, ("tables.residents.purpose", "drop_yaml_field_invalid")),
        ({"tables": {"people": {"purpose": "x", "legal_basis": "y"}}}, ("tables.people", "unknown_declared_table")),
        ({"legal_basis": "x"}, ("legal_basis", "unknown_drop_yaml_key")),
    ],
)
def test_each_field_is_checked(over: dict[str, object], expected: tuple[str, str]) -> None:
    assert expected in _rules(_doc(**over))


def test_an_unquoted_six_digit_code_and_a_wareki_date_are_read() -> None:
    decl, found = read_declaration(_doc(municipality={"code": 282065, "name": "芦屋市"}, extracted_on="R8.10.5"))
    assert found == [] and decl is not None
    assert decl.municipality_code == "282065" and decl.extracted_on == dt.date(2026, 10, 5)


def test_not_a_mapping_is_invalid() -> None:
    assert read_declaration(["a"]) == (None, read_declaration(None)[1])
    assert _rules("text") == [(None, "invalid_drop_yaml")]


def test_tables_without_purpose_or_legal_basis_are_undeclared() -> None:
    doc = _doc(
        tables={
            "residents": {"source": "s", "purpose": "p", "legal_basis": "l"},
            "tax": {"source": "s", "purpose": "p"},
            "care": {"legal_basis": ["l1", "l2"], "purpose": "p"},
            "school": {"source": "s", "purpose": "p", "legal_basis": "l"},
        }
    )
    decl, _ = read_declaration(doc)
    present = ["residents", "tax", "care", "utility"]
    undeclared, found = check_tables(decl, present, accept_undeclared=False)
    assert undeclared == ("tax", "utility")
    got = {(f.table, f.rule) for f in found}
    assert ("tax", "missing_legal_basis") in got and ("utility", "missing_legal_basis") in got
    assert ("care", "declaration_source_missing") in got
    assert ("school", "declared_table_absent") in got
    accepted, found = check_tables(decl, present, accept_undeclared=True)
    assert accepted == ("tax", "utility")
    assert {f.rule for f in found if f.table in accepted} == {"undeclared_table_accepted"}
    record = declaration_record(decl, accepted, present, accepted_undeclared=True)
    assert record["tables"]["tax"] == "undeclared"
    assert record["tables"]["care"]["legal_basis"] == "l1; l2"
    assert record["municipality"] == {"code": "282065", "name": "芦屋市"}


def test_no_drop_yaml_leaves_every_table_undeclared() -> None:
    undeclared, found = check_tables(None, ["residents", "tax"], accept_undeclared=False)
    assert undeclared == ("residents", "tax")
    assert ("drop.yaml", "drop_yaml_missing") in {(f.table, f.rule) for f in found}
    record = declaration_record(None, undeclared, ["residents", "tax"], accepted_undeclared=False)
    assert record["file"] is None and record["tables"] == {"residents": "undeclared", "tax": "undeclared"}


def test_every_rule_has_its_text_and_severity_in_the_report_catalogue() -> None:
    for rule, (severity, text) in RULES.items():
        assert RULE_TEXT[rule] == text and RULE_SEVERITY[rule] == severity
    assert {f.path.split(".")[0] for f in FIELDS} == {"contract_version", "municipality", "extracted_on", "tables"}
