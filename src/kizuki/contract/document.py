"""The contract document, ``docs/contract.md``, generated from the contract as data.

Tables, columns, types, required flags, header aliases, codes with their aliases and
meanings, keys, knowledge-date rules (with worked examples computed by the loader's
own code), rules across columns, the 和暦 eras and the rule catalogue all come from
:mod:`kizuki.contract.schema`, :mod:`kizuki.contract.parse` and
:mod:`kizuki.contract.report`; the prose around them lives here. Regenerate with::

    uv run python -m kizuki.contract.document > docs/contract.md

``tests/contract/test_document.py`` fails when the committed file and the schema
disagree. In: nothing. Out: :func:`render` returns the Markdown text; run as a module,
it writes that text to standard output as UTF-8.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable

import polars as pl
import yaml

from kizuki.calendar import add_months
from kizuki.contract import declaration, schema
from kizuki.contract.knowledge import with_known_on
from kizuki.contract.parse import (
    ERAS,
    ParseFailure,
    parse_date,
    parse_fiscal_year,
    parse_month,
)
from kizuki.contract.report import RULE_SEVERITY, RULE_TEXT

REGENERATE = "uv run python -m kizuki.contract.document > docs/contract.md"

#: how each column kind is written in the column tables
_KIND_TEXT: dict[str, str] = {
    "str": "text",
    "date": "date",
    "month": "month",
    "int": "integer",
    "float": "number",
    "bool": "yes/no",
    "code": "code",
    "fiscal_year": "fiscal year (年度)",
}

#: (section, status, what it means today) — the sections of the design, version 2
_STATUS: tuple[tuple[str, str, str], ...] = (
    ("§1 Input: tables, conventions, 和暦, knowledge dates", "implemented", "contract v1"),
    (
        "§1 `drop.yaml` (purpose and legal basis per table)",
        "implemented",
        "contract v2; a drop without `drop.yaml` (v1) is refused unless the command is "
        "given `--accept-undeclared` (see *Moving a version 1 drop to version 2*)",
    ),
    ("§2 Labels, cohorts and time", "implemented", "contract v1"),
    ("§3 Issue codes", "implemented", "contract v1"),
    (
        "§4 Refused input",
        "implemented",
        "contract v1",
    ),
    ("§5 Output: a scoring run", "implemented", "contract v1"),
    (
        "§6 Command line",
        "implemented",
        "contract v1, plus `kizuki run` (section 9) and `kizuki feedback import` (section 8)",
    ),
    ("§7 Synthetic drops", "implemented", "contract v1"),
    (
        "§8 Outreach feedback: `visits`",
        "implemented, except",
        "imported visits are not yet used as training labels (a later issue)",
    ),
    (
        "§9 Run history",
        "implemented",
        "contract v2: `kizuki run`, the ledger, the lock, `visits.parquet`, `followup.parquet`",
    ),
    (
        "§10 Governance outputs",
        "implemented, except",
        "metrics by group on the validation households (the card links to each run's audit)",
    ),
)

_GLOSSARY: tuple[tuple[str, str, str], ...] = (
    ("宛名番号", "atena bangō", "the municipality's internal number for a resident"),
    ("世帯番号", "setai bangō", "the resident registry's number for a household (世帯)"),
    ("個人番号 / マイナンバー", "kojin bangō / My Number", "the national 12-digit number"),
    ("続柄", "zokugara", "relation to the household head (世帯主)"),
    ("和暦", "wareki", "the Japanese era calendar: 令和5年 = 2023"),
    ("年度", "nendo", "fiscal year, April 1 to March 31 of the next year"),
    ("要介護認定", "yōkaigo nintei", "long-term care insurance certification of need"),
    ("就学援助", "shūgaku enjo", "school-cost aid for households in hardship"),
    ("重層的支援体制整備事業", "jūsōteki shien", "the multi-layered support programme "
     "(社会福祉法 第106条の4) kizuki is built for"),
    ("多機関協働", "takikan kyōdō", "the multi-agency team that assesses a household"),
    ("気づき", "kizuki", "noticing: the checklist items that are kizuki's reasons"),
)


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(head: tuple[str, ...], rows: list[tuple[object, ...]]) -> list[str]:
    """A Markdown table."""
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _code(text: object) -> str:
    return f"`{text}`"


def _type_text(col: schema.Column) -> str:
    text = _KIND_TEXT[col.kind]
    if col.minimum is not None:
        text += f", ≥ {col.minimum:g}"
    return text


def _required_text(col: schema.Column) -> str:
    if col.required:
        return "yes"
    return "no" if col.default is None else f"no (empty: {col.default})"


def _aliases(column: str, code: str) -> list[str]:
    return [a for a, c in schema.CODE_ALIASES.get(column, {}).items() if c == code]


# ---------------------------------------------------------------- knowledge dates


def knowledge_text(table: schema.Table) -> str:
    """The table's knowledge-date rule in words, built from its fields (never drifts)."""
    rule = table.knowledge
    col = _code(rule.column)
    if rule.anchor == "date":
        base = col
    elif rule.anchor == "fiscal_june1":
        base = f"June 1 of the fiscal year {col}"
    elif rule.period_column is not None:
        period = _code(rule.period_column)
        lag = f"{rule.lag_months} + " if rule.lag_months else ""
        default = table.column(rule.period_column).default
        empty = f" (an empty {period} counts as {default})" if default is not None else ""
        base = f"the last day of the month ({lag}{period} − 1) months after {col}{empty}"
    elif rule.lag_months:
        months = "month" if rule.lag_months == 1 else "months"
        base = f"the last day of the month {rule.lag_months} {months} after {col}"
    else:
        base = f"the last day of the month {col}"
    if rule.override is not None:
        return f"{_code(rule.override)} when filled, else {base}"
    return base


