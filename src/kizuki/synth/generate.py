"""Assemble a synthetic data drop: contract tables with pseudonymous IDs and dates.

``generate(spec) -> SynthDrop``: ``tables`` maps each contract table name to a
polars DataFrame in the canonical contract form (English names and codes; dates as
``pl.Date``; months as ``YYYY-MM`` text), and ``truth`` holds the hidden state
(``latent``: household_id, month, issue; ``households``: type, district, …).
Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from kizuki.calendar import from_month_index, from_month_index_expr, month_end
from kizuki.contract import schema
from kizuki.contract.knowledge import default_known_on
from kizuki.synth.care import simulate_care
from kizuki.synth.cases import simulate_cases
from kizuki.synth.latent import Latent, apply_case_effect, simulate_latent
from kizuki.synth.population import HH_TYPES, Population, simulate_population
from kizuki.synth.presets import SynthSpec
from kizuki.synth.records import care_rows, care_usage, school, tax, water

END_REASONS = (None, "moved_out", "died", "household_change")
LTC_CODES = schema.LTC_LEVELS


@dataclass
class SynthDrop:
    """A generated drop: contract tables and the hidden truth."""

    spec: SynthSpec
    tables: dict[str, pl.DataFrame]
    truth: dict[str, pl.DataFrame]


_HEX = np.frombuffer(b"0123456789abcdef", np.uint8)


def _ids(rng: np.random.Generator, n: int, prefix: str) -> pl.Series:
    """``n`` unique pseudonymous IDs like ``P3f9a…`` (16 hex digits; never all digits)."""
    vals = rng.integers(0, 2**63 - 1, n, dtype=np.int64)
    while np.unique(vals).size < n:  # astronomically rare; keeps IDs unique
        vals = rng.integers(0, 2**63 - 1, n, dtype=np.int64)
    # hex digits, most significant first, written byte by byte (vectorised)
    big_endian = vals.astype(">i8").view(np.uint8).reshape(n, 8)
    text = np.empty((n, 17), np.uint8)
    text[:, 0] = ord(prefix)
    text[:, 1::2] = _HEX[big_endian >> 4]
    text[:, 2::2] = _HEX[big_endian & 15]
    return pl.Series(text.view("S17").ravel()).cast(pl.String)


def _date(month0: int, m: pl.Expr, day: pl.Expr) -> pl.Expr:
    """The date on ``day`` of history month ``m`` (calendar month index ``month0 + m``)."""
    return from_month_index_expr(m + month0, day)


def _month_text(month0: int, m: pl.Expr) -> pl.Expr:
    """``YYYY-MM`` of history month ``m`` (months -1200 … +1200 around ``month0``)."""
    firsts = (from_month_index(i) for i in range(month0 - 1200, month0 + 1201))
    texts = pl.Series([f"{d.year}-{d.month:02d}" for d in firsts], dtype=pl.String)
    return pl.lit(texts).gather(m + 1200)


def _day(pid: pl.Expr, m: pl.Expr) -> pl.Expr:
    """A stable day of month for a person's event in month ``m`` (both sides of a 世帯変更 agree)."""
    return ((pid * 7 + m).abs() % 28 + 1).cast(pl.Int32)


