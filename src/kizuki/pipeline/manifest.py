"""What a workflow records about itself: run id, code version, per-stage timings.

The manifest's schema, writing and reading live in :mod:`kizuki.runs.manifest`; these
are the facts the score workflow gathers to fill it.
"""

from __future__ import annotations

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