def _example_frame(table: schema.Table) -> pl.DataFrame | None:
    """One or two rows showing the default rule at work (None when it is the date itself)."""
    rule = table.knowledge
    if rule.anchor == "date":
        return None
    data: dict[str, pl.Series] = {}
    if rule.anchor == "fiscal_june1":
        data[rule.column] = pl.Series([2024], dtype=pl.Int32)
    else:
        n = 2 if rule.period_column is not None else 1
        data[rule.column] = pl.Series([dt.date(2025, 12, 1)] * n, dtype=pl.Date)
        if rule.period_column is not None:
            data[rule.period_column] = pl.Series([1, 2], dtype=pl.Int64)
    if rule.override is not None:
        data[rule.override] = pl.Series([None] * len(next(iter(data.values()))), dtype=pl.Date)
    return pl.DataFrame(data)


def knowledge_examples(table: schema.Table) -> str:
    """Worked examples of the default rule, computed with the loader's own code."""
    frame = _example_frame(table)
    if frame is None:
        return ""
    rule = table.knowledge
    known = with_known_on(table, frame)
    parts = []
    for row in known.iter_rows(named=True):
        value = row[rule.column]
        shown = value.strftime("%Y-%m") if isinstance(value, dt.date) else str(value)
        where = f"{rule.column} {shown}"
        if rule.period_column is not None:
            where += f", {rule.period_column} {row[rule.period_column]}"
        parts.append(f"{where} → {row['known_on'].isoformat()}")
    return "; ".join(parts)


# ------------------------------------------------------------------------ sections


def _front() -> list[str]:
    lines = [
        "# kizuki data contract",
        "",
        "<!-- Generated from src/kizuki/contract/schema.py: do not edit by hand. "
        f"Regenerate with `{REGENERATE}`. -->",
        "",
        "This is the interface between kizuki and a municipality's source systems, and",
        "between kizuki and the people and programs that read its results. It says which",
        "files a *data drop* holds, what every column and code means, which rows kizuki",
        "refuses or sets aside, and what a scoring run writes. The tables, columns, codes,",
        "aliases, keys and rules below are generated from the code that enforces them",
        f"(`src/kizuki/contract/schema.py`; regenerate with `{REGENERATE}`),",
        "so this document and kizuki's behaviour cannot drift apart.",
        "",
        f"Contract version implemented: **{schema.CONTRACT_VERSION}**. The design it follows "
        "is version 2, which keeps every name and code of version 1 and adds the drop's own",
        "description (`drop.yaml`), outreach feedback (`visits`), a run history and",
        "governance outputs. Of those, `drop.yaml` is implemented (section 1); the others",
        "are described here so that a municipality can prepare for them, and are marked",
        "*not yet*: later issues build them.",
        "",
        "## Status: what is implemented",
        "",
    ]
    lines += _table(("section", "status", "note"), [s for s in _STATUS])
    lines += ["", "## Terms used here", ""]
    lines += _table(("日本語", "reading", "meaning"), list(_GLOSSARY))
    return lines


