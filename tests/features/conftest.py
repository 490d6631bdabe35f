"""A small synthetic drop shared by the feature tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from kizuki.synth.generate import generate
from kizuki.synth.presets import make_spec
from kizuki.synth.write import write_drop


@pytest.fixture(scope="session")
def small_drop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(parquet drop, csv-jp drop) of the same synthetic municipality."""
    base = tmp_path_factory.mktemp("feat")
    drop = generate(make_spec("ashiya", 1500, 36, 21))
    write_drop(drop, base / "pq", "parquet")
    write_drop(drop, base / "jp", "csv-jp")
    return base / "pq", base / "jp"
