"""``kizuki features DROP --as-of DATE --out FILE``: household features as of a date.

:func:`run_features` writes one row per household existing on T (``FILE``, parquet)
and the feature dictionary beside it (``<stem>.dictionary.md`` and ``.csv`` with a BOM).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from kizuki.checklist import ChecklistConfig
from kizuki.checklist.dictionary import dictionary_frame, dictionary_markdown
from kizuki.features.build import build_features
from kizuki.features.config import FeatureConfig
from kizuki.features.window import windows_for
from kizuki.io.csv_safe import csv_bytes
from kizuki.io.drop import DoorRules, load_drop
from kizuki.io.faults import PathFault, check_writable
from kizuki.io.staging import write_together
from kizuki.pipeline.progress import Progress, quiet


@dataclass(frozen=True)
class FeaturesSummary:
    """What :func:`run_features` wrote: the features file, the dictionary files, the frame,
    and per optional table absent the missing-table policy applied."""

    out: Path
    dictionary: tuple[Path, Path]
    features: pl.DataFrame
    missing_policy: dict[str, str] = field(default_factory=dict)


def dictionary_paths(out: Path) -> tuple[Path, Path]:
    """The feature dictionary files written beside ``out``: ``<stem>.dictionary.md`` / ``.csv``."""
    stem = out.with_suffix("")
    return Path(f"{stem}.dictionary.md"), Path(f"{stem}.dictionary.csv")


def run_features(
    drop: Path,
    as_of: dt.date,
    out: Path,
    *,
    feature_config: FeatureConfig,
    checklist_config: ChecklistConfig,
    rules: DoorRules | None = None,
    progress: Progress = quiet,
) -> FeaturesSummary:
    """Build the features of every household on ``as_of`` and write them to ``out``.

    In: the drop folder, the date T, the parquet file to write, validated configs, the
    door's rules (None: the defaults), a progress callback (warned about absent and
    undeclared tables). Out: :class:`FeaturesSummary`. The three files appear together
    or not at all; ``out`` naming a folder is refused (:class:`PathFault`) before any work.
    """
    md_path, csv_path = dictionary_paths(out)
    for path in (out, md_path, csv_path):
        if path.is_dir():
            raise PathFault(f"features: --out {path} is a folder; give the parquet file to write")
    check_writable(out.parent)  # a read-only or full place is found before the work
    # only the months the features as of T read (kizuki.features.window; same values)
    windows = windows_for(feature_config, as_of)
    loaded = load_drop(drop, rules=rules, warn=progress, windows=windows)
    for name in loaded.missing_tables:
        progress(f"features: WARNING table '{name}' is absent: its features are null")
    frame = build_features(loaded.tables, as_of, feature_config)
    md = dictionary_markdown(checklist_config, feature_config)
    csv = csv_bytes(dictionary_frame(checklist_config, feature_config))
    # the three files are renamed into place only once all three are written
    write_together({out: frame, md_path: md, csv_path: csv})
    progress(f"features: {frame.height:,} households x {frame.width - 3} features as of {as_of}")
    return FeaturesSummary(
        out=out,
        dictionary=(md_path, csv_path),
        features=frame,
        missing_policy=loaded.missing_policy,
    )
