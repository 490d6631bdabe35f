"""False alarms on two independent samples of one municipality stay at or under 5%; real
shifts alarm in a village; noise-sized shifts do not alarm in a city.

The monitor's core (PSI tests overall and per district, and the alarm rule) runs on
feature frames directly: fast enough for many seeds.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from types import ModuleType

import numpy as np
import polars as pl
import pytest

from kizuki.monitor.config import DriftConfig
from kizuki.monitor.drift import decide, feature_tests

CONFIG = DriftConfig(null_draws=500)


def _alarms(
    reference: pl.DataFrame, current: pl.DataFrame, config: DriftConfig = CONFIG
) -> pl.DataFrame:
    frame, _ = decide(
        feature_tests(reference, current, config), config.alpha, config.epsilon, config.seed
    )
    return frame.filter("alarm")


def test_false_alarm_rate_on_hand_made_village_samples(factory: ModuleType) -> None:
    pairs = 25  # 50 seeds
    fired = [
        _alarms(factory.frame_generator(960, 2 * i), factory.frame_generator(960, 2 * i + 1)).height
        > 0
        for i in range(pairs)
    ]
    assert sum(fired) / pairs <= 0.05, sum(fired)


#: month-ends of the synthetic school calendar whose windows have different numbers of
#: school days (3-month window: 75, 73, 56, 57 days; 1-month window: 40, 35, 16, 22)
MONTH_ENDS = (dt.date(2026, 6, 30), dt.date(2026, 7, 31), dt.date(2026, 8, 31), dt.date(2026, 9, 30))
#: the two water features whose month-to-month movement is real (seasons, bi-monthly
#: reading: see their practical overrides in monitor.yaml); left out of the cross-month pairs
SEASONAL = ("water_last_vs_median", "water_flat_months_6m")


@pytest.mark.slow
def test_false_alarm_rate_on_resampled_synthetic_households(tmp_path: Path) -> None:
    """A synthetic municipality (uken's shape, 4,000 households, real features); 20 pairs of
    independent samples of 960 households each of one month-end, and 15 pairs across
    consecutive month-ends whose school months have different numbers of school days
    (every school rate changes its denominator): at most one pair in twenty may alarm."""
    from kizuki.features.build import build_features
    from kizuki.features.config import load_feature_config
    from kizuki.io.drop import load_drop
    from kizuki.synth.generate import generate
    from kizuki.synth.presets import make_spec
    from kizuki.synth.write import write_drop

    write_drop(generate(make_spec("uken", 4000, 24, 11)), tmp_path / "drop", "parquet")
    tables = load_drop(tmp_path / "drop").tables
    months = {d: build_features(tables, d, load_feature_config()) for d in MONTH_ENDS}
    population = months[MONTH_ENDS[-1]]
    rng = np.random.default_rng(5)
    pairs = 20
    fired = 0
    for _ in range(pairs):
        a = population.sample(960, seed=int(rng.integers(1 << 30)))
        b = population.sample(960, seed=int(rng.integers(1 << 30)))
        fired += _alarms(a, b).height > 0
    assert fired / pairs <= 0.05, fired
    # across month-ends: the school calendar changes, the households' behaviour does not
    config = CONFIG.model_copy(update={"exclude": list(SEASONAL)})
    rates = months[MONTH_ENDS[0]]["late_rate_3m"].drop_nulls().unique()
    assert rates.len() > 5  # rates on a lattice of small denominators
    crossed, fired_months = 0, []
    for ref_end, cur_end in itertools.pairwise(MONTH_ENDS):
        for _ in range(5):
            a = months[ref_end].sample(960, seed=int(rng.integers(1 << 30)))
            b = months[cur_end].sample(960, seed=int(rng.integers(1 << 30)))
            hit = _alarms(a, b, config)
            crossed += 1
            if hit.height:
                fired_months.append((str(cur_end), hit.select("name", "district").rows()))
    assert len(fired_months) / crossed <= 0.05, fired_months


def test_a_real_shift_alarms_in_a_village(factory: ModuleType) -> None:
    ref, cur = factory.frame_generator(960, 100), factory.frame_generator(960, 101)
    cur = cur.with_columns(
        pl.when(pl.col("district") == "南")
        .then(pl.col("water_recent") * 0.7)
        .otherwise(pl.col("water_recent"))
        .alias("water_recent")
    )
    hit = _alarms(ref, cur)
    assert ("water_recent", "南") in hit.select("name", "district").rows()


def test_a_noise_sized_shift_does_not_alarm_in_a_city(factory: ModuleType) -> None:
    """With 200,000 households a 3% change in water use is statistically certain but not
    practically large: the practical threshold keeps it quiet."""
    ref, cur = factory.frame_generator(200_000, 200), factory.frame_generator(200_000, 201)
    cur = cur.with_columns(pl.col("water_recent") * 1.03)
    config = DriftConfig(null_draws=300, per_district=False)
    frame, _ = decide(feature_tests(ref, cur, config), config.alpha, config.epsilon, config.seed)
    water = frame.filter(pl.col("name") == "water_recent").row(0, named=True)
    assert water["significant"] and not water["alarm"]
    assert frame.filter("alarm").height == 0


def test_alarm_needs_both_conditions() -> None:
    """A large PSI from three households of forty is not significant: no alarm."""
    ref = pl.DataFrame(
        {
            "household_id": ["a", "b", "c", "d"] * 10,
            "district": ["x"] * 40,
            "v": [1.0, 2.0, 3.0, 4.0] * 10,
        }
    )
    cur = ref.with_columns(
        pl.when(pl.int_range(pl.len()) < 3).then(100.0).otherwise(pl.col("v")).alias("v")
    )
    config = DriftConfig(null_draws=300, min_households=5, per_district=False)
    frame, _ = decide(feature_tests(ref, cur, config), config.alpha, config.epsilon, config.seed)
    row = frame.filter(pl.col("name") == "v").row(0, named=True)
    assert row["psi"] > config.practical_psi
    assert not row["significant"] and not row["alarm"]
