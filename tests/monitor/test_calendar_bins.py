"""Feature drift does not move with the school calendar (issue 11 item 3).

A rate with a small integer denominator lies on a lattice: k/54 in a month-end whose
last three months had 54 school days, k/51 the next. Quantile edges frozen on the
reference's exact values moved whole blocks of households across an edge: 22 alerts
(late_rate_3m PSI 0.97) between two month-ends of a municipality whose households did
not change. Here the same children (same propensity to be absent or late) go to school
through a real Japanese school year, month by month; the features are computed at
consecutive month-ends exactly as ``features/school.py`` does (sums over the window,
the highest child of the household): no alarm. The same features under a real shift
(absence doubled for a third of the households, lateness +0.1) still alarm.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from types import ModuleType

import numpy as np
import polars as pl
import pytest

from kizuki.monitor.bins import Encoded, fit_feature, lattice_step, shared_step
from kizuki.monitor.config import DriftConfig, load_monitor_config
from kizuki.monitor.drift import decide, feature_tests

#: school days per month of one school year (April first), as in a Japanese public
#: school: 始業式 in April, summer break (夏休み) over August, winter and spring breaks
CALENDAR = {4: 17, 5: 19, 6: 21, 7: 14, 8: 3, 9: 19, 10: 21, 11: 18, 12: 15, 1: 16, 2: 19, 3: 16}
#: month-ends compared: every consecutive pair of the school year from May to March
MONTH_ENDS = [5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]
DISTRICTS = ("北", "南", "東")


def _children(n_households: int, seed: int) -> pl.DataFrame:
    """Children with a fixed propensity to be absent / late (per school day), by household."""
    rng = np.random.default_rng(seed)
    kids = rng.choice([1, 1, 1, 2, 2, 3], n_households)
    hh = np.repeat(np.arange(n_households), kids)
    n = hh.size
    chronic = rng.random(n) < 0.03
    absent = np.clip(rng.gamma(0.6, 0.04, n) + np.where(chronic, 0.35, 0.0), 0, 0.95)
    late = np.clip(rng.gamma(0.5, 0.03, n), 0, 0.5)
    district = rng.choice(len(DISTRICTS), n_households, p=[0.3, 0.3, 0.4])
    return pl.DataFrame(
        {
            "household_id": [f"H{i:05d}" for i in hh],
            "district": np.asarray(DISTRICTS)[district[hh]],
            "p_absent": absent,
            "p_late": late,
        }
    )


def _school_months(children: pl.DataFrame, seed: int) -> list[pl.DataFrame]:
    """One school year of monthly records per child (April .. March): school days from
    :data:`CALENDAR`, absent and late days drawn from the child's own propensity."""
    rng = np.random.default_rng(seed)
    out = []
    for month in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3):
        days = CALENDAR[month]
        absent = rng.binomial(days, children["p_absent"].to_numpy())
        late = rng.binomial(days - absent, children["p_late"].to_numpy())
        out.append(
            children.select("household_id", "district").with_columns(
                school_days=pl.lit(days), absent_days=absent, late_days=late
            )
        )
    return out


def _features(months: list[pl.DataFrame], end: int, as_of: dt.date) -> pl.DataFrame:
    """The school features at the month-end of school month ``end`` (1-based: April = 1),
    as features/school.py computes them: sums over the window per child, the household's
    highest child."""

    def window(k: int) -> pl.DataFrame:
        part = [m.with_row_index("child") for m in months[max(0, end - k) : end]]
        return (
            pl.concat(part)
            .group_by("child", "household_id", "district")
            .agg(pl.col("absent_days", "late_days", "school_days").sum())
        )

    def rate(k: int, col: str, name: str) -> pl.DataFrame:
        w = window(k)
        return w.select(
            "child",
            pl.when(pl.col("school_days") > 0)
            .then(pl.col(col) / pl.col("school_days"))
            .alias(name),
        )

    year = window(end)
    per_child = (
        year.select(
            "child",
            "household_id",
            "district",
            pl.col("absent_days").alias("absent_days_school_year"),
        )
        .join(rate(1, "absent_days", "absence_rate_1m"), on="child")
        .join(rate(3, "absent_days", "absence_rate_3m"), on="child")
        .join(rate(12, "absent_days", "absence_rate_12m"), on="child")
        .join(rate(3, "late_days", "late_rate_3m"), on="child")
    )
    return (
        per_child.group_by("household_id", "district")
        .agg(
            pl.col("absence_rate_1m", "absence_rate_3m", "absence_rate_12m", "late_rate_3m").max(),
            pl.col("absent_days_school_year").max().cast(pl.Float64),
        )
        .with_columns(pl.lit(as_of).alias("as_of"))
        .sort("household_id")
    )


