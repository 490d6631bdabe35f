"""Load a data drop (contract §1) into canonical polars frames, validating it on the way.

``load_drop(path) -> LoadedDrop`` is the one door every command uses. It reads each
``<table>.parquet`` / ``<table>.csv``, maps Japanese headers, refuses direct
identifiers (§4), parses every field into the canonical schema
(:data:`kizuki.contract.schema.TABLES`, plus ``known_on``), sends rows that break a
rule of their own table to rejects, and refuses the drop (``DropRefused``, carrying
the report) when a refusal rule fires. Identical output whatever the input format.

It also reads the drop's ``drop.yaml`` (contract v2 §1,
:mod:`kizuki.contract.declaration`): a table file without an entry giving its purpose
and legal basis refuses the drop (``missing_legal_basis``) unless the
:class:`DoorRules` accept undeclared tables, in which case the drop is used, the
``warn`` callback says so loudly and the declaration record says ``"undeclared"``.
A drop without ``drop.yaml`` (contract v1) has every table undeclared. And it applies
the missing-table policy: per optional table absent, ``refuse`` (the drop is refused),
``alert`` (used; :meth:`LoadedDrop.alerts` names it, the command exits 4) or ``allow``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import polars as pl
import yaml

from kizuki.alerts import Alert
from kizuki.contract import schema
from kizuki.contract.declaration import (
    DROP_YAML,
    Declaration,
    Finding,
    check_tables,
    declaration_record,
    read_declaration,
)
from kizuki.contract.report import TableReport, ValidationReport
from kizuki.errors import DropRefused, KizukiError
from kizuki.io.atomic import write_text
from kizuki.io.cache import TableCache
from kizuki.io.read import UnreadableFile, open_raw
from kizuki.io.validating import Window, validate_source

DEFAULT_REJECT_LIMIT = 0.01

#: what the door does when an optional table is absent
MissingAction = Literal["refuse", "alert", "allow"]
#: the check name of the alert a missing table raises under the ``alert`` policy
MISSING_TABLE_ALERT = "missing_table"


@dataclass(frozen=True)
class DoorRules:
    """How strict the door is (from ``configs/validation.yaml`` and the command's flags).

    ``reject_limit`` / ``table_limits``: the reject-share limits; ``missing_tables``:
    per optional table, what its absence means (tables not named: ``allow``);
    ``accept_undeclared``: use tables that ``drop.yaml`` does not declare (recorded as
    undeclared) instead of refusing the drop.
    """

    reject_limit: float = DEFAULT_REJECT_LIMIT
    table_limits: Mapping[str, float] = field(default_factory=dict)
    missing_tables: Mapping[str, MissingAction] = field(default_factory=dict)
    accept_undeclared: bool = False


class RefusedDrop(DropRefused):
    """A drop refused by validation; ``report`` holds every violation found."""

    def __init__(self, report: ValidationReport, rejects: dict[str, pl.DataFrame]) -> None:
        super().__init__(report.summary_line())
        self.report = report
        self.rejects = rejects


@dataclass
class LoadedDrop:
    """A validated drop: canonical lazy tables, rejects, and the report.

    ``tables`` holds only the tables present; ``missing_tables`` the optional ones absent.
    """

    path: Path
    tables: dict[str, pl.LazyFrame]
    report: ValidationReport
    rejects: dict[str, pl.DataFrame] = field(default_factory=dict)
    missing_tables: list[str] = field(default_factory=list)
    #: the tables used without a declared purpose and legal basis (accepted undeclared)
    undeclared: tuple[str, ...] = ()

    @property
    def declaration(self) -> dict[str, Any] | None:
        """The drop.yaml record (:func:`kizuki.contract.declaration.declaration_record`)."""
        return self.report.declaration

    @property
    def missing_policy(self) -> dict[str, str]:
        """Per optional table absent: the policy applied (``alert`` or ``allow``)."""
        return dict(self.report.missing_tables)

    def alerts(self) -> list[Alert]:
        """One failing :class:`~kizuki.alerts.Alert` per absent table whose policy is ``alert``."""
        return missing_table_alerts(self.report.missing_tables)

    @property
    def sources(self) -> dict[str, TableReport]:
        """Per table: file, format, encoding, sha256, rows read/kept/rejected, knowledge range."""
        return {k: v for k, v in self.report.tables.items() if v.present}

    def newest_knowledge_date(self) -> str | None:
        """The latest ``known_on`` over all tables (ISO date), or None for an empty drop."""
        dates = [t.known_to for t in self.sources.values() if t.known_to]
        return max(dates) if dates else None


def missing_table_alerts(policy: Mapping[str, str]) -> list[Alert]:
    """The alerts of a missing-table policy record (table -> action): one per ``alert``."""
    return [
        Alert(MISSING_TABLE_ALERT, table, {"table": table, "policy": action})
        for table, action in policy.items()
        if action == "alert"
    ]


def _read_declaration(drop: Path) -> tuple[bool, Declaration | None, list[Finding], str | None]:
    """(drop.yaml exists, its declaration, findings, sha256) of the drop folder."""
    path = drop / DROP_YAML
    if not path.exists():
        return False, None, [], None
    try:
        data = path.read_bytes()
        raw = yaml.safe_load(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return True, None, [Finding(DROP_YAML, None, "invalid_drop_yaml")], None
    declaration, found = read_declaration(raw)
    return True, declaration, found, hashlib.sha256(data).hexdigest()


def _declare(
    drop: Path, files: Mapping[str, Path], report: ValidationReport, rules: DoorRules
) -> tuple[str, ...]:
    """Check drop.yaml against the table files present; record it in the report.

    Out: the tables used undeclared (accepted). Refusals go into the report."""
    exists, declaration, found, sha = _read_declaration(drop)
    present = [name for name in schema.TABLES if name in files]
    undeclared: tuple[str, ...] = ()
    if not exists or declaration is not None:
        undeclared, more = check_tables(
            declaration, present, accept_undeclared=rules.accept_undeclared
        )
        found += more
    else:  # unreadable drop.yaml: refused above; nothing is declared
        undeclared = tuple(present)
    for f in found:
        report.add(f.table, f.column, f.rule, 1, f.severity)
    report.declaration = declaration_record(
        declaration,
        undeclared,
        present,
        accepted_undeclared=rules.accept_undeclared and bool(undeclared),
        sha256=sha,
    )
    return undeclared if rules.accept_undeclared else ()


def write_declaration(folder: Path, declaration: Declaration) -> Path:
    """Write ``declaration`` as ``<folder>/drop.yaml`` (UTF-8, atomically); returns its path."""
    text = yaml.safe_dump(
        declaration.to_yaml_data(), allow_unicode=True, sort_keys=False, default_flow_style=False
    )
    header = "# drop.yaml: what this drop is and why it may be used (kizuki contract v2, section 1)\n"
    return write_text(folder / DROP_YAML, header + text)


def _table_files(drop: Path, report: ValidationReport) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for p in sorted(drop.iterdir()):
        if not p.is_file() or p.suffix not in (".csv", ".parquet") or p.name.startswith("."):
            continue
        name = p.stem
        if name not in schema.TABLES:
            report.add(name, None, "unknown_table_file", 1, "warn")
            continue
        if name in files:
            report.add(name, None, "duplicate_table_file", 1, "refuse")
            continue
        files[name] = p
    return files


def load_drop(
    path: Path | str,
    *,
    encoding: str | None = None,
    reject_limit: float | None = None,
    table_limits: Mapping[str, float] | None = None,
    rules: DoorRules | None = None,
    warn: Callable[[str], None] | None = None,
    cache: TableCache | None = None,
    windows: Mapping[str, Window] | None = None,
) -> LoadedDrop:
    """Load and validate the drop folder at ``path``.

    In: the folder; an optional forced CSV encoding (``utf-8``, ``utf-8-sig``, ``cp932``);
    the door's :class:`DoorRules` (default: 1% reject limit, no missing-table policy,
    undeclared tables refused), of which ``reject_limit`` and ``table_limits``, when
    given, override the limits; ``warn``, called with one loud line when tables are
    used undeclared; ``cache``, where validations of table files are kept between runs
    (a file validated before under the same rules is not validated again: its report
    says ``validation: "cached"`` and the run it came from). Out: :class:`LoadedDrop`,
    whose large tables are lazy scans of validated parquet parts (memory stays bounded:
    :mod:`kizuki.io.validating`). ``windows``: per monthly table, the
    :class:`~kizuki.io.validating.Window` a run needs (a scoring run): only those rows
    are read and validated (the report's ``window_from`` says so). Raises :class:`RefusedDrop` (with the
    full report) when the drop is refused, ``KizukiError`` when the folder does not exist.
    """
    drop = Path(path)
    if not drop.is_dir():
        raise KizukiError(f"data drop folder not found: {drop}")
    rules = rules or DoorRules()
    limit = rules.reject_limit if reject_limit is None else reject_limit
    limits = rules.table_limits if table_limits is None else table_limits
    report = ValidationReport(
        drop=str(drop), contract_version=schema.CONTRACT_VERSION, reject_limit=limit
    )
    files = _table_files(drop, report)
    undeclared = _declare(drop, files, report, rules)
    if undeclared and warn is not None:
        without_file = report.declaration is not None and report.declaration["file"] is None
        v1 = " (no drop.yaml: a contract version 1 drop)" if without_file else ""
        warn(
            f"WARNING: UNDECLARED tables used without a declared purpose and legal basis"
            f"{v1}: {', '.join(undeclared)} (--accept-undeclared; recorded as undeclared)"
        )
    tables: dict[str, pl.LazyFrame] = {}
    rejects: dict[str, pl.DataFrame] = {}
    missing: list[str] = []
    for name, table in schema.TABLES.items():
        if name not in files:
            report.tables[name] = TableReport(table=name, present=False)
            if table.required:
                report.add(name, None, "missing_required_table", 1, "refuse")
                continue
            missing.append(name)
            action = rules.missing_tables.get(name, "allow")
            report.missing_tables[name] = action
            if action == "refuse":
                report.add(name, None, "required_table_missing", 1, "refuse")
            else:
                report.add(name, None, "optional_table_missing", 1, "warn")
            continue
        try:
            source = open_raw(files[name], encoding)
            window = (windows or {}).get(name)
            outcome = validate_source(table, source, cache=cache, window=window)
        except UnreadableFile:
            report.tables[name] = TableReport(table=name, file=files[name].name)
            report.add(name, None, "unreadable_file", 1, "refuse")
            continue
        tr = outcome.report
        report.tables[name] = tr
        report.violations.extend(outcome.violations)
        if outcome.kept is None or outcome.rejects is None:
            continue
        share_limit = limits.get(name, limit)
        if tr.reject_share > share_limit:
            report.add(name, None, "reject_share_over_limit", tr.rows_rejected, "refuse")
        tables[name] = outcome.kept
        rejects[name] = outcome.rejects
        # let the raw rows go before the next file is read
        del source, outcome
    if not report.usable:
        raise RefusedDrop(report, rejects)
    return LoadedDrop(drop, tables, report, rejects, missing, undeclared)
