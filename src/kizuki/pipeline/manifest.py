"""manifest.json of a scoring run: what ran, on what, with what, and how long it took.

The manifest is written last: a run folder with a manifest is a complete run.
It names files, hashes, counts and the knowledge-date range of each input table
(contract §5); it never holds a record's identifiers or values.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kizuki import __version__
from kizuki.io.atomic import write_text

MANIFEST_VERSION = 1


def new_run_id(now: datetime | None = None) -> str:
    """A run id: UTC timestamp plus 6 random hex digits, e.g. ``20260401T020000Z-3fa9c1``."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def code_version() -> dict[str, Any]:
    """kizuki's version, and the git commit (and whether the tree was dirty) when available."""
    src = Path(__file__).resolve().parent
    out: dict[str, Any] = {"kizuki": __version__, "git_commit": None, "git_dirty": None}
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=src, capture_output=True, text=True, timeout=10
        )
        if commit.returncode == 0:
            out["git_commit"] = commit.stdout.strip()
            status = subprocess.run(
                ["git", "status", "--porcelain", "--untracked-files=no"],
                cwd=src,
                capture_output=True,
                text=True,
                timeout=10,
            )
            out["git_dirty"] = bool(status.stdout.strip()) if status.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        pass
    return out


def code_version_text(version: dict[str, Any]) -> str:
    """``0.1.0`` or ``0.1.0+g1a2b3c4`` (``.dirty`` appended when the tree had changes)."""
    text = str(version["kizuki"])
    if version.get("git_commit"):
        text += f"+g{version['git_commit'][:8]}"
        if version.get("git_dirty"):
            text += ".dirty"
    return text


@dataclass
class StageTimer:
    """Wall-clock seconds per named stage, in the order the stages ran."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the body under ``name`` (added to any earlier time of the same name)."""
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t0

    def as_dict(self) -> dict[str, float]:
        """Stage -> seconds (rounded to milliseconds), plus ``total``."""
        out = {k: round(v, 3) for k, v in self.seconds.items()}
        out["total"] = round(sum(self.seconds.values()), 3)
        return out


def file_digest(path: Path) -> dict[str, Any]:
    """``{"sha256": ..., "bytes": ...}`` of one file."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return {"sha256": h.hexdigest(), "bytes": path.stat().st_size}


def write_manifest(path: Path, manifest: dict[str, Any]) -> Path:
    """Write ``manifest.json`` atomically (UTF-8, indented, keys in insertion order)."""
    text = json.dumps(manifest, ensure_ascii=False, indent=2, default=str)
    return write_text(path, text + "\n")


def read_manifest(path: Path) -> dict[str, Any]:
    """Read a run's ``manifest.json``."""
    return json.loads(Path(path).read_text(encoding="utf-8"))
