"""A synthetic run history built without the runner (tests/community/history_builder.py):
the full ``ashiya`` preset (45,159 households), a model trained as of 2025-09-30, six
month-end runs from 2025-10-31 (every horizon matured by the drop's 2026-09-30), monitor
between consecutive runs, performance, and a ledger with a failed retry."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest


def _builder():
    name = "kizuki_history_builder"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, Path(__file__).parent / "history_builder.py"
        )
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def synthetic_history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(history, drop) of the synthetic ashiya history."""
    return _builder().cached_history(tmp_path_factory.mktemp("history"), 45159, runs=6)