def _conventions() -> list[str]:
    lines = [
        "",
        "## 1. Input: a data drop",
        "",
        "A *data drop* is one folder. Each table is one file named after the table:",
        "`<table>.parquet` or `<table>.csv` (not both). `residents` is required; every",
        "other table is optional. When an optional table is absent, the features that",
        "need it are null, the run says so loudly (`optional_table_missing`) and the run",
        "manifest records it; whether the run is then refused, alerts or goes on is the",
        "missing-table policy (below, after `drop.yaml`). The drop also holds `drop.yaml`,",
        "which says why each table may be used. A file that is not a contract table, or a column that is",
        "not in the contract, is ignored with a warning. A drop may hold years of",
        "history: kizuki cuts it at an *as-of date* itself.",
        "",
    ]
    rows = [
        (
            _code(t.name),
            t.title_ja,
            t.title_en,
            "yes" if t.required else "no",
            t.grain_en,
        )
        for t in schema.TABLES.values()
    ]
    lines += _table(("table", "日本語", "English", "required", "one row per"), rows)
    lines += [
        "",
        "### Conventions for every table",
        "",
        "- **Identifiers** are pseudonymous strings produced before the data reaches",
        "  kizuki (for example a keyed HMAC of the 宛名番号 and 世帯番号;",
        "  `kizuki pseudonymize` makes them). Raw 宛名番号, names, addresses, phone",
        "  numbers and 個人番号 (My Number) must never be present: kizuki refuses a drop",
        "  that contains them (section 4).",
        "- **Files.** Parquet with typed columns (dates as dates, numbers as numbers) or",
        "  as text. CSV with a header row, in UTF-8 with or without BOM, or CP932",
        "  (detected; `--encoding` forces one). CP932 is never decoded with the plain",
        "  `shift_jis` codec, which fails on or mis-maps ①, ～, －, 髙, 﨑. Every CSV field",
        "  is read as text and parsed by the rules below; nothing is guessed.",
        "- **Headers** are the English column names or the Japanese header aliases",
        "  (table below), compared after NFKC normalisation with surrounding spaces and",
        "  a BOM removed. Two headers that name the same column refuse the drop.",
        "- **Values.** Full-width digits and signs are normalised (NFKC) in numeric, date",
        "  and code fields only, never in free text; text fields such as `district` are",
        "  only stripped of surrounding white space. An empty field is a missing value.",
        "  Integers may carry thousands separators and a trailing 円 (`12,000`,",
        "  `１２０００円`).",
        "- **Codes** are given in the canonical English form or any listed alias; Latin",
        "  letters match in any case.",
        "",
        "Header aliases (the same in every table):",
        "",
    ]
    lines += _table(
        ("header alias", "column"),
        [(alias, _code(name)) for alias, name in schema.HEADER_ALIASES.items()],
    )
    lines += ["", *_dates(), "", *_booleans(), "", *_knowledge_section(), "", *_drop_yaml()]
    return lines


def _parsed(parse: Callable[[str], object], raw: str) -> str:
    """What the parser makes of ``raw``: the value, or the rule it breaks."""
    try:
        value = parse(raw)
    except ParseFailure as exc:
        return f"refused: `{exc.rule}`"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


_DATE_EXAMPLES = (
    "2023-08-03",
    "2023/08/03",
    "20230803",
    "R5.8.3",
    "R05.08.03",
    "令和5年8月3日",
    "令和元年5月1日",
    "H31.4.30",
    "S18.5.1",
    "H32.1.1",
    "R1.4.1",
    "2023-02-30",
)
_MONTH_EXAMPLES = ("2023-08", "202308", "R5.8", "令和5年8月", "令和元年5月", "令和元年4月")
_FISCAL_EXAMPLES = ("2024", "2024年度", "R6", "令和6年度", "H31")


def _dates() -> list[str]:
    lines = [
        "### Dates, months and fiscal years (和暦 accepted)",
        "",
        "Dates are written `YYYY-MM-DD` (canonical), `YYYY/MM/DD`, `YYYYMMDD`, or in the",
        "era calendar (和暦) with the era's letter or name: `R5.8.3`, `R05.08.03`,",
        "`令和5年8月3日`; 元年 is year 1 of an era. A 和暦 date outside its era is an",
        "error, never a guess. Months: `YYYY-MM`, `YYYYMM`, `R5.8`, `令和5年8月` (a full",
        "date is accepted and its day dropped; a 和暦 month is valid when any of its days",
        "lies in the era). Fiscal years (年度): `2024`, `2024年度`, `R6`, `令和6年度`.",
        "",
        "Eras:",
        "",
    ]
    letters = list(ERAS)
    rows = []
    for i, letter in enumerate(letters):
        name, first = ERAS[letter]
        last = (
            (ERAS[letters[i + 1]][1] - dt.timedelta(days=1)).isoformat()
            if i + 1 < len(letters)
            else "(current)"
        )
        rows.append((_code(letter), name, first.isoformat(), last))
    lines += _table(("letter", "era", "first day", "last day"), rows)
    lines += ["", "How kizuki reads some values (computed by its parser):", ""]
    rows = [(_code(v), "date", _parsed(parse_date, v)) for v in _DATE_EXAMPLES]
    rows += [(_code(v), "month", _parsed(parse_month, v)) for v in _MONTH_EXAMPLES]
    rows += [(_code(v), "fiscal year", _parsed(parse_fiscal_year, v)) for v in _FISCAL_EXAMPLES]
    lines += _table(("written", "as a", "read as"), rows)
    return lines


def _booleans() -> list[str]:
    lines = [
        "### Yes/no values",
        "",
        "Every yes/no column accepts "
        + ", ".join(_code(w) for w in schema.BOOL_TRUE)
        + " for true and "
        + ", ".join(_code(w) for w in schema.BOOL_FALSE)
        + " for false, plus its own words:",
        "",
    ]
    rows = [
        (_code(col), ", ".join(_code(w) for w in yes), ", ".join(_code(w) for w in no))
        for col, (yes, no) in schema.BOOL_COLUMN_WORDS.items()
    ]
    lines += _table(("column", "also true", "also false"), rows)
    return lines


