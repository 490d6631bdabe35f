"""The traces latent needs leave in each source table, with confounders.

In: population, care state, latent states, Generator. Out: polars frames with
integer keys (``pid``/``hh``) and month indices; :mod:`kizuki.synth.generate` turns
them into contract tables. No issue has a single tell-tale column: each moves
several columns a little, and unrelated causes (illness, frugality, time away,
unemployment, a forgotten bill) move the same columns too.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from kizuki.synth.care import CareState
from kizuki.synth.latent import IX, Latent
from kizuki.synth.population import Population

#: school days in session by calendar month (Jan..Dec)
SCHOOL_DAYS = np.array([17, 19, 16, 19, 19, 21, 14, 2, 20, 21, 19, 15])
#: water seasonality by calendar month (Jan..Dec)
SEASON = np.array([0.94, 0.92, 0.95, 0.98, 1.02, 1.05, 1.12, 1.18, 1.08, 1.0, 0.96, 0.95])
#: monthly service units by ltc level index (0 none … 8 care5)
UNITS = np.array([0, 1000, 2500, 5000, 9000, 12000, 18000, 23000, 27000])


def _cal(pop: Population, m: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
    """(year, month 1..12) of month index ``m``."""
    c = pop.month0 + np.asarray(m)
    return c // 12, c % 12 + 1


def water(
    pop: Population, lat: Latent, bimonthly: np.ndarray, rng: np.random.Generator
) -> pl.DataFrame:
    """utility rows: hh, m (first month), period_months, water_m3, billed_yen, unpaid_yen, stop_notice."""
    H, M = pop.n_households, pop.months
    st = lat.state
    n = lat.comp.n.astype(np.float32)
    _, cal_m = _cal(pop, np.arange(M))
    factor = rng.lognormal(0, 0.3, H).astype(np.float32)
    use = (2.0 + 5.5 * n) * factor[:, None] * SEASON[cal_m - 1][None, :].astype(np.float32)
    iso = st[IX["elderly_isolation"]]
    neg = st[IX["self_neglect"]]
    use *= np.where(iso, 0.55, 1.0).astype(np.float32)
    use *= np.where(st[IX["eight050"]], 1.18, 1.0).astype(np.float32)
    use *= np.where(st[IX["financial_hardship"]], 0.88, 1.0).astype(np.float32)
    erratic = rng.lognormal(0, 0.75, (H, M)).astype(np.float32)
    use = np.where(neg, use * erratic * np.where(rng.random((H, M)) < 0.3, 0.25, 1.0), use)
    away = rng.random((H, M)) < 0.007  # confounder: away from home
    use *= np.where(away, 0.08, 1.0).astype(np.float32)
    use *= rng.lognormal(0, 0.12, (H, M)).astype(np.float32)
    present = lat.comp.n > 0
    # billing periods
    even = (pop.month0 + np.arange(M)) % 2 == 0
    rows_hh: list[np.ndarray] = []
    rows_m: list[np.ndarray] = []
    rows_pm: list[np.ndarray] = []
    rows_w: list[np.ndarray] = []
    rows_bill: list[np.ndarray] = []
    rows_unpaid: list[np.ndarray] = []
    rows_stop: list[np.ndarray] = []
    unpaid = np.zeros(H, np.int64)
    miss_p = 0.012 + 0.33 * st[IX["financial_hardship"]] + 0.28 * neg + 0.04 * st[IX["eight050"]]
    for m in range(M):
        monthly = ~bimonthly & present[:, m]
        bi = bimonthly & present[:, m] & even[m] if m + 1 < M else np.zeros(H, bool)
        w = np.where(bi, use[:, m] + use[:, min(m + 1, M - 1)], use[:, m])
        active = monthly | bi
        pm = np.where(bi, 2, 1)
        bill = np.round(800 * pm + 165 * w).astype(np.int64)
        miss = active & (rng.random(H) < miss_p[:, m])
        unpaid = np.where(active, np.where(miss, unpaid + bill, 0), unpaid)
        stop = active & (unpaid > 3 * np.maximum(bill, 1000))
        idx = np.flatnonzero(active)
        rows_hh.append(idx)
        rows_m.append(np.full(idx.size, m, np.int32))
        rows_pm.append(pm[idx].astype(np.int8))
        rows_w.append(np.round(w[idx], 1))
        rows_bill.append(bill[idx])
        rows_unpaid.append(unpaid[idx])
        rows_stop.append(stop[idx])
    return pl.DataFrame(
        {
            "hh": np.concatenate(rows_hh),
            "m": np.concatenate(rows_m),
            "period_months": np.concatenate(rows_pm),
            "water_m3": np.concatenate(rows_w).astype(np.float64),
            "billed_yen": np.concatenate(rows_bill),
            "unpaid_yen": np.concatenate(rows_unpaid),
            "stop_notice": np.concatenate(rows_stop),
        }
    )


def _withdrawn_child(pop: Population, lat: Latent, m: int, p: np.ndarray) -> np.ndarray:
    """Mask over present person-periods: the 40–64 member of an active 8050 household."""
    age = pop.age_years(m)
    active = lat.state[IX["eight050"], pop.hh, m]
    return p & active & (age >= 40) & (age < 65)


def tax(pop: Population, lat: Latent, rng: np.random.Generator) -> pl.DataFrame:
    """tax rows: pid, fiscal_year, income_total, main_income, taxable, filed, arrears_yen, recorded_m/day."""
    parts = []
    years, cal_m = _cal(pop, np.arange(pop.months))
    seen: set[int] = set()
    for m in np.flatnonzero(cal_m == 6):
        fy = int(years[m])
        if fy in seen:
            continue
        seen.add(fy)
        p = pop.present(m)
        age = pop.age_years(m)
        adult = p & (age >= 18)
        idx = np.flatnonzero(adult)
        # a person with two periods (household change) gets one row per fiscal year
        _, first = np.unique(pop.pid[idx], return_index=True)
        idx = idx[first]
        a = age[idx]
        k = idx.size
        old = a >= 65
        r = rng.random(k)
        main = np.where(
            old, 1, np.where(r < 0.80, 0, np.where(r < 0.88, 2, 4))
        )  # 0 salary 1 pension 2 business 4 none
        income = np.where(
            old, rng.lognormal(np.log(1.25e6), 0.65, k), rng.lognormal(np.log(3.6e6), 0.55, k)
        )
        income = np.where(main == 4, 0, income)
        filed = rng.random(k) > np.where(main == 4, 0.35, 0.02)
        withdrawn = _withdrawn_child(pop, lat, m, adult)[idx]
        main = np.where(withdrawn & (rng.random(k) < 0.8), 4, main)
        income = np.where(main == 4, 0, income)
        filed = np.where(withdrawn, rng.random(k) < 0.3, filed)
        hard = lat.state[IX["financial_hardship"], pop.hh[idx], m]
        income = np.where(hard, income * 0.35, income)
        arrears = np.where(
            (hard & (rng.random(k) < 0.45)) | (rng.random(k) < 0.015),
            np.round(rng.lognormal(np.log(60000), 0.8, k), -2),
            0,
        ).astype(np.int64)
        income = np.round(income, -3).astype(np.int64)
        taxable = filed & (income > 450_000)
        late = rng.random(k) < 0.08
        parts.append(
            pl.DataFrame(
                {
                    "pid": pop.pid[idx],
                    "fiscal_year": np.full(k, fy, np.int32),
                    "income_total": pl.Series(np.where(filed, income, 0)).cast(pl.Int64),
                    "filed": filed,
                    "main_income": main.astype(np.int8),
                    "taxable": taxable,
                    "arrears_yen": arrears,
                    "late": late,
                    "late_days": rng.integers(20, 110, k),
                }
            ).with_columns(
                income_total=pl.when(pl.col("filed")).then(pl.col("income_total")),
                arrears_yen=pl.when(pl.col("arrears_yen") > 0).then(pl.col("arrears_yen")),
            )
        )
    return pl.concat(parts)


def care_rows(pop: Population, care: CareState, rng: np.random.Generator) -> pl.DataFrame:
    """care rows: pid, kind, level, from_m, to_m (-1 open)."""
    n = care.onset.size
    last_end = np.full(n, -(10**6), np.int32)
    np.maximum.at(last_end, pop.pid, pop.end)
    died = np.zeros(n, bool)
    died[pop.pid[pop.end_reason == 2]] = True
    parts = []
    kinds = []
    # ltc: a row at each level change
    for k in range(9):
        start = care.onset + k * care.step.astype(np.int32)
        ok = (
            (care.onset < last_end)
            & (care.level0 + k <= 8)
            & (start < last_end)
            & (care.onset < 10**6)
        )
        idx = np.flatnonzero(ok)
        nxt = start[idx] + care.step[idx]
        has_next = (care.level0[idx] + k + 1 <= 8) & (nxt < last_end[idx])
        to = np.where(has_next, nxt, np.where(died[idx], last_end[idx], -1))
        parts.append((idx, np.full(idx.size, 0), care.level0[idx] + k, start[idx], to))
        kinds.append(0)
    phys = np.flatnonzero((care.phys > 0) & (care.phys_from < last_end))
    parts.append(
        (
            phys,
            np.full(phys.size, 1),
            care.phys[phys],
            care.phys_from[phys],
            np.where(died[phys], last_end[phys], -1),
        )
    )
    intel = np.flatnonzero((care.intel > 0) & (last_end > -(10**5)))
    parts.append(
        (
            intel,
            np.full(intel.size, 2),
            care.intel[intel],
            np.full(intel.size, -200),
            np.full(intel.size, -1),
        )
    )
    mental = np.flatnonzero((care.mental > 0) & (care.mental_from < last_end))
    parts.append(
        (
            mental,
            np.full(mental.size, 3),
            care.mental[mental],
            care.mental_from[mental],
            np.where(died[mental], last_end[mental], -1),
        )
    )
    frame = pl.DataFrame(
        {
            "pid": np.concatenate([p[0] for p in parts]).astype(np.int64),
            "kind": np.concatenate([p[1] for p in parts]).astype(np.int8),
            "level": np.concatenate([p[2] for p in parts]).astype(np.int8),
            "from_m": np.concatenate([p[3] for p in parts]).astype(np.int32),
            "to_m": np.concatenate([p[4] for p in parts]).astype(np.int32),
        }
    )
    return frame.with_columns(day=pl.Series(rng.integers(1, 29, frame.height)))


def care_usage(
    pop: Population, care: CareState, lat: Latent, rng: np.random.Generator
) -> pl.DataFrame:
    """care_usage rows: pid, m, service_units (one row per month with any service)."""
    parts = []
    certified = np.flatnonzero(care.onset < pop.months)
    cert_set = np.zeros(care.onset.size, bool)
    cert_set[certified] = True
    withdrawn_services = lat.state[IX["elderly_isolation"]] | lat.state[IX["self_neglect"]]
    # claims arrive two months late: the drop, extracted at the end of the history, does
    # not yet hold the last two months
    for m in range(pop.months - 2):
        p = pop.present(m) & cert_set[pop.pid]
        idx = np.flatnonzero(p)
        pids = pop.pid[idx]
        lvl = care.level(pids, m)
        use_p = np.where(withdrawn_services[pop.hh[idx], m], 0.3, 0.88)
        use = (lvl >= 1) & (rng.random(idx.size) < use_p)
        sel = idx[use]
        units = np.round(UNITS[lvl[use]] * rng.lognormal(0, 0.25, sel.size)).astype(np.int64)
        parts.append(
            pl.DataFrame(
                {"pid": pop.pid[sel], "m": np.full(sel.size, m, np.int32), "service_units": units}
            )
        )
    return pl.concat(parts).unique(["pid", "m"], keep="first", maintain_order=True)


def school(pop: Population, lat: Latent, rng: np.random.Generator) -> pl.DataFrame:
    """school rows: pid, m, school_level, school_days, absent_days, late_days, school_aid."""
    n_pid = int(pop.pid.max()) + 1
    propensity = rng.gamma(0.6, 0.8, n_pid)
    chronic = rng.random(n_pid) < 0.025  # 不登校 for reasons unrelated to the six issues
    high_enrolled = rng.random(n_pid) < 0.96
    years, cal_m = _cal(pop, np.arange(pop.months))
    school_year = np.where(cal_m >= 4, years, years - 1)
    aid_u = rng.random((n_pid, 2)).astype(np.float32)
    parts = []
    carer = lat.state[IX["young_carer"]]
    hard = lat.state[IX["financial_hardship"]]
    for m in range(pop.months):
        age = pop.age_years(m)
        p = pop.present(m) & (age >= 6) & (age < 18)
        idx = np.flatnonzero(p)
        _, first = np.unique(pop.pid[idx], return_index=True)
        idx = idx[first]
        a = age[idx]
        pids = pop.pid[idx]
        level = np.where(a < 12, 0, np.where(a < 15, 1, 2))
        keep = (level < 2) | high_enrolled[pids]
        idx, pids, level = idx[keep], pids[keep], level[keep]
        k = idx.size
        days = np.full(k, SCHOOL_DAYS[cal_m[m] - 1])
        hh = pop.hh[idx]
        c = carer[hh, m]
        h = hard[hh, m]
        lam = (
            propensity[pids]
            + 6.0 * chronic[pids]
            + 0.4 * h
            + np.where(c, rng.uniform(1.0, 4.0, k), 0)
        )
        absent = rng.poisson(lam * days / 19.0)
        ill = rng.random(k) < 0.04
        absent = absent + np.where(ill, rng.poisson(3, k), 0)
        absent = np.minimum(absent, days)
        late = rng.poisson((0.3 + 1.8 * c + 0.8 * chronic[pids]) * days / 19.0)
        late = np.minimum(late, days - absent)
        sy = school_year[m] % 2
        u = aid_u[pids, sy]
        aid = np.where(
            h,
            np.where(u < 0.22, 2, np.where(u < 0.75, 1, 0)),
            np.where(u < 0.015, 2, np.where(u < 0.125, 1, 0)),
        )
        parts.append(
            pl.DataFrame(
                {
                    "pid": pids,
                    "m": np.full(k, m, np.int32),
                    "school_level": level.astype(np.int8),
                    "school_days": days.astype(np.int64),
                    "absent_days": absent.astype(np.int64),
                    "late_days": late.astype(np.int64),
                    "school_aid": aid.astype(np.int8),
                }
            )
        )
    return pl.concat(parts)
