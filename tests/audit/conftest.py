"""Fixtures for audit tests: a synthetic village drop and a scoring run on it whose
horizon has matured by the drop's newest knowledge date (so outcomes are known)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import ModuleType

import pytest

AS_OF = dt.date(2026, 3, 31)  # horizon 6 months: matured by the drop's end (2026-09)


@pytest.fixture(scope="session")
def audit_drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic town (1,500 households, 3 districts, 24 months, with truth/)."""
    from kizuki.synth.generate import generate
    from kizuki.synth.presets import make_spec
    from kizuki.synth.write import write_drop

    out = tmp_path_factory.mktemp("audit") / "drop"
    write_drop(generate(make_spec("uken", 1500, 24, 11)), out, "parquet")
    return out


@pytest.fixture(scope="session")
def audit_run_dir(
    audit_drop: Path, tmp_path_factory: pytest.TempPathFactory, factory: ModuleType
) -> Path:
    """A run folder as of :data:`AS_OF` listing 25 households per district and issue."""
    out = tmp_path_factory.mktemp("audit_run") / "run"
    return factory.run_from_drop(audit_drop, AS_OF, out, capacity=25)