def _knowledge_section() -> list[str]:
    lines = [
        "### Knowledge dates",
        "",
        "Every row has a *knowledge date* (`known_on`): the day the municipality knew the",
        "fact. A feature computed as of date T uses only rows whose knowledge date is on",
        "or before T, so a score never uses what was not yet known on T. Where a table",
        "has `recorded_on` and it is filled, it always wins; otherwise the table's",
        "default applies:",
        "",
    ]
    rows = [
        (_code(t.name), knowledge_text(t), knowledge_examples(t) or "—")
        for t in schema.TABLES.values()
    ]
    lines += _table(("table", "known_on", "example (default)"), rows)
    return lines


def _drop_yaml() -> list[str]:
    lines = [
        "### `drop.yaml`: what the drop is and why it may be used (v2)",
        "",
        "One small YAML file at the top of the drop (UTF-8), written by whoever makes the",
        "extract: the contract version, the municipality (its 6-digit 全国地方公共団体コード",
        "with its check digit, and its name), the day of extraction, and for every table",
        "file in the drop the system it came from, the purpose of its use and its legal",
        "basis. `kizuki synth` writes one; `kizuki pseudonymize` carries the raw",
        "extract's `drop.yaml` into the drop unchanged. Its fields:",
        "",
    ]
    lines += _table(
        ("field", "type", "required", "meaning", "example"),
        [
            (_code(f.path), f.kind, f.required, f.meaning_en, f.example)
            for f in declaration.FIELDS
        ],
    )
    example = declaration.Declaration(
        contract_version=declaration.DROP_CONTRACT_VERSION,
        municipality_code="282065",
        municipality_name="芦屋市",
        extracted_on=dt.date(2026, 10, 5),
        tables={
            "residents": declaration.TableBasis(
                declaration.TYPICAL_SOURCE["residents"],
                "重層的支援体制整備事業における支援が必要な世帯の早期把握",
                "社会福祉法第106条の6（支援会議）; 個人情報保護法第69条第2項第3号",
            ),
            "tax": declaration.TableBasis(
                declaration.TYPICAL_SOURCE["tax"],
                "生活困窮の兆候の把握",
                "社会福祉法第106条の6（支援会議）",
            ),
        },
    )
    text = yaml.safe_dump(example.to_yaml_data(), allow_unicode=True, sort_keys=False)
    lines += [
        "",
        "For example (a drop holding `residents.csv` and `tax.csv`):",
        "",
        "```yaml",
        *text.rstrip("\n").split("\n"),
        "```",
        "",
        "The check digit of a 団体コード: with the weights 6, 5, 4, 3, 2 on the first five",
        "digits, it is 11 − (the weighted sum mod 11), written as its last digit (a",
        "remainder of 0 gives 1, of 1 gives 0). Checked against known codes: "
        + ", ".join(
            f"`{c}`" for c in ("282065", "131016", "011002", "131041", "131130", "465259")
        )
        + " (芦屋市, 千代田区, 札幌市, 新宿区, 渋谷区, 宇検村).",
        "",
        "What the door does with it (rules, with the table or `drop.yaml` field they name):",
        "",
    ]
    lines += _table(
        ("rule", "severity", "meaning"),
        [(_code(r), sev, text) for r, (sev, text) in declaration.RULES.items()],
    )
    lines += [
        "",
        "A table file present without an entry, or whose entry lacks `purpose` or",
        "`legal_basis`, refuses the drop (`missing_legal_basis`, exit 3, one line naming",
        "the tables). Told `--accept-undeclared` (on `validate`, `features`, `train`,",
        "`score`, `monitor` and `audit`), the command uses those tables instead, says so",
        "on standard error in a line beginning `WARNING: UNDECLARED`, and the validation",
        "report and the run manifest (`drop.declaration`) record them as `\"undeclared\"`",
        "with `accepted_undeclared: true`. Either way the run manifest records, per table",
        "used, its source, purpose and legal basis. A wrong check digit, or a field of the",
        "wrong form, refuses the drop whatever the flag says.",
        "",
        "#### Moving a version 1 drop to version 2",
        "",
        "A version 1 drop has no `drop.yaml`: every table in it is undeclared, so kizuki",
        "refuses it (`missing_legal_basis`, with the note `drop_yaml_missing`). To keep",
        "running it while the extract is changed, add `--accept-undeclared` to the",
        "command: the drop is read as before, loudly marked undeclared. To migrate, put a",
        "`drop.yaml` like the one above next to the table files, one entry per file.",
        "",
        "#### Missing tables: the policy",
        "",
        "When an optional table is absent, the features that need it are null. What that",
        "means for the command is configured per table (`missing_tables` in the",
        "validation configuration) and applied by `validate`, `features`, `train` and",
        "`score`: `refuse` (the drop is refused, `required_table_missing`, exit 3),",
        "`alert` (the command completes, the run manifest records the table and the",
        "policy in `drop.missing_table_policy`, and it exits 4) or `allow` (a warning,",
        "`optional_table_missing`). The default:",
        "",
    ]
    lines += _table(("table", "absent"), [(_code(t), a) for t, a in schema.MISSING_TABLE_DEFAULT.items()])
    return lines


