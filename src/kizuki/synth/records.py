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

from kizuki.calendar import from_month_index
from kizuki.contract.schema import CARE_USAGE
from kizuki.synth.care import NO_ONSET, CareState
from kizuki.synth.latent import IX, Latent
from kizuki.synth.population import REL, Population

#: school days in session by calendar month (Jan..Dec)
SCHOOL_DAYS = np.array([17, 19, 16, 19, 19, 21, 14, 2, 20, 21, 19, 15])
#: water seasonality by calendar month (Jan..Dec)
SEASON = np.array([0.94, 0.92, 0.95, 0.98, 1.02, 1.05, 1.12, 1.18, 1.08, 1.0, 0.96, 0.95])
#: monthly service units by ltc level index (0 none … 8 care5)
UNITS = np.array([0, 1000, 2500, 5000, 9000, 12000, 18000, 23000, 27000])


def _cal(pop: Population) -> tuple[np.ndarray, np.ndarray]:
    """(year, month 1..12) of every history month ``0 … pop.months - 1``."""
    firsts = [from_month_index(pop.month0 + m) for m in range(pop.months)]
    years = np.fromiter((d.year for d in firsts), np.int64, len(firsts))
    months = np.fromiter((d.month for d in firsts), np.int64, len(firsts))
    return years, months


def _water_use(pop: Population, lat: Latent, rng: np.random.Generator) -> np.ndarray:
    """Water use in m³ per month and household, float32 ``[month, household]``.

    Household size × a lasting household factor (frugal or not) × season × noise.
    Isolation: use falls over the first months, then flat-lines (little season, little
    noise: nobody visits, nothing changes). Self-neglect: erratic, sometimes very low.
    8050: more use per person (someone is home all day). Hardship: a little less.
    Confounder: a household away from home for a month uses almost nothing.
    """
    H, M = pop.n_households, pop.months
    st = lat.state
    _, cal_m = _cal(pop)
    factor = rng.lognormal(0, 0.3, H).astype(np.float32)
    f32 = np.float32
    use = np.empty((M, H), np.float32)
    run = np.zeros(H, np.float32)
    for m in range(M):
        iso, neg = st[IX["elderly_isolation"], m], st[IX["self_neglect"], m]
        run = np.where(iso, run + 1, f32(0))
        season = f32(SEASON[cal_m[m] - 1])
        u = (f32(2.0) + f32(5.5) * lat.comp.n[m]) * factor
        u *= np.where(iso, season**0.3, season) * (1 - f32(0.45) * np.minimum(run / 6, 1))
        u *= np.where(st[IX["eight050"], m], f32(1.18), f32(1))
        u *= np.where(st[IX["financial_hardship"], m], f32(0.88), f32(1))
        ix = np.flatnonzero(neg)
        erratic = np.exp(0.75 * rng.standard_normal(ix.size, np.float32))
        u[ix] *= erratic * np.where(rng.random(ix.size, np.float32) < 0.3, f32(0.25), f32(1))
        away = rng.integers(0, H, rng.binomial(H, 0.007))
        u[away] *= f32(0.08)
        u *= np.exp(np.where(iso, f32(0.04), f32(0.12)) * rng.standard_normal(H, np.float32))
        use[m] = u
    return use


