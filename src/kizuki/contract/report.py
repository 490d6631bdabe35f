"""The validation report: every contract violation of a drop, collected in one place.

A report never holds a record's value: only table, column, rule, count and severity.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from kizuki.contract.declaration import RULES as DECLARATION_RULES
from kizuki.contract.schema import TABLES

Severity = Literal["refuse", "reject", "warn"]

#: human-readable explanation of each rule (English; the CLI prints these). The rules
#: across columns take their text from the table's declared checks (``Table.checks``).
RULE_TEXT: dict[str, str] = {
    "identifier_column": "column name is a direct identifier; remove the column before export",
    "my_number_values": "values are valid 個人番号 (My Number); pseudonymise or drop the column",
    "missing_required_table": "required table is missing",
    "missing_required_column": "required column is missing",
    "duplicate_column": "two columns map to the same contract name",
    "duplicate_table_file": "table given both as .csv and .parquet",
    "duplicate_key": "rows share the table's key",
    "reject_share_over_limit": "share of rejected rows is above the configured limit",
    "unreadable_file": "file cannot be read as the declared format",
    "optional_table_missing": "optional table absent: features that need it will be null",
    "required_table_missing": "table absent, and the missing-table policy (configs/validation.yaml "
    "missing_tables) refuses a drop without it: its features would be null",
    "unknown_column": "column is not in the contract and is ignored",
    "unknown_table_file": "file is not a contract table and is ignored",
    "required_value_missing": "required value is empty",
    "unparseable_date": "not a date in any accepted form",
    "invalid_date": "no such calendar day",
    "date_outside_era": "和暦 date lies outside its era",
    "unknown_era": "unknown 和暦 era",
    "unparseable_month": "not a month in any accepted form",
    "invalid_fiscal_year": "not a fiscal year (2024, R6, 令和6年度)",
    "not_an_integer": "not an integer",
    "out_of_range": "number too large for the column",
    "not_a_number": "not a number",
    "invalid_boolean": "not a recognised yes/no value",
    "unknown_code": "not a contract code or alias",
    "negative_value": "negative value where the contract requires ≥ 0",
    **{c.rule: c.text_en for t in TABLES.values() for c in t.checks},
    **{rule: text for rule, (_, text) in DECLARATION_RULES.items()},
}

_REFUSALS = (
    "identifier_column",
    "my_number_values",
    "missing_required_table",
    "missing_required_column",
    "duplicate_column",
    "duplicate_table_file",
    "duplicate_key",
    "reject_share_over_limit",
    "unreadable_file",
    "required_table_missing",
    *(rule for rule, (severity, _) in DECLARATION_RULES.items() if severity == "refuse"),
)
_WARNINGS = (
    "optional_table_missing",
    "unknown_column",
    "unknown_table_file",
    *(rule for rule, (severity, _) in DECLARATION_RULES.items() if severity == "warn"),
)
#: refusals named in one line with all their tables (``residents, tax: ...``)
_GROUPED = ("missing_legal_basis", "required_table_missing")

#: the severity each rule carries: ``refuse`` stops the drop, ``reject`` sends the row to
#: ``rejects/`` (the drop is refused only past the reject limit), ``warn`` is reported only
RULE_SEVERITY: dict[str, Severity] = {
    rule: "refuse" if rule in _REFUSALS else "warn" if rule in _WARNINGS else "reject"
    for rule in RULE_TEXT
}


@dataclass
class Violation:
    """One rule broken in one table/column, with the number of rows (or columns) affected."""

    table: str
    column: str | None
    rule: str
    count: int
    severity: Severity

    @property
    def text(self) -> str:
        """One line: where, what, how many (no values)."""
        where = self.table + (f".{self.column}" if self.column else "")
        return f"{where}: {RULE_TEXT.get(self.rule, self.rule)} [{self.rule}] ({self.count})"


@dataclass
class TableReport:
    """Counts for one table: rows read = rows kept + rows rejected, always."""

    table: str
    file: str | None = None
    format: str | None = None
    encoding: str | None = None
    sha256: str | None = None
    rows_read: int = 0
    rows_kept: int = 0
    rows_rejected: int = 0
    known_from: str | None = None
    known_to: str | None = None
    present: bool = True
    #: ``validated`` (checked in this run) or ``cached`` (the same file, under the same
    #: rules, was validated before: its result is reused, see ``validated_in``)
    validation: str = "validated"
    #: for a cached table: the run (or the time) that validated the file
    validated_in: str | None = None
    #: a windowed read (a scoring run): only rows of months from this one on (plus each
    #: entity's newest row before it) were read; None: the whole file
    window_from: str | None = None

    @property
    def reject_share(self) -> float:
        """Rejected rows over rows read (0 for an empty table)."""
        return self.rows_rejected / self.rows_read if self.rows_read else 0.0


@dataclass
class ValidationReport:
    """Everything found in a drop; ``usable`` is False when any violation refuses it."""

    drop: str
    contract_version: int
    tables: dict[str, TableReport] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    reject_limit: float = 0.01
    #: the drop's ``drop.yaml`` as recorded (:func:`kizuki.contract.declaration.declaration_record`)
    declaration: dict[str, Any] | None = None
    #: per optional table absent from the drop: the missing-table policy applied
    #: (``refuse``, ``alert`` or ``allow``)
    missing_tables: dict[str, str] = field(default_factory=dict)

    def add(
        self, table: str, column: str | None, rule: str, count: int, severity: Severity
    ) -> None:
        """Record a violation (zero counts are ignored)."""
        if count > 0:
            self.violations.append(Violation(table, column, rule, int(count), severity))

    @property
    def usable(self) -> bool:
        """True when nothing refuses the drop."""
        return not any(v.severity == "refuse" for v in self.violations)

    @property
    def refusals(self) -> list[Violation]:
        """The violations that refuse the drop."""
        return [v for v in self.violations if v.severity == "refuse"]

    def summary_line(self) -> str:
        """One line for an error message: the first refusal and how many more."""
        ref = self.refusals
        if not ref:
            return f"drop {self.drop} is usable"
        first = ref[0]
        shown = [first]
        if first.rule in _GROUPED:  # one line naming every table the rule refused
            shown = [v for v in ref if v.rule == first.rule]
        rest = len(ref) - len(shown)
        more = f" (and {rest} more refusal{'s' if rest > 1 else ''})" if rest else ""
        if len(shown) == 1:
            return f"drop refused: {first.text}{more}"
        tables = ", ".join(v.table for v in shown)
        text = RULE_TEXT.get(first.rule, first.rule)
        return f"drop refused: {tables}: {text} [{first.rule}] ({len(shown)} tables){more}"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict."""
        return {
            "drop": self.drop,
            "contract_version": self.contract_version,
            "usable": self.usable,
            "reject_limit": self.reject_limit,
            "checked_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "tables": {
                k: {**asdict(v), "reject_share": v.reject_share} for k, v in self.tables.items()
            },
            "violations": [asdict(v) | {"text": v.text} for v in self.violations],
            "declaration": self.declaration,
            "missing_tables": dict(self.missing_tables),
        }

    def to_json(self) -> str:
        """The report as indented JSON (UTF-8 text, Japanese kept readable)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_text(self) -> str:
        """A readable multi-line report for the terminal."""
        lines = [f"kizuki validate — contract v{self.contract_version} — {self.drop}", ""]
        lines.append(
            f"{'table':<12} {'read':>10} {'kept':>10} {'rejected':>9} {'share':>7}  known (from … to)"
        )
        for name, t in self.tables.items():
            if not t.present:
                lines.append(f"{name:<12} {'(absent)':>10}")
                continue
            known = f"{t.known_from or '-'} … {t.known_to or '-'}"
            lines.append(
                f"{name:<12} {t.rows_read:>10,} {t.rows_kept:>10,} {t.rows_rejected:>9,} "
                f"{t.reject_share:>6.2%}  {known}"
            )
        lines += self._declaration_lines()
        if self.missing_tables:
            lines += ["", "Missing tables (policy from configs/validation.yaml missing_tables):"]
            lines += [f"  - {t}: {a}" for t, a in self.missing_tables.items()]
        for severity, title in (
            ("refuse", "REFUSED because"),
            ("reject", "Rejected rows"),
            ("warn", "Warnings"),
        ):
            group = [v for v in self.violations if v.severity == severity]
            if group:
                lines += ["", f"{title}:"] + [f"  - {v.text}" for v in group]
        lines += ["", "RESULT: usable" if self.usable else "RESULT: REFUSED"]
        return "\n".join(lines)

    def _declaration_lines(self) -> list[str]:
        """What drop.yaml declares, per table (the operator's own text, never a record's)."""
        d = self.declaration
        if d is None:
            return []
        if d.get("file") is None:
            lines = ["", "Declaration: no drop.yaml (a contract version 1 drop)"]
        else:
            muni = d.get("municipality") or {}
            lines = [
                "",
                f"Declaration (drop.yaml, contract v{d.get('contract_version') or '?'}): "
                f"{muni.get('code') or '?'} {muni.get('name') or '?'}, "
                f"extracted on {d.get('extracted_on') or '?'}",
            ]
        for table, basis in (d.get("tables") or {}).items():
            if basis == "undeclared":
                flag = " (ACCEPTED UNDECLARED)" if d.get("accepted_undeclared") else ""
                lines.append(f"  - {table}: UNDECLARED{flag}")
            else:
                lines.append(
                    f"  - {table}: {basis.get('source') or '(no source)'}; "
                    f"purpose: {basis.get('purpose')}; legal basis: {basis.get('legal_basis')}"
                )
        return lines
