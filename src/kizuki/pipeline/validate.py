"""``kizuki validate DROP``: check a data drop against the contract and write what was found.

:func:`run_validate` loads the drop (:func:`kizuki.io.drop.load_drop`), writes
``report.json`` and ``rejects/<table>.parquet`` + ``.csv`` (UTF-8 with a BOM,
spreadsheet-safe: :mod:`kizuki.io.csv_safe`) into the output folder, and returns the
loaded drop. A refused drop is written the same way before
:class:`~kizuki.io.drop.RefusedDrop` (carrying the report) is raised again.

The output folder may hold an earlier validation: what that one wrote (``report.json``,
``rejects/<table>.parquet|csv`` of every contract table, their temporary files) is
removed first, the old report before anything else, the new report last, so rejected
rows never outlive the report they belong to. Other files are never touched.
"""

from __future__ import annotations

import contextlib
import math
import shutil
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from kizuki.contract.schema import TABLES
from kizuki.errors import KizukiError, parameter_error
from kizuki.io.atomic import write_parquet, write_text
from kizuki.io.cache import TableCache
from kizuki.io.csv_safe import write_csv
from kizuki.io.drop import DoorRules, LoadedDrop, RefusedDrop, load_drop
from kizuki.pipeline.progress import Progress

REPORT = "report.json"
REJECTS = "rejects"


class ValidateOutRefused(KizukiError):
    """``validate --out`` names something that is not a folder: refused like every path of
    the wrong kind (exit 3, as :class:`kizuki.io.faults.PathFault`)."""

    exit_code = 3


def _own_files(out: Path) -> list[Path]:
    """What a validation writes into ``out`` (present or not), report first."""
    rejects = out / REJECTS
    files = [out / REPORT]
    for table in TABLES:
        files += [rejects / f"{table}.parquet", rejects / f"{table}.csv"]
    return files


def clear_validation(out: Path) -> None:
    """Remove what an earlier validation wrote into ``out`` (see module docstring).

    In: the output folder (absent: nothing to do). Raises ValidateOutRefused when
    ``out`` or ``out/rejects`` exists and is not a folder.
    """
    if not out.exists():
        return
    if not out.is_dir():
        raise ValidateOutRefused(f"validate: --out {out} is a file where a folder is expected")
    rejects = out / REJECTS
    if rejects.exists() and not rejects.is_dir():
        raise ValidateOutRefused(f"validate: {rejects} is a file where a folder is expected")
    for path in _own_files(out):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        for tmp in path.parent.glob(f".{path.name}.*.tmp") if path.parent.is_dir() else ():
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    if rejects.is_dir() and not any(rejects.iterdir()):
        shutil.rmtree(rejects)


def write_validation(out: Path, report_json: str, rejects: Mapping[str, pl.DataFrame]) -> None:
    """Clear an earlier validation in ``out``, then write the per-table rejects (parquet +
    UTF-8-BOM spreadsheet-safe CSV) and ``report.json`` last."""
    clear_validation(out)
    for table, frame in rejects.items():
        if frame.height == 0:
            continue
        write_parquet(out / REJECTS / f"{table}.parquet", frame)
        write_csv(out / REJECTS / f"{table}.csv", frame)
    write_text(out / REPORT, report_json)


def check_reject_limit(limit: float | None, name: str = "reject_limit") -> None:
    """Raise a ParameterError unless ``limit`` is None or a number between 0 and 1 (NaN is not)."""
    if limit is not None and not (
        isinstance(limit, int | float) and math.isfinite(limit) and 0.0 <= limit <= 1.0
    ):
        raise parameter_error(name, "a number between 0 and 1", limit)


def run_validate(
    drop: Path,
    out: Path,
    *,
    encoding: str | None = None,
    reject_limit: float | None = None,
    table_limits: dict[str, float] | None = None,
    rules: DoorRules | None = None,
    warn: Progress | None = None,
    cache: TableCache | None = None,
) -> LoadedDrop:
    """Validate ``drop`` and write its report and rejects into ``out``.

    ``cache`` (e.g. ``kizuki.history.validated.ValidationCache``): a table file validated
    before under the same rules is not validated again (its report says ``cached``).

    In: the drop folder, the output folder, a forced CSV encoding (None: detect), the
    reject-share limit (0 … 1) and per-table limits (overriding those of the door's
    ``rules``: missing-table policy, undeclared tables accepted or not), where the loud
    warning about undeclared tables goes. Out: the loaded drop (its ``report`` says what
    was found). Raises ParameterError for a limit outside 0 … 1 or NaN,
    ValidateOutRefused when ``out`` is not a folder (both before reading the drop), and
    RefusedDrop, after writing, when the drop is refused.
    """
    check_reject_limit(reject_limit)
    if out.exists() and not out.is_dir():
        raise ValidateOutRefused(f"validate: --out {out} is a file where a folder is expected")
    try:
        loaded = load_drop(
            drop,
            encoding=encoding,
            reject_limit=reject_limit,
            table_limits=table_limits,
            rules=rules,
            warn=warn,
            cache=cache,
        )
    except RefusedDrop as refused:
        write_validation(out, refused.report.to_json(), refused.rejects)
        raise
    write_validation(out, loaded.report.to_json(), loaded.rejects)
    return loaded
