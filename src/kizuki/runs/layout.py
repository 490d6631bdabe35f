"""The run-folder layout (contract §5, §9): the name of every file a scoring run holds.

A scoring run as of T is one folder::

    <run>/
      features.parquet    every household on T: features and group columns
      scores.parquet      one row per (household, issue) in the cohort
      shortlist.parquet   the households to visit (also .csv with a BOM, and .xlsx with
                          the entry sheet 記入用 the outreach team fills, contract §8)
      entry.csv           the entry sheet's CSV template (UTF-8 with a BOM)
      report.html         the outreach leads' page
      rejects/<table>.parquet   rows the loader rejected, with the rule they broke
      manifest.json       written last: a folder with a manifest is a complete run
      monitor/            written by ``kizuki monitor`` (monitor.html, monitor.json)
      audit/              written by ``kizuki audit`` (audit.html, audit.json)

A run history (contract §9) holds one such folder per as-of date under ``runs/``;
:func:`kizuki.runs.find_runs` reads a folder of run folders. Writers and readers
take paths from :class:`RunLayout`, never spell a file name themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kizuki.io.swap import TEMP_MARK

FEATURES = "features.parquet"
SCORES = "scores.parquet"
SHORTLIST = "shortlist.parquet"
SHORTLIST_CSV = "shortlist.csv"
SHORTLIST_XLSX = "shortlist.xlsx"
ENTRY_CSV = "entry.csv"
REPORT = "report.html"
MANIFEST = "manifest.json"
REJECTS = "rejects"
MONITOR = "monitor"
AUDIT = "audit"

#: files at the top of a complete run, in the order ``kizuki score`` writes them
RUN_FILES = (
    FEATURES,
    SCORES,
    SHORTLIST,
    SHORTLIST_CSV,
    SHORTLIST_XLSX,
    ENTRY_CSV,
    REPORT,
    MANIFEST,
)
#: the files a reader (monitor, audit, performance) needs
REQUIRED_FILES = (MANIFEST, FEATURES, SCORES, SHORTLIST)
#: what a run folder may hold at its top: its files, its folders, lock files of the
#: reports written into it, and temporary files of atomic writes
RUN_ENTRIES = frozenset((*RUN_FILES, REJECTS, MONITOR, AUDIT, f"{MONITOR}.lock", f"{AUDIT}.lock"))


def is_run_entry(name: str) -> bool:
    """Whether a name at the top of a folder belongs to a kizuki run (its files, folders,
    or a leftover ``.<file>.<random>.tmp`` of an atomic write)."""
    return name in RUN_ENTRIES or (name.startswith(".") and name.endswith(".tmp"))


def is_temporary(path: Path) -> bool:
    """Whether ``path`` is a run folder's temporary sibling (being built or replaced):
    readers of a folder of runs skip these."""
    return TEMP_MARK in Path(path).name


@dataclass(frozen=True)
class RunLayout:
    """Paths inside one run folder ``root`` (nothing is created or read here)."""

    root: Path

    @property
    def features(self) -> Path:
        """``features.parquet``."""
        return self.root / FEATURES

    @property
    def scores(self) -> Path:
        """``scores.parquet``."""
        return self.root / SCORES

    @property
    def shortlist(self) -> Path:
        """``shortlist.parquet``."""
        return self.root / SHORTLIST

    @property
    def shortlist_csv(self) -> Path:
        """``shortlist.csv`` (UTF-8 with a BOM)."""
        return self.root / SHORTLIST_CSV

    @property
    def shortlist_xlsx(self) -> Path:
        """``shortlist.xlsx``."""
        return self.root / SHORTLIST_XLSX

    @property
    def entry_csv(self) -> Path:
        """``entry.csv``: the entry sheet's CSV template (UTF-8 with a BOM)."""
        return self.root / ENTRY_CSV

    @property
    def report(self) -> Path:
        """``report.html``."""
        return self.root / REPORT

    @property
    def manifest(self) -> Path:
        """``manifest.json`` (written last)."""
        return self.root / MANIFEST

    @property
    def rejects(self) -> Path:
        """The ``rejects/`` folder."""
        return self.root / REJECTS

    def reject(self, table: str) -> Path:
        """``rejects/<table>.parquet``."""
        return self.rejects / f"{table}.parquet"

    @property
    def monitor(self) -> Path:
        """The ``monitor/`` folder (the default place of ``kizuki monitor``'s reports)."""
        return self.root / MONITOR

    @property
    def audit(self) -> Path:
        """The ``audit/`` folder (the default place of ``kizuki audit``'s reports)."""
        return self.root / AUDIT

    def name_of(self, path: Path) -> str:
        """``path`` relative to the run folder, with ``/`` (the key of the manifest's ``files``)."""
        return Path(path).relative_to(self.root).as_posix()

    def holds_run(self) -> bool:
        """Whether the folder holds a complete run (its manifest exists)."""
        return self.manifest.is_file()
