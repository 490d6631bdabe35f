"""``kizuki feedback import FILE --history DIR``: a filled entry sheet into the history.

:func:`import_feedback`, holding the history's lock (a run holding it: exit 5 at once):

1. a file whose sha256 the ledger records as imported (``feedback-import``, ``done``)
   changes nothing: ``already imported``, exit 0;
2. reads the file (:mod:`kizuki.outreach.sheet`) and checks it
   (:mod:`kizuki.outreach.validate`): a refusal writes its report and a ``refused``
   ledger row, then exits 3;
3. the kept rows replace, row by row, the rows of earlier files for the same run and
   household (a corrected file replaces the rows of the file it corrects; the report and
   the ledger message name the file and the rows replaced), rows of the same file left
   by an import that died before its ledger row are replaced too; ``visits.parquet`` is
   rewritten atomically;
4. writes ``feedback/<sha256>/report.json`` (rows in = kept + rejected, rejects per
   column and rule, ignored columns, replaced rows) and ``rejects.parquet``, appends a
   ``done`` ledger row (pipeline ``feedback-import``, run_dir ``""``, drop_hashes
   ``{file: sha256}``), and recomputes ``followup.parquet``.

Nothing printed or written names a record's value (files, columns, rules and counts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from kizuki.config import config_hash
from kizuki.errors import KizukiError
from kizuki.history.layout import HistoryLayout
from kizuki.history.ledger import LedgerRow, append, drop_hashes, read_ledger
from kizuki.io.atomic import write_json, write_parquet
from kizuki.io.locks import hold_lock
from kizuki.io.read import sha256_of
from kizuki.outreach.config import OutreachConfig
from kizuki.outreach.followup import write_followup
from kizuki.outreach.lists import history_lists
from kizuki.outreach.sheet import FeedbackRefused, read_feedback
from kizuki.outreach.validate import check_rows
from kizuki.outreach.visits import VISITS_SCHEMA, read_visits, write_visits

#: the ledger's pipeline name of an import
PIPELINE = "feedback-import"
REPORT = "report.json"
REJECTS = "rejects.parquet"


class NotAHistory(KizukiError):
    """``--history`` names no run history (exit 2: the command line points elsewhere)."""


def feedback_dir(layout: HistoryLayout, sha256: str) -> Path:
    """``feedback/<sha256>/``: the report and rejects of one imported file."""
    return layout.feedback(sha256)


@dataclass(frozen=True)
class ImportResult:
    """What an import did: ``status`` done | already | refused; counts; the report."""

    status: str
    file: str
    sha256: str
    rows_in: int = 0
    kept: int = 0
    rejected: int = 0
    replaced: dict[str, int] = field(default_factory=dict)
    report: Path | None = None
    message: str = ""
    rejects_by_rule: list[dict[str, Any]] = field(default_factory=list)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _run_id(now: dt.datetime, sha: str) -> str:
    return f"feedback-{now:%Y%m%dT%H%M%SZ}-{sha[:8]}"


def already_imported(layout: HistoryLayout, sha256: str) -> bool:
    """Whether the ledger records a completed import of a file with this hash."""
    ledger = read_ledger(layout).filter(
        (pl.col("pipeline") == PIPELINE) & (pl.col("status") == "done")
    )
    return any(sha256 in drop_hashes(r).values() for r in ledger.iter_rows(named=True))


def _ledger_row(
    *,
    now: dt.datetime,
    started: dt.datetime,
    name: str,
    sha: str,
    status: str,
    exit_status: int,
    message: str,
    config: OutreachConfig,
) -> LedgerRow:
    return LedgerRow(
        run_id=_run_id(started, sha),
        pipeline=PIPELINE,
        as_of=None,
        attempt=1,
        run_dir="",
        started=started,
        ended=now,
        status=status,
        stage="import",
        drop_hashes={name: sha},
        model_version=None,
        config_hash=config_hash(config),
        shortlist_hash=None,
        exit_status=exit_status,
        message=message,
    )


def _check_history(layout: HistoryLayout) -> None:
    root = layout.root
    if not root.is_dir() or not (layout.runs.is_dir() or layout.ledger.is_file()):
        raise NotAHistory(
            f"feedback import: --history {root} is not a kizuki run history (no runs/ and no "
            "ledger.parquet in it; `kizuki run` creates one)"
        )


def import_feedback(
    path: Path,
    history: Path,
    config: OutreachConfig,
    *,
    today: dt.date | None = None,
) -> ImportResult:
    """Import one feedback file into a history (see the module docstring).

    In: the file, the history folder, the outreach config, the day of import (None:
    today by the machine's local clock: the municipality's day, not UTC's). Out: :class:`ImportResult`. Raises
    :class:`~kizuki.errors.RunLocked` (exit 5), :class:`NotAHistory` (exit 2),
    :class:`FeedbackRefused` (exit 3, after its report and ledger row are written).
    """
    layout = HistoryLayout(Path(history))
    _check_history(layout)
    path = Path(path)
    with hold_lock(layout.lock, "feedback import", layout.root):
        started = _now()
        today = today or dt.date.today()
        ff = None
        try:
            ff = read_feedback(path)
            if already_imported(layout, ff.sha256):
                return ImportResult(
                    status="already",
                    file=path.name,
                    sha256=ff.sha256,
                    message=f"feedback import: {path.name} already imported; nothing changed",
                )
            hl = history_lists(layout)
            checked = check_rows(ff, hl.lists, hl.runs, today, config)
        except FeedbackRefused as exc:
            sha = ff.sha256 if ff is not None else (sha256_of(path) if path.is_file() else None)
            if sha is not None:  # a file that is not there leaves no trace
                folder = feedback_dir(layout, sha)
                write_json(
                    folder / REPORT,
                    {
                        "file": path.name,
                        "sha256": sha,
                        "format": ff.format if ff is not None else None,
                        "status": "refused",
                        "message": str(exc),
                        "imported_at": started.isoformat(timespec="seconds"),
                    },
                )
                append(
                    layout,
                    [
                        _ledger_row(
                            now=_now(),
                            started=started,
                            name=path.name,
                            sha=sha,
                            status="refused",
                            exit_status=exc.exit_code,
                            message=str(exc),
                            config=config,
                        )
                    ],
                )
            raise

        kept = checked.kept.with_columns(
            file=pl.lit(path.name),
            file_sha256=pl.lit(ff.sha256),
            imported_at=pl.lit(started, dtype=pl.Datetime("us", "UTC")),
        ).select(list(VISITS_SCHEMA))
        old = read_visits(layout).filter(pl.col("file_sha256") != ff.sha256)
        keys = kept.select("run_id", "household_id")
        replaced_rows = old.join(keys, on=["run_id", "household_id"], how="semi")
        replaced = {
            f: int(n) for f, n in replaced_rows.group_by("file").len().sort("file").iter_rows()
        }
        remaining = old.join(keys, on=["run_id", "household_id"], how="anti")
        write_visits(layout, pl.concat([remaining, kept.cast(dict(VISITS_SCHEMA))]))

        by_rule = (
            checked.rejects.group_by("column", "rule")
            .agg(rows=pl.len())
            .sort("rows", "column", "rule", descending=[True, False, False])
        )
        folder = feedback_dir(layout, ff.sha256)
        write_parquet(folder / REJECTS, checked.rejects)
        counts = (
            f"{checked.rows_in} row(s) in = {kept.height} kept + {checked.rejects.height} "
            f"rejected ({checked.blank_rows} row(s) of the sheet left blank)"
        )
        corrects = (
            "; corrects " + ", ".join(f"{f} ({n} row(s) replaced)" for f, n in replaced.items())
            if replaced
            else ""
        )
        message = f"feedback import: {path.name}: {counts}{corrects}"
        report = {
            "file": path.name,
            "sha256": ff.sha256,
            "format": ff.format,
            "sheet": ff.sheet,
            "status": "done",
            "imported_at": started.isoformat(timespec="seconds"),
            "import_day": today.isoformat(),
            "rows_in": checked.rows_in,
            "blank_rows": checked.blank_rows,
            "kept": kept.height,
            "rejected": checked.rejects.height,
            "rejects_by_rule": by_rule.to_dicts(),
            "ignored_columns": list(checked.ignored_columns),
            "replaced": [{"file": f, "rows": n} for f, n in replaced.items()],
            "runs_answered": sorted(kept["run_id"].unique().to_list()),
        }
        report_path = write_json(folder / REPORT, report)
        append(
            layout,
            [
                _ledger_row(
                    now=_now(),
                    started=started,
                    name=path.name,
                    sha=ff.sha256,
                    status="done",
                    exit_status=0,
                    message=message,
                    config=config,
                )
            ],
        )
        write_followup(layout, config)
        return ImportResult(
            status="done",
            file=path.name,
            sha256=ff.sha256,
            rows_in=checked.rows_in,
            kept=kept.height,
            rejected=checked.rejects.height,
            replaced=replaced,
            report=report_path,
            message=message,
            rejects_by_rule=by_rule.to_dicts(),
        )