def water(
    pop: Population, lat: Latent, bimonthly: np.ndarray, rng: np.random.Generator
) -> pl.DataFrame:
    """utility rows: hh, m (first month), period_months, water_m3, billed_yen, unpaid_yen,
    stop_notice — one per household per billing period (``bimonthly`` households are
    read every second month, covering that month and the next).

    Bills: a missed payment adds the bill to the unpaid balance, a payment clears it;
    a stop notice comes when the balance passes three bills. Hardship and self-neglect
    miss payments often, 8050 households a little more; everyone forgets now and then.
    """
    H, M = pop.n_households, pop.months
    st = lat.state
    use = _water_use(pop, lat, rng)
    even = (pop.month0 + np.arange(M)) % 2 == 0
    cols: dict[str, list[np.ndarray]] = {
        k: [] for k in ("hh", "m", "period_months", "water_m3", "billed_yen", "unpaid_yen")
    }
    cols["stop_notice"] = []
    unpaid = np.zeros(H, np.int64)
    none = np.zeros(H, bool)
    for m in range(M):
        present = lat.comp.n[m] > 0
        monthly = ~bimonthly & present
        bi = bimonthly & present & even[m] if m + 1 < M else none
        w = np.where(bi, use[m] + use[min(m + 1, M - 1)], use[m])
        active = monthly | bi
        pm = np.where(bi, 2, 1)
        bill = np.round(800 * pm + 165 * w).astype(np.int64)
        miss_p = (
            0.012
            + 0.33 * st[IX["financial_hardship"], m]
            + 0.28 * st[IX["self_neglect"], m]
            + 0.04 * st[IX["eight050"], m]
        )
        miss = active & (rng.random(H, np.float32) < miss_p)
        unpaid = np.where(active, np.where(miss, unpaid + bill, 0), unpaid)
        stop = active & (unpaid > 3 * np.maximum(bill, 1000))
        idx = np.flatnonzero(active)
        cols["hh"].append(idx)
        cols["m"].append(np.full(idx.size, m, np.int32))
        cols["period_months"].append(pm[idx].astype(np.int8))
        cols["water_m3"].append(np.round(w[idx].astype(np.float64), 1))
        cols["billed_yen"].append(bill[idx])
        cols["unpaid_yen"].append(unpaid[idx])
        cols["stop_notice"].append(stop[idx])
    return pl.DataFrame({k: np.concatenate(v) for k, v in cols.items()})


