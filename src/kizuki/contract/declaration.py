"""The drop's own description, ``drop.yaml`` (contract v2 §1), as data, and its checks.

``drop.yaml`` sits at the top of a drop and says what the drop is and why it may be
used: the contract version, the municipality (全国地方公共団体コード with its check
digit, and its name), the day of extraction, and per table the system it came from,
the purpose of its use and its legal basis. :data:`FIELDS` lists every field (the
contract document is generated from it); :data:`RULES` the rules the door applies,
with their severity and text.

- :func:`read_declaration` (in: the parsed YAML document; out: a :class:`Declaration`
  or None, and the :class:`Finding` s) checks the fields one by one;
- :func:`check_tables` (in: the declaration, the tables present, whether undeclared
  tables are accepted; out: the undeclared tables and the findings) applies the
  ``missing_legal_basis`` rule;
- :func:`declaration_record` is the JSON-ready record a validation report and a run
  manifest keep (per table: source, purpose and legal basis, or ``"undeclared"``);
- :func:`municipality_check_digit` computes the sixth digit of a 団体コード.

Nothing here opens a file (:mod:`kizuki.io.drop` reads ``drop.yaml``). A finding names
the field and the rule, never the text written there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from kizuki.contract.parse import ParseFailure, nfkc, parse_date
from kizuki.contract.schema import TABLES

#: the file name, at the top of the drop folder
DROP_YAML = "drop.yaml"
#: the contract version a ``drop.yaml`` declares (version 1 drops have no drop.yaml)
DROP_CONTRACT_VERSION = 2
#: the pseudo-table name findings about ``drop.yaml`` itself are reported under
WHERE = DROP_YAML

Severity = Literal["refuse", "reject", "warn"]


@dataclass(frozen=True)
class DeclField:
    """One field of ``drop.yaml``: its path, type, whether it is required, meaning, example."""

    path: str
    kind: str
    required: str
    meaning_en: str
    example: str


#: every field of drop.yaml, in the order the contract document lists them
FIELDS: tuple[DeclField, ...] = (
    DeclField(
        "contract_version",
        "integer",
        "yes",
        f"the contract version the drop follows: `{DROP_CONTRACT_VERSION}`",
        str(DROP_CONTRACT_VERSION),
    ),
    DeclField(
        "municipality.code",
        "text, 6 digits",
        "yes",
        "全国地方公共団体コード: five digits and a check digit (weights 6, 5, 4, 3, 2; "
        "11 − (sum mod 11), written mod 10); a wrong check digit refuses the drop. Write "
        "it in quotes: YAML reads a number with a leading 0 as another number",
        '"282065"',
    ),
    DeclField("municipality.name", "text", "yes", "the municipality's name", "芦屋市"),
    DeclField(
        "extracted_on",
        "date",
        "yes",
        "the day the extract was made (any date form of section 1)",
        "2026-09-30",
    ),
    DeclField(
        "tables.<table>.source",
        "text",
        "recommended (warning when absent)",
        "the system the table came from",
        "住民記録システム",
    ),
    DeclField(
        "tables.<table>.purpose",
        "text",
        "yes, for every table file present",
        "why the table is used, in plain Japanese",
        "重層的支援体制整備事業における支援が必要な世帯の早期把握",
    ),
    DeclField(
        "tables.<table>.legal_basis",
        "text, or a list of texts",
        "yes, for every table file present",
        "the legal basis of that use",
        "社会福祉法第106条の6（支援会議）",
    ),
)

#: rule -> (severity, English text): the rules about drop.yaml the door applies
RULES: dict[str, tuple[Severity, str]] = {
    "missing_legal_basis": (
        "refuse",
        "table file has no entry with purpose and legal_basis in drop.yaml (contract §1); "
        "declare it, or run with --accept-undeclared to use it recorded as undeclared",
    ),
    "undeclared_table_accepted": (
        "warn",
        "table used WITHOUT a declared purpose and legal basis (--accept-undeclared); "
        "recorded as undeclared",
    ),
    "drop_yaml_missing": (
        "warn",
        "no drop.yaml: a contract version 1 drop, nothing about it is declared",
    ),
    "invalid_drop_yaml": ("refuse", "drop.yaml is not a readable UTF-8 YAML mapping"),
    "drop_yaml_field_missing": ("refuse", "required drop.yaml field is missing or empty"),
    "drop_yaml_field_invalid": ("refuse", "drop.yaml field has the wrong type or form"),
    "unsupported_contract_version": (
        "refuse",
        f"drop.yaml contract_version is not {DROP_CONTRACT_VERSION}",
    ),
    "invalid_municipality_code": (
        "refuse",
        "municipality code is not 6 digits (write it in quotes, e.g. \"011002\")",
    ),
    "municipality_code_check_digit": (
        "refuse",
        "municipality code's check digit (6th digit) does not match its first five digits",
    ),
    "unknown_drop_yaml_key": ("warn", "drop.yaml key is not in the contract and is ignored"),
    "unknown_declared_table": ("warn", "drop.yaml declares a table the contract does not have"),
    "declared_table_absent": (
        "warn",
        "drop.yaml declares a table the drop holds no file for",
    ),
    "declaration_source_missing": ("warn", "drop.yaml entry has no source (system it came from)"),
}

_TOP = ("contract_version", "municipality", "extracted_on", "tables")
_MUNICIPALITY = ("code", "name")
_ENTRY = ("source", "purpose", "legal_basis")

#: the weights of the first five digits of a 団体コード
_WEIGHTS = (6, 5, 4, 3, 2)


def municipality_check_digit(first_five: str) -> int:
    """The check digit of a 全国地方公共団体コード from its first five digits.

    In: five ASCII digits (prefecture and municipality). Out: 0–9: with the weights
    6, 5, 4, 3, 2, the digit is ``11 − (Σ digit × weight mod 11)``, written mod 10 (a
    remainder of 0 gives 1, of 1 gives 0). Examples: 28206 → 5 (282065 芦屋市),
    13101 → 6 (131016 千代田区), 13104 → 1 (131041 新宿区), 13113 → 0 (131130 渋谷区).
    Raises ValueError for anything but five digits.
    """
    if len(first_five) != 5 or not first_five.isascii() or not first_five.isdigit():
        raise ValueError("a municipality code's first part is five digits")
    total = sum(int(d) * w for d, w in zip(first_five, _WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def is_valid_municipality_code(code: str) -> bool:
    """Whether ``code`` is six ASCII digits whose last is the check digit of the first five."""
    return (
        len(code) == 6
        and code.isascii()
        and code.isdigit()
        and municipality_check_digit(code[:5]) == int(code[5])
    )


@dataclass(frozen=True)
class Finding:
    """One rule broken (or noted) in ``drop.yaml``: where (a table or ``drop.yaml``), the
    field path, the rule; never the text written in the field."""

    table: str
    column: str | None
    rule: str

    @property
    def severity(self) -> Severity:
        """The rule's severity (see :data:`RULES`)."""
        return RULES[self.rule][0]


