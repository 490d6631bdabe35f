"""docs/contract.md is what the schema generates, and says what it must."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kizuki.contract import schema
from kizuki.contract.document import REGENERATE, render
from kizuki.contract.identifiers import is_my_number
from kizuki.contract.report import RULE_SEVERITY, RULE_TEXT

DOC = Path(__file__).resolve().parents[2] / "docs" / "contract.md"


def test_the_committed_document_is_what_the_schema_generates() -> None:
    committed = DOC.read_text(encoding="utf-8")
    assert committed == render(), f"docs/contract.md is stale: run `{REGENERATE}`"


def test_the_regenerate_command_prints_the_document_as_utf8() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "kizuki.contract.document"],
        check=True,
        capture_output=True,
        env={"PYTHONIOENCODING": "ascii", "PATH": ""},
    ).stdout
    assert out.decode("utf-8") == render()


def test_every_name_code_alias_and_rule_of_the_schema_is_in_the_document() -> None:
    text = render()
    for table in schema.TABLES.values():
        assert f"### `{table.name}` — {table.title_ja}" in text
        assert table.grain_en in text
        for col in table.columns:
            assert f"| `{col.name}` | {col.alias} |" in text, col.name
            assert col.meaning_en in text, col.name
            for code in col.codes:
                assert f"| `{code}` |" in text, (col.name, code)
        for check in table.checks:
            assert f"| `{check.rule}` | `{check.column}` |" in text
    for column, aliases in schema.CODE_ALIASES.items():
        for alias in aliases:
            assert alias in text, (column, alias)
    for rule in RULE_TEXT:
        assert f"| `{rule}` | {RULE_TEXT[rule]} |" in text, rule
    for word in schema.IDENTIFIER_COLUMN_WORDS:
        assert f"`{word}`" in text


def test_the_document_says_which_sections_are_built() -> None:
    text = render()
    status = {
        "§8 Outreach feedback": "| implemented, except |",
        "§9 Run history": "| implemented |",
        "§10 Governance outputs": "| implemented, except |",
    }
    for section, word in status.items():
        line = next(ln for ln in text.splitlines() if ln.startswith(f"| {section}"))
        assert word in line, section
    assert "| §1 `drop.yaml`" in text and "## 8. Outreach feedback: `visits` (v2)" in text
    assert "not yet used by `kizuki train`" in text  # what section 8 still lacks
    assert f"Contract version implemented: **{schema.CONTRACT_VERSION}**" in text
    row5 = next(ln for ln in text.splitlines() if ln.startswith("| 5 | not started"))
    assert "`kizuki score`" in row5 and "`kizuki run`" in row5
    assert "**not yet implemented**" not in text.split("## 8.")[0]


def test_the_my_number_example_is_valid_and_every_rule_has_a_severity() -> None:
    assert "`621498320257` is valid" in render()
    assert is_my_number("621498320257")
    assert set(RULE_SEVERITY) == set(RULE_TEXT)
