"""The ledger (contract §9): ``ledger.parquet``, one row per run attempt, append-only.

:func:`append` adds rows and never changes or removes one already written: the file is
rewritten whole (old rows first, unchanged) through an atomic replace, so a reader sees
the old ledger or the new one, never a mix. Only the holder of the history's lock
appends (the runner), so two writers never race. :func:`read_ledger` gives an empty
frame of the ledger's schema when the file does not exist yet.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import polars as pl

from kizuki.history.layout import LEDGER_COLUMNS, STATUSES, HistoryLayout
from kizuki.io.atomic import write_parquet
from kizuki.io.files import read_parquet

_TYPES: dict[str, pl.DataType] = {
    "String": pl.String(),
    "Date": pl.Date(),
    "Int32": pl.Int32(),
    "Datetime[us, UTC]": pl.Datetime("us", "UTC"),
}
#: the ledger's polars schema, from :data:`~kizuki.history.layout.LEDGER_COLUMNS`
LEDGER_SCHEMA = pl.Schema({name: _TYPES[kind] for name, kind in LEDGER_COLUMNS})


@dataclass(frozen=True)
class LedgerRow:
    """One run attempt as the ledger records it (the columns of :data:`LEDGER_SCHEMA`).

    ``drop_hashes``: table file name -> sha256; ``message``: one line, never a record's
    value; ``stage``: the last stage that finished (None: none did).
    """

    run_id: str
    pipeline: str
    as_of: dt.date | None
    attempt: int
    run_dir: str
    started: dt.datetime
    ended: dt.datetime | None
    status: str
    stage: str | None
    drop_hashes: Mapping[str, str]
    model_version: str | None
    config_hash: str
    shortlist_hash: str | None
    exit_status: int | None
    message: str

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"ledger status must be one of {STATUSES}; got {self.status!r}")

    def record(self) -> dict[str, object]:
        """The row as a mapping of column -> value (drop hashes as sorted JSON)."""
        row = asdict(self)
        row["drop_hashes"] = json.dumps(dict(self.drop_hashes), sort_keys=True)
        row["message"] = " ".join(self.message.split())
        return row


def read_ledger(layout: HistoryLayout) -> pl.DataFrame:
    """Every row of the ledger, in the order appended (empty, with the schema, when the
    history has none yet)."""
    if not layout.ledger.is_file():
        return LEDGER_SCHEMA.to_frame()
    return read_parquet(layout.ledger).select(list(LEDGER_SCHEMA)).cast(dict(LEDGER_SCHEMA))


def append(layout: HistoryLayout, rows: Sequence[LedgerRow]) -> pl.DataFrame:
    """Append ``rows`` to the ledger (atomic replace; rows already there unchanged).

    In: the history, the new rows. Out: the whole ledger after the append. The caller
    holds the history's lock.
    """
    old = read_ledger(layout)
    if not rows:
        return old
    new = pl.DataFrame([r.record() for r in rows], schema=LEDGER_SCHEMA)
    ledger = pl.concat([old, new], how="vertical")
    write_parquet(layout.ledger, ledger)
    return ledger


def drop_hashes(row: Mapping[str, object]) -> dict[str, str]:
    """The ``drop_hashes`` of a ledger row (a mapping from :meth:`pl.DataFrame.rows`),
    parsed back into file name -> sha256."""
    raw = row.get("drop_hashes")
    return dict(json.loads(raw)) if isinstance(raw, str) and raw else {}