def _main_and_income(
    rng: np.random.Generator, a: np.ndarray, spouse: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(main income index: 0 salary 1 pension 2 business 3 other 4 none, 合計所得 in yen)
    for adults aged ``a``; ``spouse`` marks working-age spouses (often part-time)."""
    k = a.size
    r = rng.random(k)
    old, student = a >= 65, a < 23
    main = np.select(
        [
            old,
            student,
            spouse,
        ],
        [
            np.where(r < 0.88, 1, np.where(r < 0.96, 0, 2)),
            np.where(r < 0.65, 4, 0),
            np.where(r < 0.55, 0, np.where(r < 0.6, 2, 4)),
        ],
        np.where(r < 0.82, 0, np.where(r < 0.91, 2, np.where(r < 0.94, 3, 4))),
    )
    salary = np.where(
        student,
        rng.lognormal(np.log(5e5), 0.6, k),
        np.where(spouse, rng.lognormal(np.log(9e5), 0.7, k), rng.lognormal(np.log(3.6e6), 0.55, k)),
    )
    income = np.select(
        [main == 0, main == 1, main == 2, main == 3],
        [
            salary,
            rng.lognormal(np.log(8e5), 0.9, k),  # after the public-pension deduction
            rng.lognormal(np.log(2.5e6), 0.9, k),
            rng.lognormal(np.log(1e6), 1.0, k),
        ],
        0.0,
    )
    return main, income


def tax(pop: Population, lat: Latent, rng: np.random.Generator) -> pl.DataFrame:
    """tax rows: pid, fiscal_year, income_total, main_income, taxable, filed, arrears_yen,
    late, late_days — one per adult present in June of each fiscal year.

    Traces: a withdrawn person (ひきこもり) mostly has no income and no declaration;
    financial hardship cuts income and brings arrears; a double-care carer may have
    left work. Confounders: students, dependent spouses and people between jobs have
    no income or no declaration too.
    """
    parts = []
    years, cal_m = _cal(pop)
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
        hh = pop.hh[idx]
        main, income = _main_and_income(rng, a, (pop.rel[idx] == REL["spouse"]) & (a < 65))
        filed = rng.random(k) < np.where(main == 4, 0.4, 0.98)
        # withdrawn: mostly no income and no declaration; some live on a small other
        # income (rent, a disability pension) that is declared
        withdrawn = lat.withdrawn[m, idx]
        w_r = rng.random(k)
        main = np.where(withdrawn, np.where(w_r < 0.7, 4, np.where(w_r < 0.85, 3, main)), main)
        income = np.where(withdrawn, income * 0.4, income)
        filed = np.where(withdrawn, (main != 4) | (rng.random(k) < 0.25), filed)
        carer = lat.state[IX["double_care"], m, hh] & (a < 65) & (rng.random(k) < 0.3)
        main = np.where(carer, 4, main)
        income = np.where(main == 4, 0, income)
        hard = lat.state[IX["financial_hardship"], m, hh]
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


#: ``to_m`` of a certificate that is still valid at the end of the history
OPEN = np.iinfo(np.int32).max


def care_rows(pop: Population, care: CareState) -> pl.DataFrame:
    """care rows: pid, kind, level, from_m, to_m (null while open), death (ends on death).

    ltc: one row per level (a new certification at each level change, the previous
    one ending that day); certificates end on death, and are dropped when they would
    start after the person left. Month indices may be negative (before the history).
    """
    n = care.onset.size
    last_end = np.full(n, -(10**6), np.int32)
    np.maximum.at(last_end, pop.pid, pop.end)
    died = np.zeros(n, bool)
    died[pop.pid[pop.end_reason == 2]] = True
    parts = []
    for k in range(9):
        start = care.onset + k * care.step.astype(np.int32)
        ok = (care.onset < NO_ONSET) & (care.level0 + k <= 8) & (start < last_end)
        idx = np.flatnonzero(ok)
        nxt = start[idx] + care.step[idx].astype(np.int32)
        has_next = (care.level0[idx] + k + 1 <= 8) & (nxt < last_end[idx])
        to = np.where(has_next, nxt, np.where(died[idx], last_end[idx], OPEN))
        by_death = ~has_next & died[idx]
        parts.append((idx, np.full(idx.size, 0), care.level0[idx] + k, start[idx], to, by_death))
    for kind, grade, since in (
        (1, care.phys, care.phys_from),
        (2, care.intel, care.intel_from),
        (3, care.mental, care.mental_from),
    ):
        idx = np.flatnonzero((grade > 0) & (since < last_end))
        to = np.where(died[idx], last_end[idx], OPEN)
        parts.append((idx, np.full(idx.size, kind), grade[idx], since[idx], to, died[idx]))
    frame = pl.DataFrame(
        {
            "pid": np.concatenate([p[0] for p in parts]).astype(np.int64),
            "kind": np.concatenate([p[1] for p in parts]).astype(np.int8),
            "level": np.concatenate([p[2] for p in parts]).astype(np.int8),
            "from_m": np.concatenate([p[3] for p in parts]).astype(np.int32),
            "to_m": np.concatenate([p[4] for p in parts]).astype(np.int32),
            "death": np.concatenate([p[5] for p in parts]),
        }
    )
    return frame.with_columns(to_m=pl.when(pl.col("to_m") != OPEN).then(pl.col("to_m")))


def care_usage(
    pop: Population, care: CareState, lat: Latent, rng: np.random.Generator
) -> pl.DataFrame:
    """care_usage rows: pid, m, service_units (one row per month with any service)."""
    parts = []
    certified = np.flatnonzero(care.onset < pop.months)
    cert_set = np.zeros(care.onset.size, bool)
    cert_set[certified] = True
    withdrawn_services = lat.state[IX["elderly_isolation"]] | lat.state[IX["self_neglect"]]
    # most certified people use services every month; some never do (certified as a
    # precaution), some stop for good (family care, hospital) — confounders for the
    # "certified but no service" sign of isolation and self-neglect
    never = rng.random(care.onset.size) < 0.12
    stop_at = np.where(
        rng.random(care.onset.size) < 0.08, rng.integers(0, pop.months, care.onset.size), 10**6
    )
    # claims arrive late (contract: known two months after the service month): the drop,
    # extracted at the end of the history, does not yet hold the last months
    for m in range(pop.months - CARE_USAGE.knowledge.lag_months):
        p = pop.present(m) & cert_set[pop.pid]
        idx = np.flatnonzero(p)
        pids = pop.pid[idx]
        lvl = care.level(pids, m)
        use_p = np.where(withdrawn_services[m, pop.hh[idx]], 0.3, 0.95)
        use_p = np.where(never[pids] | (stop_at[pids] <= m), 0.02, use_p)
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
    years, cal_m = _cal(pop)
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
        c = carer[m, hh]
        h = hard[m, hh]
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
            np.where(u < 0.015, 2, np.where(u < 0.11, 1, 0)),
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
