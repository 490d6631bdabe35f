"""Only ``kizuki.io`` opens files and only ``kizuki.tracking`` imports mlflow (a walk over
the source tree's syntax, so a new module that reads a file on its own fails here)."""

from __future__ import annotations

import ast
from pathlib import Path

import kizuki

SRC = Path(kizuki.__file__).resolve().parent
#: calls that open a file (methods of Path, polars readers/writers, the builtin)
OPENERS = {
    "open",
    "read_text",
    "read_bytes",
    "write_text",
    "write_bytes",
    "read_parquet",
    "scan_parquet",
    "write_parquet",
    "read_csv",
    "scan_csv",
    "safe_load",
}
#: modules owned elsewhere that still open files themselves until they move to io
NOT_YET: set[str] = set()


def _modules() -> list[tuple[str, ast.Module]]:
    return [
        (p.relative_to(SRC).as_posix(), ast.parse(p.read_text(encoding="utf-8")))
        for p in sorted(SRC.rglob("*.py"))
    ]


def _calls(tree: ast.Module) -> set[str]:
    """Opening calls in a module, except the ones of functions imported from kizuki.io."""
    from_io = {
        a.asname or a.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kizuki.io")
        for a in node.names
    }
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id in from_io:
                continue
            name = (
                f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            )
            if name in OPENERS:
                names.add(f"{name}@{node.lineno}")
    return names


def test_only_io_opens_files() -> None:
    offenders = {
        name: sorted(calls)
        for name, tree in _modules()
        if not name.startswith("io/") and name not in NOT_YET and (calls := _calls(tree))
    }
    assert offenders == {}


def test_only_tracking_imports_mlflow() -> None:
    importers = []
    for name, tree in _modules():
        for node in ast.walk(tree):
            mods = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(m == "mlflow" or m.startswith("mlflow.") for m in mods):
                importers.append(name)
    assert sorted(set(importers)) == ["tracking.py"]