def _codes_table(table: schema.Table, col: schema.Column) -> list[str]:
    if col.name == "issue":
        return [f"Codes of `{col.name}`: the issue codes of section 3."]
    meanings = schema.CODE_TEXT_EN.get(col.name, {})
    head: tuple[str, ...] = ("code", "aliases accepted", "meaning")
    rows: list[tuple[object, ...]] = []
    for code in col.codes:
        aliases = ", ".join(_aliases(col.name, code)) or "—"
        row: tuple[object, ...] = (_code(code), aliases, meanings.get(code, ""))
        if col.name == "level":
            kinds = [k for k, levels in schema.LEVELS_BY_KIND.items() if code in levels]
            row = (*row[:2], ", ".join(_code(k) for k in kinds), row[2])
        rows.append(row)
    if col.name == "level":
        head = ("code", "aliases accepted", "valid for kind", "meaning")
    lines = [f"Codes of `{col.name}`:", "", *_table(head, rows)]
    if col.name == "relation":
        lines += [
            "",
            "Any 続柄 written in the older style for a child also reads as `child`: "
            f"`{schema.CHILD_RELATION_PATTERN.pattern}` (長男, 次女, 三男, …).",
        ]
    return lines


def _check_text(table: schema.Table, check: schema.Check) -> str:
    other = _code(check.other) if check.other else ""
    dated = table.column(check.column).kind in ("date", "month")
    if check.kind == "at_least":
        return f"{_code(check.column)} is {'before' if dated else 'below'} {other}"
    if check.kind == "at_most":
        return f"{_code(check.column)} is {'after' if dated else 'above'} {other}"
    if check.kind == "one_of":
        return f"{_code(check.column)} is not one of " + ", ".join(str(v) for v in check.values)
    if check.kind == "valid_for":
        return f"{_code(check.column)} is not a code valid for the row's {other}"
    return (
        f"the period from {_code(check.column)} to {other} overlaps an earlier period of the "
        f"same {_code(check.by)} (the later-starting row is rejected)"
    )


def _table_section(table: schema.Table) -> list[str]:
    lines = ["", f"### `{table.name}` — {table.title_ja} ({table.title_en})", "", table.grain_en, ""]
    rows = [
        (
            _code(c.name),
            c.alias or "",
            _type_text(c),
            _required_text(c),
            type(c.dtype).__name__,
            c.meaning_en,
        )
        for c in table.columns
    ]
    lines += _table(("column", "header alias", "type", "required", "loaded as", "meaning"), rows)
    lines += [
        "",
        "**Key:** (" + ", ".join(_code(k) for k in table.key) + "): two rows with the same "
        "key refuse the drop (`duplicate_key`).",
        "",
        f"**Knowledge date:** {knowledge_text(table)}.",
    ]
    if table.checks:
        lines += ["", "**Rules across columns** (a row breaking one goes to `rejects/`):", ""]
        lines += _table(
            ("rule", "reported under", "rejected when"),
            [(_code(c.rule), _code(c.column), _check_text(table, c)) for c in table.checks],
        )
    for col in table.columns:
        if col.kind == "code":
            lines += ["", *_codes_table(table, col)]
    if table.notes:
        lines += [""] + [f"- {note}" for note in table.notes]
    return lines


_T = dt.date(2026, 3, 31)


def _labels() -> list[str]:
    return [
        "",
        "## 2. Labels, cohorts and time",
        "",
        "- **Label** of household h for issue i as of T with horizon H (default 6 months,",
        "  `horizon_months` in the model configuration, `kizuki train --horizon`): 1 if",
        "  `outcomes` has (h, i, `confirmed` = true) with `opened_on` in (T, T + H], else 0.",
        "- **Cohort** for issue i as of T: households that exist on T and have no confirmed",
        "  case of issue i opened on or before T. Those are already known to services: they",
        "  are never scored or listed as new warnings for that issue, and a household listed",
        "  for another issue is marked `known_case` on the shortlist.",
        "- **Training** uses only as-of dates whose whole horizon has passed: T + H ≤ the",
        "  newest knowledge date in the drop.",
        f"- Months are calendar months: 6 months after {_T.isoformat()} is "
        f"{add_months(_T, 6).isoformat()}, 12 months before it",
        f"  {add_months(_T, -12).isoformat()} (a month end stays a month end).",
    ]


def _issues() -> list[str]:
    lines = ["", "## 3. Issue codes", ""]
    rows = []
    for code in schema.ISSUES:
        aliases = [a for a in _aliases("issue", code) if a != schema.ISSUE_NAMES_JA[code]]
        ja = schema.ISSUE_NAMES_JA[code] + (f" ({', '.join(aliases)})" if aliases else "")
        rows.append((_code(code), ja, schema.ISSUE_NAMES_EN[code], schema.ISSUE_TEXT_EN[code]))
    lines += _table(("code", "日本語 (also accepted)", "English", "meaning"), rows)
    lines += [
        "",
        "A household with two or more issues at once has a *compound* need (複合課題): the",
        "case that 重層的支援体制整備事業 exists for.",
    ]
    return lines