@dataclass(frozen=True)
class TableBasis:
    """One table's entry: the system it came from, the purpose, the legal basis (None: absent)."""

    source: str | None = None
    purpose: str | None = None
    legal_basis: str | None = None

    @property
    def complete(self) -> bool:
        """True when both purpose and legal basis are given."""
        return bool(self.purpose) and bool(self.legal_basis)


@dataclass(frozen=True)
class Declaration:
    """What a ``drop.yaml`` declares (fields that failed their check are None)."""

    contract_version: int | None
    municipality_code: str | None
    municipality_name: str | None
    extracted_on: dt.date | None
    tables: Mapping[str, TableBasis] = field(default_factory=dict)

    def to_yaml_data(self) -> dict[str, Any]:
        """The declaration as the mapping a ``drop.yaml`` holds (for writers)."""
        return {
            "contract_version": self.contract_version,
            "municipality": {"code": self.municipality_code, "name": self.municipality_name},
            "extracted_on": self.extracted_on,
            "tables": {
                name: {k: v for k, v in vars(b).items() if v is not None}
                for name, b in self.tables.items()
            },
        }


def _text(value: object) -> str | None:
    """A non-empty stripped string, or None (for None / empty); raises TypeError otherwise."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    raise TypeError


def _code(value: object) -> tuple[str | None, str | None]:
    """(the code as six digits, the rule it breaks) from a YAML value."""
    if isinstance(value, bool) or value is None:
        return None, "drop_yaml_field_missing" if value is None else "invalid_municipality_code"
    if isinstance(value, int):
        # YAML reads 282065 as a number; one with a leading 0 cannot be recovered
        text = str(value) if 100000 <= value <= 999999 else ""
    elif isinstance(value, str):
        text = nfkc(value).strip()
        if not text:
            return None, "drop_yaml_field_missing"
    else:
        return None, "invalid_municipality_code"
    if len(text) != 6 or not text.isascii() or not text.isdigit():
        return None, "invalid_municipality_code"
    if not is_valid_municipality_code(text):
        return None, "municipality_code_check_digit"
    return text, None


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value)
        except ParseFailure:
            return None
    return None


def _entry(name: str, raw: object, found: list[Finding]) -> TableBasis | None:
    where = f"tables.{name}"
    if raw is None:
        return TableBasis()
    if not isinstance(raw, Mapping):
        found.append(Finding(WHERE, where, "drop_yaml_field_invalid"))
        return None
    for key in raw:
        if key not in _ENTRY:
            found.append(Finding(WHERE, f"{where}.{key}", "unknown_drop_yaml_key"))
    values: dict[str, str | None] = {}
    for key in _ENTRY:
        value = raw.get(key)
        if key == "legal_basis" and isinstance(value, list):
            try:
                parts = [p for p in (_text(v) for v in value) if p]
            except TypeError:
                found.append(Finding(WHERE, f"{where}.{key}", "drop_yaml_field_invalid"))
                return None
            values[key] = "; ".join(parts) or None
            continue
        try:
            values[key] = _text(value)
        except TypeError:
            found.append(Finding(WHERE, f"{where}.{key}", "drop_yaml_field_invalid"))
            return None
    return TableBasis(**values)


def read_declaration(raw: object) -> tuple[Declaration | None, list[Finding]]:
    """Check a parsed ``drop.yaml`` field by field (see :data:`FIELDS` and :data:`RULES`).

    In: the parsed YAML document. Out: the :class:`Declaration` (None when the document
    is not a mapping) and the findings. Per-table completeness is
    :func:`check_tables`' job.
    """
    found: list[Finding] = []
    if not isinstance(raw, Mapping):
        return None, [Finding(WHERE, None, "invalid_drop_yaml")]
    for key in raw:
        if key not in _TOP:
            found.append(Finding(WHERE, str(key), "unknown_drop_yaml_key"))

    version = raw.get("contract_version")
    if version is None:
        found.append(Finding(WHERE, "contract_version", "drop_yaml_field_missing"))
    elif isinstance(version, bool) or version != DROP_CONTRACT_VERSION:
        found.append(Finding(WHERE, "contract_version", "unsupported_contract_version"))
        version = None

    code = name = None
    muni = raw.get("municipality")
    if muni is None:
        found.append(Finding(WHERE, "municipality", "drop_yaml_field_missing"))
    elif not isinstance(muni, Mapping):
        found.append(Finding(WHERE, "municipality", "drop_yaml_field_invalid"))
    else:
        for key in muni:
            if key not in _MUNICIPALITY:
                found.append(Finding(WHERE, f"municipality.{key}", "unknown_drop_yaml_key"))
        code, rule = _code(muni.get("code"))
        if rule:
            found.append(Finding(WHERE, "municipality.code", rule))
        try:
            name = _text(muni.get("name"))
        except TypeError:
            found.append(Finding(WHERE, "municipality.name", "drop_yaml_field_invalid"))
        else:
            if name is None:
                found.append(Finding(WHERE, "municipality.name", "drop_yaml_field_missing"))

    extracted = None
    if raw.get("extracted_on") is None:
        found.append(Finding(WHERE, "extracted_on", "drop_yaml_field_missing"))
    else:
        extracted = _date(raw["extracted_on"])
        if extracted is None:
            found.append(Finding(WHERE, "extracted_on", "drop_yaml_field_invalid"))

    tables: dict[str, TableBasis] = {}
    declared = raw.get("tables")
    if declared is not None and not isinstance(declared, Mapping):
        found.append(Finding(WHERE, "tables", "drop_yaml_field_invalid"))
    elif declared is not None:
        for table, entry in declared.items():
            if table not in TABLES:
                found.append(Finding(WHERE, f"tables.{table}", "unknown_declared_table"))
                continue
            basis = _entry(str(table), entry, found)
            if basis is not None:
                tables[str(table)] = basis
    return Declaration(version, code, name, extracted, tables), found


def check_tables(
    declaration: Declaration | None, present: Iterable[str], *, accept_undeclared: bool
) -> tuple[tuple[str, ...], list[Finding]]:
    """Which present tables lack a purpose and legal basis, and what that means.

    In: the declaration (None: the drop has no ``drop.yaml``), the names of the table
    files present, whether undeclared tables are accepted. Out: the undeclared tables
    (contract order) and the findings: ``missing_legal_basis`` (refuse) per undeclared
    table, or ``undeclared_table_accepted`` (warn) when accepted; ``drop_yaml_missing``
    without a drop.yaml; warnings for declared tables absent and entries without source.
    """
    present_set = set(present)
    found: list[Finding] = []
    if declaration is None:
        found.append(Finding(WHERE, None, "drop_yaml_missing"))
    entries = declaration.tables if declaration else {}
    undeclared: list[str] = []
    for name in TABLES:
        basis = entries.get(name)
        if name not in present_set:
            if basis is not None:
                found.append(Finding(name, None, "declared_table_absent"))
            continue
        if basis is None or not basis.complete:
            undeclared.append(name)
            rule = "undeclared_table_accepted" if accept_undeclared else "missing_legal_basis"
            found.append(Finding(name, None, rule))
        elif not basis.source:
            found.append(Finding(name, None, "declaration_source_missing"))
    return tuple(undeclared), found


def declaration_record(
    declaration: Declaration | None,
    undeclared: Iterable[str],
    present: Iterable[str],
    *,
    accepted_undeclared: bool,
    sha256: str | None = None,
) -> dict[str, Any]:
    """The JSON-ready record of a drop's declaration, as reports and manifests keep it.

    In: the declaration (None: no drop.yaml), the undeclared tables, the tables present,
    whether undeclared tables were accepted, the sha256 of drop.yaml. Out: ``file``,
    ``sha256``, ``contract_version``, ``municipality`` (code, name), ``extracted_on``,
    ``accepted_undeclared`` and ``tables``: per present table its source, purpose and
    legal basis, or ``"undeclared"``.
    """
    missing, there = set(undeclared), set(present)
    entries = declaration.tables if declaration else {}
    tables: dict[str, Any] = {}
    for name in TABLES:
        if name not in there:
            continue
        if name in missing:
            tables[name] = "undeclared"
        else:
            b = entries[name]
            tables[name] = {"source": b.source, "purpose": b.purpose, "legal_basis": b.legal_basis}
    return {
        "file": DROP_YAML if declaration is not None else None,
        "sha256": sha256,
        "contract_version": declaration.contract_version if declaration else None,
        "municipality": (
            {"code": declaration.municipality_code, "name": declaration.municipality_name}
            if declaration
            else None
        ),
        "extracted_on": (
            declaration.extracted_on.isoformat()
            if declaration and declaration.extracted_on
            else None
        ),
        "accepted_undeclared": accepted_undeclared,
        "tables": tables,
    }


#: the system each table usually comes from (the example sources of the contract
#: document and the ``source`` of a synthetic drop's entries)
TYPICAL_SOURCE: dict[str, str] = {
    "residents": "住民記録システム",
    "tax": "個人住民税（税務）システム",
    "care": "介護保険システム・障害者福祉システム",
    "care_usage": "介護保険給付実績（国保連合会）",
    "school": "校務支援システム（出欠）・就学援助システム",
    "utility": "水道料金システム",
    "outcomes": "福祉総合相談支援システム（支援記録）",
}
