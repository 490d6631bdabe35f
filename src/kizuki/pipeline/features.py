"""``kizuki features DROP --as-of DATE --out FILE``: household features as of a date.

:func:`run_features` writes one row per household existing on T (``FILE``, parquet)
and the feature dictionary beside it (``<stem>.dictionary.md`` and ``.csv`` with a BOM).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from kizuki.checklist import ChecklistConfig
from kizuki.checklist.dictionary import dictionary_frame, dictionary_markdown
from kizuki.features.build import build_features
from kizuki.features.config import FeatureConfig
from kizuki.io.atomic import write_parquet, write_text
from kizuki.io.csv_safe import write_csv
from kizuki.io.drop import load_drop
from kizuki.pipeline.progress import Progress, quiet


@dataclass(frozen=True)
class FeaturesSummary:
    """What :func:`run_features` wrote: the features file, the dictionary files, the frame."""

    out: Path
    dictionary: tuple[Path, Path]
    features: pl.DataFrame


def run_features(
    drop: Path,
    as_of: dt.date,
    out: Path,
    *,
    feature_config: FeatureConfig,
    checklist_config: ChecklistConfig,
    progress: Progress = quiet,
) -> FeaturesSummary:
    """Build the features of every household on ``as_of`` and write them to ``out``.

    In: the drop folder, the date T, the parquet file to write, validated configs, a
    progress callback (warned about absent tables). Out: :class:`FeaturesSummary`.
    """
    loaded = load_drop(drop)
    for name in loaded.missing_tables:
        progress(f"features: WARNING table '{name}' is absent: its features are null")
    frame = build_features(loaded.tables, as_of, feature_config)
    write_parquet(out, frame)
    stem = out.with_suffix("")
    md = write_text(Path(f"{stem}.dictionary.md"), dictionary_markdown(checklist_config, feature_config))
    table = write_csv(Path(f"{stem}.dictionary.csv"), dictionary_frame(checklist_config, feature_config))
    progress(f"features: {frame.height:,} households x {frame.width - 3} features as of {as_of}")
    return FeaturesSummary(out=out, dictionary=(md, table), features=frame)