def _rules(severity: str) -> list[tuple[object, ...]]:
    return [(_code(r), RULE_TEXT[r]) for r, s in RULE_SEVERITY.items() if s == severity]


def _refused() -> list[str]:
    words = ", ".join(_code(w) for w in schema.IDENTIFIER_COLUMN_WORDS)
    lines = [
        "",
        "## 4. Refused input",
        "",
        "A drop is refused, with a message naming the table, the column and a count, never",
        "a value, when:",
        "",
        f"- a column name is a direct identifier: {words} (after NFKC, lower-casing and",
        "  removing `_`, `-` and spaces; Japanese words match anywhere in the name, Latin",
        "  words as whole words, so `household_id` and `district` never match);",
        "- a text column holds values that are valid 個人番号: 12 digits whose last digit is",
        "  the check digit. With P_n the n-th of the first 11 digits counted from the right",
        "  and Q_n = n + 1 for n ≤ 6, n − 5 for n ≥ 7, the check digit is",
        "  11 − (Σ P_n·Q_n mod 11), or 0 when that remainder is 0 or 1. Example:",
        "  `621498320257` is valid. The number counts wherever it stands in the value (a",
        "  memo such as 「本人確認 621498320257 済」), written with half- or full-width",
        "  digits, or split 4-4-4 by one to three spaces or hyphens (half- or full-width);",
        "  it does not count as part of a longer code: a digit or a Latin letter directly",
        "  before or after it, or a hyphen joining it to one (`6214983202571`,",
        "  `1234-6214-9832-0257`, a hexadecimal pseudonym), disqualifies it;",
        "- a required table or column is missing, or a key is duplicated.",
        "",
        "Every rule that refuses the drop:",
        "",
        *_table(("rule", "meaning"), _rules("refuse")),
        "",
        "Rows that break a rule of their own table (a bad code, a negative amount, absent",
        "days above school days, a date outside its era) do not stop the run: they go to",
        "`rejects/<table>.parquet` and `rejects/<table>.csv` (UTF-8 with BOM) with",
        "`row_number` (1 = the first data row of the file), the `rule` they broke, its",
        "`column` and the row's raw values as text. A row is reported under the first rule",
        "it broke (columns in contract order, then the rules across columns). Rows read =",
        "rows kept + rows rejected, always. The rejected rows are counted in the report",
        "and the run manifest, and the drop is refused only when a table's reject share",
        "passes a limit (`reject_share_over_limit`; default 1%, `reject_limit` and per-table",
        "`table_limits` in the validation configuration, `kizuki validate --reject-limit`).",
        "",
        "Every rule that rejects a row:",
        "",
        *_table(("rule", "meaning"), _rules("reject")),
        "",
        "Reported, without refusing anything:",
        "",
        *_table(("rule", "meaning"), _rules("warn")),
    ]
    return lines


def _outputs() -> list[str]:
    return [
        "",
        "## 5. Output: a scoring run",
        "",
        "A scoring run as of T writes one folder. Files are written atomically (a crash",
        "never leaves a half-written file under its final name) and readable by their owner",
        "only (files `0600`, folders kizuki creates `0700`). In every CSV kizuki writes, a",
        "text cell that a spreadsheet would evaluate (a leading `=`, `+`, `-`, `@`, tab or",
        "carriage return, also after white space or full-width) starts with `'` (OWASP's",
        "advice on CSV injection); a `-` cell that is a plain number (`-7295`) stays as it is.",
        "",
        "| file | contents |",
        "|---|---|",
        "| `scores.parquet` | one row per (household_id, issue) in the cohort: `household_id`, "
        "`as_of`, `issue`, `score` (calibrated probability of a confirmed case within the "
        "horizon), `rank` (1 = highest within the issue), `checklist_score`, `model_version` |",
        "| `shortlist.parquet`, `shortlist.csv` (UTF-8 with BOM, opens in Excel), "
        "`shortlist.xlsx` | the households to visit, per district and within capacity: "
        "`household_id`, `district`, `priority` (1 = first within the district), `issues`, "
        "`score`, `reasons` (the top reasons, each a 気づき checklist item with its text and "
        "the household's own values), `known_case` (already in support for another issue); "
        "kizuki adds `compound` (listed for two or more issues), `known_issues`, "
        "`issue_scores`, `expected_needs` and `as_of` |",
        "| `report.html` | one self-contained page (opens offline) for outreach leads: the "
        "shortlist by district with each household's reasons; Japanese by default, English "
        "with `--lang en` |",
        "| `manifest.json` | run id, as-of date, code version, config hash, model version; per "
        "input table: file hash, rows read, rows rejected, knowledge-date range; timings per "
        "stage |",
        "| `rejects/` | rejected rows per table, each with the rule it broke (section 4) |",
        "",
        "kizuki also writes `features.parquet` (every household on T with its features and",
        "audit groups), which `kizuki monitor` and `kizuki audit` read. The shortlist points;",
        "a person decides. A low score is never a reason to withhold help.",
    ]


