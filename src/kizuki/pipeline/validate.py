"""``kizuki validate DROP``: check a data drop against the contract and write what was found.

:func:`run_validate` loads the drop (:func:`kizuki.io.drop.load_drop`), writes
``report.json`` and ``rejects/<table>.parquet`` + ``.csv`` (UTF-8 with a BOM) into
the output folder, and returns the loaded drop. A refused drop is written the same way
before :class:`~kizuki.io.drop.RefusedDrop` (carrying the report) is raised again.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from kizuki.io.atomic import write_bytes, write_parquet, write_text
from kizuki.io.drop import DoorRules, LoadedDrop, RefusedDrop, load_drop
from kizuki.pipeline.progress import Progress


def write_validation(out: Path, report_json: str, rejects: Mapping[str, pl.DataFrame]) -> None:
    """Write ``report.json`` and the per-table rejects (parquet + UTF-8-BOM CSV) into ``out``."""
    write_text(out / "report.json", report_json)
    for table, frame in rejects.items():
        if frame.height == 0:
            continue
        write_parquet(out / "rejects" / f"{table}.parquet", frame)
        write_bytes(
            out / "rejects" / f"{table}.csv", b"\xef\xbb\xbf" + frame.write_csv().encode("utf-8")
        )


def run_validate(
    drop: Path,
    out: Path,
    *,
    encoding: str | None = None,
    reject_limit: float | None = None,
    table_limits: dict[str, float] | None = None,
    rules: DoorRules | None = None,
    warn: Progress | None = None,
) -> LoadedDrop:
    """Validate ``drop`` and write its report and rejects into ``out``.

    In: the drop folder, the output folder, a forced CSV encoding (None: detect), the
    reject-share limit and per-table limits (overriding those of the door's ``rules``:
    missing-table policy, undeclared tables accepted or not), where the loud warning
    about undeclared tables goes. Out: the loaded drop
    (its ``report`` says what was found). Raises RefusedDrop, after writing, when refused.
    """
    try:
        loaded = load_drop(
            drop,
            encoding=encoding,
            reject_limit=reject_limit,
            table_limits=table_limits,
            rules=rules,
            warn=warn,
        )
    except RefusedDrop as refused:
        write_validation(out, refused.report.to_json(), refused.rejects)
        raise
    write_validation(out, loaded.report.to_json(), loaded.rejects)
    return loaded
