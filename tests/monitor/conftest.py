"""Fixtures for monitor tests: the run factory, a small synthetic village drop, fault copies."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

REF_AS_OF = dt.date(2026, 8, 31)
CUR_AS_OF = dt.date(2026, 9, 30)


@pytest.fixture(scope="session")
def village_drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic village (uken preset: 960 households, 3 districts, 24 months)."""
    from kizuki.synth.generate import generate
    from kizuki.synth.presets import make_spec
    from kizuki.synth.write import write_drop

    out = tmp_path_factory.mktemp("village") / "drop"
    write_drop(generate(make_spec("uken", None, 24, 3)), out, "parquet")
    return out


def copy_drop(src: Path, dst: Path) -> Path:
    """A copy of a drop folder without truth/ (scoring never reads it)."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("truth"))
    return dst


@pytest.fixture(scope="session")
def village_runs(
    village_drop: Path, tmp_path_factory: pytest.TempPathFactory, factory: ModuleType
) -> dict[str, Path]:
    """Run folders: the reference month, the next month unchanged, and three faults
    injected into the next month's drop (utility missing, one district's water −30% over
    its last three months of readings, unknown care level codes)."""
    base = tmp_path_factory.mktemp("village_runs")
    runs = {
        "reference": factory.run_from_drop(village_drop, REF_AS_OF, base / "reference"),
        "clean": factory.run_from_drop(village_drop, CUR_AS_OF, base / "clean"),
    }

    no_utility = copy_drop(village_drop, base / "drop_no_utility")
    (no_utility / "utility.parquet").unlink()
    runs["no_utility"] = factory.run_from_drop(no_utility, CUR_AS_OF, base / "no_utility")

    water = copy_drop(village_drop, base / "drop_water")
    residents = pl.read_parquet(village_drop / "residents.parquet")
    district = "湯湾"  # read monthly in the uken preset
    homes = residents.filter(pl.col("district") == district)["household_id"].unique().implode()
    utility = pl.read_parquet(village_drop / "utility.parquet")
    shifted = utility.with_columns(
        pl.when(
            pl.col("household_id").is_in(homes) & (pl.col("month").cast(pl.String) >= "2026-07")
        )
        .then(pl.col("water_m3") * 0.7)
        .otherwise(pl.col("water_m3"))
        .alias("water_m3")
    )
    shifted.write_parquet(water / "utility.parquet")
    runs["water"] = factory.run_from_drop(water, CUR_AS_OF, base / "water")

    codes = copy_drop(village_drop, base / "drop_codes")
    care = pl.read_parquet(village_drop / "care.parquet")
    ltc = (
        care.with_row_index("_i")
        .filter(pl.col("kind").cast(pl.String) == "ltc")
        .head(5)["_i"]
        .implode()
    )
    care.with_row_index("_i").with_columns(
        pl.when(pl.col("_i").is_in(ltc))
        .then(pl.lit("99"))
        .otherwise(pl.col("level").cast(pl.String))
        .alias("level")
    ).drop("_i").write_parquet(codes / "care.parquet")
    runs["codes"] = factory.run_from_drop(codes, CUR_AS_OF, base / "codes")
    runs["district"] = Path(district)
    return runs