def _command_line() -> list[str]:
    return [
        "",
        "## 6. Command line",
        "",
        "Scripts and schedulers rely on these forms; every other option is kizuki's to",
        "choose and documented in `--help`.",
        "",
        "| command | does |",
        "|---|---|",
        "| `kizuki demo` | the whole job on an embedded default: make a synthetic municipality, "
        "train, score the newest date, write the reports, print where they are |",
        "| `kizuki synth --preset NAME --out DIR` (or `--households N`, `--months M`, "
        "`--seed S`) | write a synthetic data drop (section 7) |",
        "| `kizuki validate DROP` | check a drop against this contract; exit 0 when usable, "
        "3 with a report when refused |",
        "| `kizuki train DROP --as-of DATE [--horizon MONTHS]` | train and evaluate on the "
        "drop's history before DATE, register the model, print its URI |",
        "| `kizuki score DROP --as-of DATE --out DIR [--model URI]` | write a scoring run "
        "(section 5); without `--model`, use the registered champion |",
        "",
        "kizuki's own commands besides these (`kizuki pseudonymize`, `kizuki features`,",
        "`kizuki monitor`, `kizuki audit`) are described by `kizuki --help`.",
        "",
        "Version 2 adds `kizuki run PIPELINE.yaml [--as-of DATE] [--overwrite]` (section 9)",
        "and `kizuki feedback import FILE --history DIR` (section 8); both are implemented.",
        "",
        "Exit status:",
        "",
        "| status | meaning | today |",
        "|---|---|---|",
        "| 0 | done | implemented; \"already done\": `kizuki score` into a folder holding a "
        "complete run of the same inputs, `kizuki run` of a run the ledger holds as "
        "completed with the same inputs (section 9) |",
        "| 1 | unexpected failure: a bug, the only case with a traceback | implemented |",
        "| 2 | usage error: a bad option or argument | implemented |",
        "| 3 | input refused: the drop, a feedback file or a configuration | the drop "
        "(section 4, `drop.yaml`, a table the missing-table policy refuses to miss): "
        "implemented; a configuration file (unreadable, invalid, an unknown key): "
        "implemented; a tracking store that cannot be used, found before any work: "
        "implemented; feedback files come with "
        "section 8. A path kizuki cannot use (read-only or full disk, no permission, a "
        "file where a folder is expected or the reverse) also exits 3, in one line |",
        "| 4 | done, but a configured alert fired (drift, data quality, fairness) | "
        "`kizuki monitor`, `kizuki audit` and `kizuki run` (any stage's alert, by the "
        "pipeline's alert policy); `validate`, `features`, `train` and `score` "
        "when a table whose missing-table policy is `alert` is absent |",
        "| 5 | not started: another run holds the lock | `kizuki score` (a lock beside its "
        "run folder), the report folders of `monitor` and `audit`, and `kizuki run` (the "
        "history's `lock`, naming the holder) |",
        "",
        "An interrupted command (Ctrl-C) exits 130. The tracking store is",
        "`KIZUKI_TRACKING_URI` when set, else a local default that needs no server.",
    ]


def _synthetic() -> list[str]:
    return [
        "",
        "## 7. Synthetic drops",
        "",
        "`kizuki synth` writes a data drop in exactly the format above (parquet, or with",
        "`--format csv-jp` CP932 CSV files with Japanese headers, 和暦 dates and Japanese",
        "codes, as municipalities send them; both load to identical frames), plus a folder",
        "`truth/` that scoring never reads: the generator's hidden state, for evaluation.",
        "`truth/latent.parquet` has one row per (household_id, month, issue) in which the",
        "household truly had that need, whether or not any record or case showed it.",
    ]