def generate(spec: SynthSpec) -> SynthDrop:
    """Simulate a municipality and return its drop (see module docstring)."""
    rng = np.random.default_rng(spec.seed)
    pop = simulate_population(spec, rng)
    care = simulate_care(pop, rng)
    lat = simulate_latent(pop, care, rng)
    M, H = pop.months, pop.n_households
    # who uses care services, per month and household (care managers refer cases)
    uses_care = np.zeros((M, H), bool)
    for m in range(M):
        p = np.flatnonzero(pop.present(m))
        lvl = care.level(pop.pid[p], m)
        uses_care[m, pop.hh[p][lvl >= 2]] = True
    foreign_hh = np.zeros(H, bool)
    foreign_hh[pop.hh[pop.foreign]] = True
    cases, confirmed_month = simulate_cases(lat, pop, uses_care, foreign_hh, rng)
    apply_case_effect(lat, confirmed_month, rng)

    n_pid = int(pop.pid.max()) + 1
    pid_ids = _ids(rng, n_pid, "P")
    hh_ids = _ids(rng, H, "H")
    month0 = pop.month0
    district = pl.Series(list(spec.districts), dtype=pl.String)
    tables = {
        "residents": _residents(pop, pid_ids, hh_ids, district, rng),
        "tax": _tax(tax(pop, lat, rng), pid_ids, _last_day(spec)),
        "care": _care(care_rows(pop, care), pid_ids, pop, month0),
        "care_usage": _care_usage(care_usage(pop, care, lat, rng), pid_ids, month0),
        "school": _school(school(pop, lat, rng), pid_ids, month0),
        "utility": _utility(pop, lat, spec, hh_ids, rng),
        "outcomes": _outcomes(cases, hh_ids, month0, rng),
    }
    truth = _truth(pop, lat, pid_ids, hh_ids, district, foreign_hh)
    return SynthDrop(spec=spec, tables=tables, truth=truth)


def _residents(
    pop: Population,
    pid_ids: pl.Series,
    hh_ids: pl.Series,
    district: pl.Series,
    rng: np.random.Generator,
) -> pl.DataFrame:
    month0, M = pop.month0, pop.months
    nat = np.where(pop.foreign, "foreign", "jp").astype(object)
    nat[rng.random(nat.size) < 0.01] = None  # nationality not always recorded
    f = pl.DataFrame(
        {
            "pid": pop.pid,
            "hh": pop.hh,
            "birth": pop.birth,
            "sex": pop.sex,
            "rel": pop.rel,
            "start": pop.start,
            "end": pop.end,
            "reason": pop.end_reason,
            "district_i": pop.hh_district[pop.hh],
            "nationality": pl.Series(nat, dtype=pl.String),
        }
    )
    rel = pl.Series(list(schema.RELATION), dtype=pl.String)
    out = f.select(
        person_id=pl.lit(pid_ids).gather(pl.col("pid")),
        household_id=pl.lit(hh_ids).gather(pl.col("hh")),
        birth_month=from_month_index_expr(pl.col("birth")).dt.strftime("%Y-%m"),
        sex=pl.when(pl.col("sex") == 0).then(pl.lit("M")).otherwise(pl.lit("F")),
        relation=pl.lit(rel).gather(pl.col("rel")),
        district=pl.lit(district).gather(pl.col("district_i")),
        valid_from=_date(month0, pl.col("start"), _day(pl.col("pid"), pl.col("start"))),
        valid_to=pl.when(pl.col("end") < M).then(
            _date(month0, pl.col("end"), _day(pl.col("pid"), pl.col("end")))
        ),
        end_reason=pl.col("reason").replace_strict(
            {1: "moved_out", 2: "died", 3: "household_change"}, default=None, return_dtype=pl.String
        ),
        nationality=pl.col("nationality"),
    )
    # a birth during the history starts on the day of birth, never before the birth month
    return out


def _last_day(spec: SynthSpec) -> dt.date:
    """The last day of the history (the drop's extraction date)."""
    return month_end(spec.end_month)