def _month_end(school_month: int) -> dt.date:
    year = 2026 if school_month <= 9 else 2027
    month = school_month + 3 if school_month <= 9 else school_month - 9
    first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def _drift(ref: pl.DataFrame, cur: pl.DataFrame, config: DriftConfig) -> pl.DataFrame:
    frame, _ = decide(feature_tests(ref, cur, config), config.alpha, config.epsilon, config.seed)
    return frame


CONFIG = load_monitor_config().drift.model_copy(update={"null_draws": 400})


@pytest.fixture(scope="module")
def school_year() -> list[pl.DataFrame]:
    """Feature frames at every month-end of one school year (May .. March), 3,000 households."""
    months = _school_months(_children(3000, 11), 12)
    return [_features(months, m, _month_end(m)) for m in range(2, 13)]


def test_the_school_calendar_alone_raises_no_alarm(school_year: list[pl.DataFrame]) -> None:
    """Every consecutive pair of month-ends (3-month windows of 57, 54, 38, 36, 43, ...
    school days): the households did not change, so nothing alarms — overall or in a
    district — although the lattice of every rate changes from one month to the next."""
    order = list(CALENDAR)
    days3 = [sum(CALENDAR[m] for m in order[max(0, e - 3) : e]) for e in range(2, 13)]
    assert len(set(days3)) > 5  # the denominators really do change month to month
    fired = {}
    for ref, cur in itertools.pairwise(school_year):
        alarms = _drift(ref, cur, CONFIG).filter("alarm")
        if alarms.height:
            fired[str(cur["as_of"][0])] = alarms.select("name", "district", "psi").rows()
    assert fired == {}


def test_the_old_edges_on_reference_values_did_alarm(school_year: list[pl.DataFrame]) -> None:
    """The same calendar under edges placed on the reference's own values (the bins
    before this fix): the lattice change reads as a large PSI."""
    from kizuki.monitor.bins import fit

    worst = 0.0
    for ref, cur in itertools.pairwise(school_year):
        for name in ("late_rate_3m", "absence_rate_3m"):
            r = ref[name].fill_null(np.nan).to_numpy()
            c = cur[name].fill_null(np.nan).to_numpy()
            old = fit(Encoded("numeric", r), CONFIG.bins)
            new = fit_feature(
                Encoded("numeric", r),
                CONFIG.bins,
                shared_step(Encoded("numeric", r), Encoded("numeric", c)),
            )
            from kizuki.monitor.bins import counts
            from kizuki.monitor.psi import psi

            p_old = psi(
                counts(Encoded("numeric", r), old), counts(Encoded("numeric", c), old), 1e-4
            )
            p_new = psi(
                counts(Encoded("numeric", r), new), counts(Encoded("numeric", c), new), 1e-4
            )
            worst = max(worst, float(p_old))
            assert float(p_new) < CONFIG.practical_psi, (name, cur["as_of"][0], p_new)
    assert worst > CONFIG.practical_psi


def _shifted(frame: pl.DataFrame, seed: int, **cols: pl.Expr) -> pl.DataFrame:
    third = pl.Series(np.random.default_rng(seed).random(frame.height) < 1 / 3)
    return frame.with_columns(
        pl.when(third).then(expr).otherwise(pl.col(name)).alias(name) for name, expr in cols.items()
    )


def test_a_real_shift_of_the_same_features_still_alarms(school_year: list[pl.DataFrame]) -> None:
    """A third of the households absent on 10% more school days (two more days a month),
    or late on 10% more: alarms overall and in every district, across the same change
    of calendar that raised no alarm. (Absence doubled for a third of these households
    reads PSI 0.07 across the calendar and 0.09 within one month: below the practical
    0.25 under any bins, so it is not used here.)"""
    ref, cur = school_year[3], school_year[4]  # August -> September month-ends
    for name in ("absence_rate_3m", "late_rate_3m"):
        shifted = _shifted(cur, 1, **{name: (pl.col(name) + 0.1).clip(upper_bound=1.0)})
        hit = _drift(ref, shifted, CONFIG).filter("alarm")
        got = {d for n, d in hit.select("name", "district").rows() if n == name}
        assert got == {None, *DISTRICTS}, (name, got)
        assert {n for n, _ in hit.select("name", "district").rows()} == {name}