def _later() -> list[str]:
    return [
        "",
        "## 8. Outreach feedback: `visits` (v2)",
        "",
        "What the outreach team did with a list. Every run's `shortlist.xlsx` carries an",
        "entry sheet (記入用): one row per listed household, its run id and household id",
        "filled in and locked, drop-down lists for the result and for each issue confirmed,",
        "a checked visit date; the run folder holds `entry.csv` with the same columns. The",
        "team fills it and hands it back: `kizuki feedback import FILE --history DIR`.",
        "",
        "| column | type | req | meaning / codes (aliases) |",
        "|---|---|---|---|",
        "| run_id | str | yes | the run whose list this row answers |",
        "| household_id | str | yes | as listed |",
        "| visited_on | date | yes | date of the visit or attempt (和暦 accepted) |",
        "| result | code | yes | `need_confirmed` (支援につながった, 課題あり), `no_need` (課題なし, "
        "問題なし), `declined` (拒否, 訪問拒否), `not_reached` (不在, 会えず), `moved` (転居, 転出) |",
        "| confirmed_issues | codes | no | issue codes (section 3, or their 日本語 names, "
        "separated by `,` `、` or `・`; on the sheet one ○ column per issue); required when "
        "result is `need_confirmed` |",
        "| team | str | no | pseudonymous team code; never a person's name |",
        "",
        "Rules: a household id not on that run's list, a run id the history does not hold, a",
        "visit date before the run's as-of date or after the day of import, an unknown code,",
        "are row rejects with their rule (rows in = kept + rejected, in",
        "`feedback/<sha256>/report.json` and `rejects.parquet`); a sheet with a 氏名-like",
        "column or a 個人番号 is refused as in section 4 (exit 3); free-text cells are never",
        "imported. Importing the same file twice changes nothing; a corrected file replaces",
        "the rows of the file it corrects; the ledger records each import. Kept rows go to",
        "`visits.parquet` with the file's name and hash. Visits become `outcomes` rows with",
        "`route = kizuki` (`need_confirmed`: `confirmed = true` for each confirmed issue and",
        "false for the other issues listed; `no_need`: false for the listed issues; the other",
        "results: no label), available to training but **not yet used by `kizuki train`**.",
        "The follow-up state (`followup.parquet`) holds back households visited with `no_need`",
        "or `declined` for the issues they were listed for (`configs/outreach.yaml`).",
        "",
        "## 9. Run history (v2)",
        "",
        "`kizuki run PIPELINE.yaml` works on one history folder per municipality. A",
        "pipeline file (YAML, validated on load; an unknown key is refused quoting it, exit 3)",
        "names `pipeline`, `drop`, `history`, optional `tracking`, `lang`, `as_of` (`newest`:",
        "the newest complete month-end of the drop, or a date), `stages` (any of `validate`,",
        "`train`, `score`, `monitor`, `performance`, `audit`, `pages`, with their options; they",
        "always run in that order) and `alerts.fail_on` (`configured` or a list of checks).",
        "",
        "| path | contents |",
        "|---|---|",
        "| `runs/<as_of>/`, `runs/<as_of>.<n>/` | one scoring run (section 5), plus `monitor/` "
        "and `audit/`; attempt n >= 2 of the same as-of with other inputs |",
        "| `ledger.parquet` | append-only, one row per run attempt: `run_id`, `pipeline`, "
        "`as_of`, `attempt`, `run_dir`, `started`, `ended`, `status` (`done`, `refused`, "
        "`alert`, `failed`, `interrupted`), `stage` (the last finished), `drop_hashes` (JSON: "
        "table -> sha256), `model_version`, `config_hash`, `shortlist_hash`, `exit_status`, "
        "`message` (one line, never a record's value) |",
        "| `journal/<run>.json` | the stages an unfinished attempt has done (removed when it "
        "ends) |",
        "| `logs/<run_id>.log` | one log per attempt: progress lines, never a record's value |",
        "| `validation/<run>/` | the validation report and rejects of an attempt |",
        "| `performance/` | `performance.html` / `.json`: past runs' precision and recall |",
        "| `pages/` | `history.html` (every attempt), `community.html` (地域診断) |",
        "| `lock` | held by a running pipeline; a second run exits 5 at once |",
        "| `visits.parquet`, `followup.parquet` | with section 8: **not yet implemented** |",
        "",
        "A run is identified by (pipeline, as-of, drop hashes, model version, config hash):",
        "running it again after it completed is a no-op that exits 0 and says so; a run that",
        "was interrupted (killed, machine restarted) is recorded as `interrupted` and redone",
        "from its first unfinished stage, with nothing half-written left under a final name;",
        "the same as-of with different inputs writes a new attempt and never overwrites the",
        "old one without `--overwrite`.",
        "",
        "## 10. Governance outputs (v2)",
        "",
        "Each model version `kizuki train` registers carries, as tracked artifacts",
        "(`model/governance/`), and written by `kizuki model card URI` and, for the versions",
        "a history's runs use, into `<history>/models/<version>/`: a model card",
        "(`model_card.json`, `model_card.html` / `.md` in Japanese and `model_card.en.html` /",
        "`.en.md` in English: intended use",
        "and uses it must not have, the data used with each table's source, purpose and legal",
        "basis from `drop.yaml`, features, the training, calibration and validation dates,",
        "metrics beside the checklist and single-feature baselines, calibration, global",
        "explanations per 気づき item, known blind spots, each consequential setting with its",
        "value and its reason (`why:` in `configs/`) and what changed since the previous",
        "champion), a methodology page, and an algorithm-register record (`register.json`,",
        "`register.html` / `.md`, `register.en.html` / `.en.md`) shaped after the UK Algorithmic Transparency",
        "Recording Standard (tier 1 and tier 2), with the fields a person must write marked.",
        "Metrics by group on the validation households: **not yet** (the card links to each",
        "run's fairness audit).",
    ]


def render() -> str:
    """The whole contract document as Markdown (ends with one newline)."""
    lines = _front() + _conventions()
    lines += ["", "### The tables"]
    for table in schema.TABLES.values():
        lines += _table_section(table)
    lines += _labels() + _issues() + _refused() + _outputs() + _command_line()
    lines += _synthetic() + _later()
    return "\n".join(lines) + "\n"


def main() -> None:
    """Write :func:`render` to standard output as UTF-8."""
    sys.stdout.buffer.write(render().encode("utf-8"))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