def _tax(t: pl.DataFrame, pid_ids: pl.Series, extracted: dt.date) -> pl.DataFrame:
    """Canonical tax rows; an assessment recorded late, after the drop was extracted, is
    not in the drop yet."""
    mains = pl.Series(list(schema.MAIN_INCOME), dtype=pl.String)
    # a late recording: the contract's default knowledge date, plus the delay
    t = t.with_columns(default_known_on(schema.TAX, t).alias("__default"))
    out = t.select(
        person_id=pl.lit(pid_ids).gather(pl.col("pid")),
        fiscal_year=pl.col("fiscal_year"),
        income_total=pl.col("income_total"),
        main_income=pl.lit(mains).gather(pl.col("main_income")),
        taxable=pl.col("taxable"),
        filed=pl.col("filed"),
        arrears_yen=pl.col("arrears_yen"),
        recorded_on=pl.when(pl.col("late")).then(
            pl.col("__default") + pl.duration(days=pl.col("late_days"))
        ),
    )
    return out.filter(pl.col("recorded_on").is_null() | (pl.col("recorded_on") <= extracted))


def _care(c: pl.DataFrame, pid_ids: pl.Series, pop: Population, month0: int) -> pl.DataFrame:
    kinds = pl.Series(list(schema.CARE_KIND), dtype=pl.String)
    n_pid = pid_ids.len()
    birth = np.zeros(n_pid, np.int32)
    birth[pop.pid] = pop.birth - month0
    c = c.with_columns(
        from_m=pl.max_horizontal(
            pl.col("from_m"), pl.lit(pl.Series(birth)).gather(pl.col("pid")) + 12
        )
    ).filter(
        # a certificate starts within the history (a child's certificate is not issued before
        # the drop was extracted) and ends after it starts
        (pl.col("from_m") < pop.months)
        & (pl.col("to_m").is_null() | (pl.col("to_m") > pl.col("from_m")))
    )
    level = (
        pl.when(pl.col("kind") == 0)
        .then(
            pl.lit(pl.Series(list(LTC_CODES), dtype=pl.String)).gather(
                pl.col("level").cast(pl.Int64)
            )
        )
        .when(pl.col("kind") == 2)
        .then(pl.when(pl.col("level") == 1).then(pl.lit("A")).otherwise(pl.lit("B")))
        .otherwise(pl.col("level").cast(pl.String))
    )
    day = ((pl.col("pid") * 13 + pl.col("kind").cast(pl.Int64) * 5) % 28 + 1).cast(pl.Int32)
    return c.select(
        person_id=pl.lit(pid_ids).gather(pl.col("pid")),
        kind=pl.lit(kinds).gather(pl.col("kind").cast(pl.Int64)),
        level=level,
        valid_from=_date(month0, pl.col("from_m"), day),
        valid_to=pl.when(pl.col("to_m").is_not_null()).then(
            # a new level's certificate starts the day the previous one ends; a death
            # ends a certificate on the day the registry records it
            _date(
                month0,
                pl.col("to_m"),
                pl.when(pl.col("death")).then(_day(pl.col("pid"), pl.col("to_m"))).otherwise(day),
            )
        ),
    ).unique(["person_id", "kind", "valid_from"], keep="first", maintain_order=True)


def _care_usage(u: pl.DataFrame, pid_ids: pl.Series, month0: int) -> pl.DataFrame:
    return u.select(
        person_id=pl.lit(pid_ids).gather(pl.col("pid")),
        month=_month_text(month0, pl.col("m")),
        service_units=pl.col("service_units"),
    )


def _school(s: pl.DataFrame, pid_ids: pl.Series, month0: int) -> pl.DataFrame:
    levels = pl.Series(list(schema.SCHOOL_LEVEL), dtype=pl.String)
    aid = pl.Series(list(schema.SCHOOL_AID), dtype=pl.String)
    return s.select(
        person_id=pl.lit(pid_ids).gather(pl.col("pid")),
        month=_month_text(month0, pl.col("m")),
        school_level=pl.lit(levels).gather(pl.col("school_level").cast(pl.Int64)),
        school_days=pl.col("school_days"),
        absent_days=pl.col("absent_days"),
        late_days=pl.col("late_days"),
        school_aid=pl.lit(aid).gather(pl.col("school_aid").cast(pl.Int64)),
    )