def test_lattices_are_recognised() -> None:
    assert lattice_step(np.array([0.0, 3.0, 7.0, np.nan])) == 1.0  # counts
    k = np.arange(0, 20, dtype=float)
    assert lattice_step(k / 54) == pytest.approx(1 / 54)
    assert lattice_step(np.array([0.0, 2 / 54, 4 / 54, 10 / 54])) == pytest.approx(1 / 27)
    assert lattice_step(k / 36 * 200) == pytest.approx(200 / 36)  # a pace: a rate times 200
    mixed = np.concatenate([k / 51, k / 52, k / 53, k / 54])  # schools with their own calendars
    assert 1 / 54 <= lattice_step(mixed) <= 1 / 51
    # children who joined mid-window (k/21 among k/35) do not make the lattice finer
    joined = np.concatenate([np.arange(0, 36) / 35] * 10 + [np.arange(1, 22) / 21])
    assert lattice_step(joined) == pytest.approx(1 / 35)
    pace = np.concatenate([np.arange(0, 20) * 200 / 95] * 10 + [np.arange(1, 5) * 200 / 76])
    assert lattice_step(pace) == pytest.approx(40 / 19)
    rng = np.random.default_rng(0)
    assert lattice_step(rng.lognormal(2, 1, 500)) is None  # continuous
    assert lattice_step(np.array([np.nan])) is None
    coarse = Encoded("numeric", np.array([0.0, 0.5, 1.0]))  # 2 school days in August
    fine = Encoded("numeric", k / 20)
    assert shared_step(coarse, fine) == 0.5 and shared_step(fine, fine) == pytest.approx(0.05)
    assert shared_step(fine, Encoded("numeric", rng.random(50))) is None


def test_feature_edges_sit_between_reference_values() -> None:
    rng = np.random.default_rng(3)
    cont = Encoded("numeric", np.round(rng.lognormal(2, 1, 2000), 6) + rng.random(2000) * 1e-3)
    bins = fit_feature(cont, 10)
    assert len(bins.edges) == 9 and not np.any(np.isin(bins.edges, cont.values))
    rates = Encoded("numeric", rng.binomial(54, 0.02, 5000) / 54)
    bins = fit_feature(rates, 10, lattice_step(rates.values))
    steps = np.asarray(bins.edges) * 54
    assert np.allclose(steps - np.floor(steps), 0.5)  # on the half-steps of k/54
    assert bins.edges[0] == pytest.approx(0.5 / 54)  # exact zero keeps a bin of its own
    thinned = fit_feature(rates, 10, 1 / 54, min_steps=2)
    assert np.all(np.diff(thinned.edges) >= 2 / 54 - 1e-12)
    flags = Encoded("numeric", np.array([0.0] * 50 + [1.0] * 50))
    assert fit_feature(flags, 10, 1.0).edges == (0.5, 1.5)  # a bin for values above the max
    assert fit_feature(Encoded("numeric", np.full(3, np.nan)), 10).edges == ()


SCHOOL = ("absence_rate_1m", "absence_rate_3m", "absence_rate_12m", "late_rate_3m", "absence_trend")


@pytest.mark.slow
def test_a_synthetic_village_across_a_falling_school_calendar(
    village_drop: Path, tmp_path: Path, factory: ModuleType
) -> None:
    """The synthetic village (kizuki.synth, its own school calendar) scored at 2026-07-31
    and 2026-08-31: the school windows fall from 73 to 56 school days (3 months) and from
    35 to 16 (1 month, the summer break), every rate's denominator changes, the children
    do not. No school feature alarms, overall or in a district."""
    from kizuki.monitor.compare import compare_runs
    from kizuki.runs import read_run

    ref = factory.run_from_drop(village_drop, dt.date(2026, 7, 31), tmp_path / "ref")
    cur = factory.run_from_drop(village_drop, dt.date(2026, 8, 31), tmp_path / "cur")
    ref_run, cur_run = read_run(ref), read_run(cur)
    late = ref_run.features["late_rate_3m"].drop_nulls().to_numpy() * 73
    assert np.mean(np.abs(late - np.round(late)) < 1e-9) > 0.9  # mostly k / 73 school days
    result = compare_runs(ref_run, cur_run, load_monitor_config())
    school = result.drift.filter(pl.col("name").is_in(SCHOOL))
    assert school.height == len(SCHOOL) * 4  # overall and in each of the three districts
    assert school.filter("alarm").height == 0, school.filter("alarm").select("name", "district", "psi")
    assert not [a for a in result.alerts if any(a.subject.startswith(n) for n in SCHOOL)]


def test_a_count_with_a_stray_fraction_is_still_a_count() -> None:
    assert lattice_step(np.array([0.0, 1.0, 2.0, 3.0] * 100 + [np.pi])) == 1.0
