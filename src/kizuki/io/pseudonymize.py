"""Pseudonymise raw extracts: 宛名番号 / 世帯番号 → the contract's person_id / household_id.

In: a folder of raw table files (the contract's tables, but keyed by ``宛名番号`` /
``atena_no`` for people and ``世帯番号`` / ``setai_no`` for households, possibly with
name, address or phone columns) and a secret key. Out: a data drop in the same formats
whose IDs are keyed HMAC-SHA256 digests (domain-separated for people and households, so
the same number never gives the same ID in both roles), consistent across tables; the
raw key columns and every other direct-identifier column are dropped. A ``drop.yaml``
in the raw folder (the extract's purpose and legal basis, contract v2 §1) is copied
into the drop as it is. The key is never written anywhere; only column *names* are
reported.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from kizuki.contract.declaration import DROP_YAML
from kizuki.contract.identifiers import is_identifier_column
from kizuki.contract.schema import TABLES
from kizuki.errors import KizukiError
from kizuki.io.atomic import write_bytes, write_parquet
from kizuki.io.read import normalise_header, read_raw

PERSON_KEYS = ("宛名番号", "atena_no", "atena_number")
HOUSEHOLD_KEYS = ("世帯番号", "setai_no", "setai_number")


@dataclass
class PseudonymizeReport:
    """What was done per table: rows, the raw key columns replaced, other columns dropped."""

    tables: dict[str, dict[str, object]] = field(default_factory=dict)


def _digest(key: bytes, role: str, value: str) -> str:
    mac = hmac.new(key, f"{role}:{value.strip()}".encode(), hashlib.sha256).hexdigest()
    return ("P" if role == "person" else "H") + mac[:32]


def _map(series: pl.Series, key: bytes, role: str) -> pl.Series:
    uniq = series.drop_nulls().unique().to_list()
    return series.replace_strict(
        uniq, [_digest(key, role, str(v)) for v in uniq], default=None, return_dtype=pl.String
    )


def pseudonymize(raw_dir: Path, out_dir: Path, key: bytes) -> PseudonymizeReport:
    """Pseudonymise every table file of ``raw_dir`` into ``out_dir`` (see module docstring)."""
    if len(key) < 16:
        raise KizukiError("pseudonymize: the key must be at least 16 bytes")
    if not raw_dir.is_dir():
        raise KizukiError(f"pseudonymize: folder not found: {raw_dir}")
    report = PseudonymizeReport()
    files = [
        p
        for p in sorted(raw_dir.iterdir())
        if p.suffix in (".csv", ".parquet") and p.stem in TABLES
    ]
    if not files:
        raise KizukiError(f"pseudonymize: no table files (<table>.csv or .parquet) in {raw_dir}")
    for path in files:
        raw = read_raw(path)
        frame = raw.frame.rename({c: normalise_header(c) for c in raw.frame.columns})
        replaced, dropped = [], []
        for col in list(frame.columns):
            low = col.lower()
            if col in PERSON_KEYS or low in PERSON_KEYS:
                frame = frame.with_columns(
                    _map(frame[col].cast(pl.String), key, "person").alias("person_id")
                ).drop(col)
                replaced.append(col)
            elif col in HOUSEHOLD_KEYS or low in HOUSEHOLD_KEYS:
                frame = frame.with_columns(
                    _map(frame[col].cast(pl.String), key, "household").alias("household_id")
                ).drop(col)
                replaced.append(col)
            elif is_identifier_column(col):
                frame = frame.drop(col)
                dropped.append(col)
        front = [c for c in ("person_id", "household_id") if c in frame.columns]
        frame = frame.select(front + [c for c in frame.columns if c not in front])
        target = out_dir / path.name
        if path.suffix == ".parquet":
            write_parquet(target, frame)
        else:
            write_bytes(target, b"\xef\xbb\xbf" + frame.write_csv().encode("utf-8"))
        report.tables[path.stem] = {
            "rows": frame.height,
            "keys_replaced": replaced,
            "columns_dropped": dropped,
        }
    declaration = raw_dir / DROP_YAML  # the extract's purpose and legal basis travel with it
    if declaration.is_file():
        write_bytes(out_dir / DROP_YAML, declaration.read_bytes())
    return report
