"""Synthetic drops shared by the synth tests (generated once per session, kept small)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kizuki.synth.generate import SynthDrop, generate
from kizuki.synth.presets import make_spec
from kizuki.synth.write import write_drop


@pytest.fixture(scope="session")
def town() -> SynthDrop:
    """The ashiya shape scaled to 8,000 households, 36 months, seed 5."""
    return generate(make_spec("ashiya", 8000, 36, 5))


@pytest.fixture(scope="session")
def village() -> SynthDrop:
    """The uken preset at full size (960 households), 36 months, seed 7."""
    return generate(make_spec("uken", None, 36, 7))


@pytest.fixture(scope="session")
def village_files(
    village: SynthDrop, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """The village written twice: (parquet folder, csv-jp folder)."""
    base = tmp_path_factory.mktemp("village")
    pq, jp = base / "pq", base / "jp"
    write_drop(village, pq, "parquet")
    write_drop(village, jp, "csv-jp")
    return pq, jp
