"""The history-folder layout (contract §9): the name of every file a municipality's history holds.

One history folder per municipality::

    <history>/
      runs/<as_of>/          attempt 1 of the run as of that date (a scoring run, §5,
                             plus monitor/ and audit/ when those stages ran)
      runs/<as_of>.<n>/      attempt n >= 2: the same as-of with different inputs
      ledger.parquet         append-only, one row per run attempt (LEDGER_COLUMNS)
      visits.parquet         every imported feedback row (§8), with its file and hash
      followup.parquet       per household: listed, visited, held back, in support
      lock                   held by a running pipeline
      models/<version>/      model card, methodology, register record of each version used
      feedback/<sha256>/     the report and rejects of each imported feedback file
      community/             each run's 地域診断 intervals (computed once per run)
      performance/           performance.html, .json: past runs' precision and recall
      validation/<run dir>/  the validation report and rejects of each attempt
      logs/<run_id>.log      one log per run attempt (no record values)
      journal/<run dir>.json the stages an attempt has finished (written after each stage;
                             an attempt killed part-way is resumed from it)
      validated/             per-file validation results keyed by file hash (incremental
                             validation: a file validated before is not validated again)
      pages/                 history.html, community.html

Writers and readers take paths from :class:`HistoryLayout`, never spell a name themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

RUNS = "runs"
LEDGER = "ledger.parquet"
VISITS = "visits.parquet"
FOLLOWUP = "followup.parquet"
LOCK = "lock"
LOGS = "logs"
VALIDATED = "validated"
JOURNAL = "journal"
COMMUNITY_CACHE = "community"
FEEDBACK = "feedback"
MODELS = "models"
PERFORMANCE = "performance"
VALIDATION = "validation"
PAGES = "pages"
HISTORY_PAGE = "history.html"
COMMUNITY_PAGE = "community.html"

#: the ledger's columns, in order (contract §9), with their polars type names
LEDGER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("run_id", "String"),
    ("pipeline", "String"),
    ("as_of", "Date"),
    ("attempt", "Int32"),  # n of runs/<as_of>[.<n>]
    ("run_dir", "String"),  # relative to the history root, e.g. runs/2026-09-30
    ("started", "Datetime[us, UTC]"),
    ("ended", "Datetime[us, UTC]"),
    ("status", "String"),  # done | refused | alert | failed | interrupted
    ("stage", "String"),  # the last stage that finished
    ("drop_hashes", "String"),  # JSON object: file name -> sha256
    ("model_version", "String"),
    ("config_hash", "String"),
    ("shortlist_hash", "String"),
    ("exit_status", "Int32"),
    ("message", "String"),  # one line, never a record's value
)
#: the statuses a ledger row may have
STATUSES = ("done", "refused", "alert", "failed", "interrupted")


def run_dir_name(as_of: dt.date, attempt: int = 1) -> str:
    """``<as_of>`` for attempt 1, ``<as_of>.<n>`` for attempt n >= 2."""
    return as_of.isoformat() if attempt == 1 else f"{as_of.isoformat()}.{attempt}"


@dataclass(frozen=True)
class HistoryLayout:
    """Paths inside one history folder ``root`` (nothing is created or read here)."""

    root: Path

    @property
    def runs(self) -> Path:
        """``runs/``: one folder per run attempt."""
        return self.root / RUNS

    def run_dir(self, as_of: dt.date, attempt: int = 1) -> Path:
        """``runs/<as_of>`` (attempt 1) or ``runs/<as_of>.<n>``."""
        return self.runs / run_dir_name(as_of, attempt)

    @property
    def ledger(self) -> Path:
        """``ledger.parquet``."""
        return self.root / LEDGER

    @property
    def visits(self) -> Path:
        """``visits.parquet``."""
        return self.root / VISITS

    @property
    def followup(self) -> Path:
        """``followup.parquet``."""
        return self.root / FOLLOWUP

    @property
    def lock(self) -> Path:
        """``lock``."""
        return self.root / LOCK

    @property
    def logs(self) -> Path:
        """``logs/``."""
        return self.root / LOGS

    def log(self, run_id: str) -> Path:
        """``logs/<run_id>.log``."""
        return self.logs / f"{run_id}.log"

    @property
    def journal(self) -> Path:
        """``journal/``: one file per run attempt, the stages it has finished."""
        return self.root / JOURNAL

    def journal_file(self, run_dir: str) -> Path:
        """``journal/<run dir name>.json`` (e.g. ``journal/2026-09-30.json``)."""
        return self.journal / f"{run_dir}.json"

    def model_card(self, version: str) -> Path:
        """``models/<version>/``: the model card, methodology page and register record of a
        version the history's runs used (contract §10), written once per version."""
        return self.root / MODELS / version

    def feedback(self, sha256: str) -> Path:
        """``feedback/<sha256>/``: the report and rejects of one imported feedback file."""
        return self.root / FEEDBACK / sha256

    @property
    def community_cache(self) -> Path:
        """``community/``: each run's community intervals, computed once per run."""
        return self.root / COMMUNITY_CACHE

    @property
    def performance(self) -> Path:
        """``performance/``: precision and recall of past runs as outcomes arrive."""
        return self.root / PERFORMANCE

    def validation(self, run_dir: str) -> Path:
        """``validation/<run dir name>/``: the validation report and rejects of an attempt."""
        return self.root / VALIDATION / run_dir

    @property
    def validated(self) -> Path:
        """``validated/``: validation results keyed by file hash."""
        return self.root / VALIDATED

    @property
    def pages(self) -> Path:
        """``pages/``."""
        return self.root / PAGES

    @property
    def history_page(self) -> Path:
        """``pages/history.html``."""
        return self.pages / HISTORY_PAGE

    @property
    def community_page(self) -> Path:
        """``pages/community.html``."""
        return self.pages / COMMUNITY_PAGE
