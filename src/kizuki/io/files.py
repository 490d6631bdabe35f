"""Reading files other than a drop's tables: JSON, text, bytes, parquet, digests.

Every function takes a path and returns what is in the file; the loader of data drops
(:mod:`kizuki.io.drop`) and the atomic writers (:mod:`kizuki.io.atomic`) are the other
two doors to the file system. Errors are the operating system's (``FileNotFoundError``,
...) or, for JSON, ``json.JSONDecodeError``; callers turn them into one-line
:class:`~kizuki.errors.KizukiError` s that name the file.
"""

from __future__ import annotations

import hashlib
import json
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import polars as pl
import yaml


def read_text(path: Path | str | Traversable, encoding: str = "utf-8") -> str:
    """The text of a file (a path, or a packaged resource from ``importlib.resources``)."""
    if isinstance(path, Path | str):
        return Path(path).read_text(encoding=encoding)
    return path.read_text(encoding=encoding)


def read_yaml(path: Path | str | Traversable) -> Any:
    """A UTF-8 YAML file parsed safely (None for an empty file).

    Errors: the operating system's, ``UnicodeDecodeError`` or ``yaml.YAMLError``; the
    caller names the file in its one-line error.
    """
    return yaml.safe_load(read_text(path))


def parse_yaml(text: str) -> Any:
    """YAML text (already read, e.g. from package data) parsed safely."""
    return yaml.safe_load(text)


def read_bytes(path: Path | str) -> bytes:
    """The bytes of a file."""
    return Path(path).read_bytes()


def read_package_yaml(package: str, name: str) -> Any:
    """A UTF-8 YAML file shipped inside ``package`` (package data), parsed safely.

    In: a package name (``"kizuki.pages.words"``) and a file name inside it. Out: the
    parsed document (None for an empty file). Works from a wheel as from the repository.
    """
    return read_yaml(files(package).joinpath(name))


def read_json(path: Path | str) -> Any:
    """A UTF-8 JSON file, parsed (dicts, lists, strings, numbers, None)."""
    return json.loads(read_text(path))


def read_parquet(path: Path | str) -> pl.DataFrame:
    """A parquet file as a polars frame."""
    return pl.read_parquet(path)


def scan_parquet(path: Path | str) -> pl.LazyFrame:
    """A parquet file as a polars lazy frame (read when collected)."""
    return pl.scan_parquet(path)


def file_digest(path: Path | str) -> dict[str, Any]:
    """``{"sha256": <hex>, "bytes": <size>}`` of one file, read in 1 MiB chunks."""
    path = Path(path)
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return {"sha256": h.hexdigest(), "bytes": path.stat().st_size}
