"""Scoring-run folders: their layout, their manifest, and reading them back.

One module owns the run folder (contract §5): :mod:`kizuki.runs.layout` names the
files, :mod:`kizuki.runs.manifest` is the versioned manifest schema the writer
(``kizuki score``) fills and every reader validates, :mod:`kizuki.runs.codes` counts
the code columns a run records, and :mod:`kizuki.runs.folder` opens a run for
monitor, audit and performance.
"""

from __future__ import annotations

from kizuki.runs.codes import CODE_WINDOW_MONTHS, code_counts
from kizuki.runs.folder import RejectSummary, RunFolder, find_runs, read_run, summarise_rejects
from kizuki.runs.layout import RunLayout
from kizuki.runs.manifest import (
    MANIFEST_VERSION,
    Manifest,
    NotARun,
    UnknownManifestVersion,
    read_manifest,
    write_manifest,
)

__all__ = [
    "CODE_WINDOW_MONTHS",
    "MANIFEST_VERSION",
    "Manifest",
    "NotARun",
    "RejectSummary",
    "RunFolder",
    "RunLayout",
    "UnknownManifestVersion",
    "code_counts",
    "find_runs",
    "read_manifest",
    "read_run",
    "summarise_rejects",
    "write_manifest",
]