def _utility(
    pop: Population, lat: Latent, spec: SynthSpec, hh_ids: pl.Series, rng: np.random.Generator
) -> pl.DataFrame:
    bi_idx = [i for i, d in enumerate(spec.districts) if d in spec.bimonthly_districts]
    bimonthly = np.isin(pop.hh_district, bi_idx)
    w = water(pop, lat, bimonthly, rng)
    return w.select(
        household_id=pl.lit(hh_ids).gather(pl.col("hh")),
        month=_month_text(pop.month0, pl.col("m")),
        period_months=pl.col("period_months").cast(pl.Int64),
        water_m3=pl.col("water_m3"),
        billed_yen=pl.col("billed_yen"),
        unpaid_yen=pl.col("unpaid_yen"),
        stop_notice=pl.col("stop_notice"),
    )


def _outcomes(
    cases: pl.DataFrame, hh_ids: pl.Series, month0: int, rng: np.random.Generator
) -> pl.DataFrame:
    issues = pl.Series(list(schema.ISSUES), dtype=pl.String)
    routes = pl.Series(list(schema.ROUTE), dtype=pl.String)
    cases = cases.with_columns(day=pl.Series(rng.integers(1, 29, cases.height), dtype=pl.Int32))
    return cases.select(
        household_id=pl.lit(hh_ids).gather(pl.col("hh")),
        issue=pl.lit(issues).gather(pl.col("issue").cast(pl.Int64)),
        opened_on=_date(month0, pl.col("m"), pl.col("day")),
        confirmed=pl.col("confirmed"),
        route=pl.lit(routes).gather(pl.col("route").cast(pl.Int64)),
    ).unique(["household_id", "issue", "opened_on"], keep="first", maintain_order=True)


def _truth(
    pop: Population,
    lat: Latent,
    pid_ids: pl.Series,
    hh_ids: pl.Series,
    district: pl.Series,
    foreign_hh: np.ndarray,
) -> dict[str, pl.DataFrame]:
    """Hidden state: ``latent`` (household_id, month (first day), issue), ``households``
    (household_id, initial_type, district, foreign, vulnerability) and ``withdrawn``
    (person_id, household_id, month: people aged 40–64 living withdrawn, ひきこもり)."""
    present = lat.comp.n > 0
    i, m, h = np.nonzero(lat.state & present[None, :, :])
    issues = pl.Series(list(schema.ISSUES), dtype=pl.String)
    latent = (
        pl.DataFrame({"i": i.astype(np.int64), "h": h.astype(np.int64), "m": m.astype(np.int32)})
        .sort("i", "h", "m")
        .select(
            household_id=pl.lit(hh_ids).gather(pl.col("h")),
            month=_date(pop.month0, pl.col("m"), pl.lit(1)),
            issue=pl.lit(issues).gather(pl.col("i")),
        )
    )
    types = pl.Series(list(HH_TYPES), dtype=pl.String)
    households = pl.DataFrame(
        {
            "t": pop.hh_type.astype(np.int64),
            "d": pop.hh_district.astype(np.int64),
            "foreign": foreign_hh,
            "vulnerability": lat.vulnerability,
        }
    ).select(
        household_id=hh_ids,
        initial_type=pl.lit(types).gather(pl.col("t")),
        district=pl.lit(district).gather(pl.col("d")),
        foreign=pl.col("foreign"),
        vulnerability=pl.col("vulnerability"),
    )
    wm, j = np.nonzero(lat.withdrawn)
    withdrawn = (
        pl.DataFrame({"p": pop.pid[j], "h": pop.hh[j].astype(np.int64), "m": wm.astype(np.int32)})
        .sort("p", "m")
        .select(
            person_id=pl.lit(pid_ids).gather(pl.col("p")),
            household_id=pl.lit(hh_ids).gather(pl.col("h")),
            month=_date(pop.month0, pl.col("m"), pl.lit(1)),
        )
    )
    return {"latent": latent, "households": households, "withdrawn": withdrawn}
