"""Who lives with whom, month by month: households, people, births, deaths and moves.

In: a :class:`~kizuki.synth.presets.SynthSpec` and a numpy Generator.
Out: :class:`Population` — one entry per *person-period* (a person's membership of
one household: start month, end month, end reason) plus per-household attributes.
Month indices run 0..M-1 over the simulated history; initial residents started
before month 0 (their ``valid_from`` lies years back).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kizuki.contract.schema import RELATION
from kizuki.synth.presets import SynthSpec

REL = {name: i for i, name in enumerate(RELATION)}
END_NONE, END_MOVED, END_DIED, END_CHANGE = 0, 1, 2, 3

#: household types: name -> base weight (ashiya-like), tuned by the 65+ share
HH_TYPES: dict[str, float] = {
    "single_young": 0.22,
    "single_65plus": 0.15,
    "elderly_couple": 0.13,
    "couple": 0.11,
    "couple_with_children": 0.19,
    "single_parent": 0.045,
    "eight050": 0.035,
    "three_generation": 0.035,
    "grandparent_grandchild": 0.006,
    "siblings": 0.02,
    "other": 0.05,
}
TYPE_INDEX = {name: i for i, name in enumerate(HH_TYPES)}
_ELDERLY_TYPES = ("single_65plus", "elderly_couple", "eight050")


@dataclass
class Population:
    """Person-periods and households (arrays aligned by index; see module docstring)."""

    pid: np.ndarray  # int64 person number (stable across a household change)
    hh: np.ndarray  # int64 household number
    birth: np.ndarray  # int32 birth month, as months since year 0 (y*12 + m-1)
    sex: np.ndarray  # int8 0 = M, 1 = F
    rel: np.ndarray  # int8 index into RELATION
    start: np.ndarray  # int32 first month of the period (may be < 0)
    end: np.ndarray  # int32 exclusive end month (M = still there)
    end_reason: np.ndarray  # int8 END_*
    foreign: np.ndarray  # bool
    hh_type: np.ndarray  # int8 per household, TYPE_INDEX
    hh_district: np.ndarray  # int16 per household
    months: int
    month0: int  # calendar month index (y*12 + m-1) of month 0

    @property
    def n_households(self) -> int:
        """Number of households ever simulated."""
        return int(self.hh_type.shape[0])

    def present(self, m: int) -> np.ndarray:
        """Boolean mask of person-periods present in month ``m``."""
        return (self.start <= m) & (self.end > m)

    def age_years(self, m: int) -> np.ndarray:
        """Age in whole years of every person-period at month ``m``."""
        return (self.month0 + m - self.birth) // 12


def _ages(rng: np.random.Generator, n: int, lo: float, hi: float) -> np.ndarray:
    return rng.uniform(lo, hi, n)


def _members(
    rng: np.random.Generator, kind: str, n: int
) -> list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
    """Member slots for ``n`` households of one type.

    Out: list of (relation index, ages in years (float), present mask, sex (0/1) or -1 random).
    """
    ones = np.ones(n, dtype=bool)
    rnd = -np.ones(n, dtype=np.int8)
    male_head = (rng.random(n) < 0.8).astype(np.int8) ^ 1  # 0 = M for 80%
    slots: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
    if kind == "single_young":
        slots.append((REL["head"], _ages(rng, n, 19, 64), ones, rnd))
    elif kind == "single_65plus":
        slots.append(
            (
                REL["head"],
                65 + rng.gamma(2.2, 6.0, n).clip(0, 37),
                ones,
                (rng.random(n) < 0.68).astype(np.int8),
            )
        )
    elif kind == "elderly_couple":
        a = 66 + rng.gamma(2.0, 5.5, n).clip(0, 32)
        slots.append((REL["head"], a, ones, np.zeros(n, np.int8)))
        slots.append(
            (REL["spouse"], (a - rng.normal(2, 2.5, n)).clip(60, 100), ones, np.ones(n, np.int8))
        )
    elif kind == "couple":
        a = _ages(rng, n, 24, 64)
        slots.append((REL["head"], a, ones, male_head))
        slots.append((REL["spouse"], (a + rng.normal(-1, 3, n)).clip(20, 70), ones, 1 - male_head))
    elif kind == "couple_with_children":
        a = _ages(rng, n, 27, 56)
        slots.append((REL["head"], a, ones, male_head))
        slots.append((REL["spouse"], (a + rng.normal(-1, 3, n)).clip(22, 60), ones, 1 - male_head))
        k = rng.choice([1, 2, 3], n, p=[0.42, 0.45, 0.13])
        for j in range(3):
            slots.append(
                (REL["child"], np.minimum(rng.uniform(0, 26, n), a - 20).clip(0), k > j, rnd)
            )
    elif kind == "single_parent":
        a = _ages(rng, n, 25, 55)
        slots.append((REL["head"], a, ones, (rng.random(n) < 0.87).astype(np.int8)))
        k = rng.choice([1, 2], n, p=[0.6, 0.4])
        for j in range(2):
            slots.append((REL["child"], np.minimum(rng.uniform(0, 18, n), a - 18), k > j, rnd))
    elif kind == "eight050":
        parent = 75 + rng.gamma(2.0, 4.0, n).clip(0, 25)
        child = (parent - rng.uniform(24, 36, n)).clip(40, 64)
        child_is_head = rng.random(n) < 0.4
        spouse = rng.random(n) < 0.45
        slots.append(
            (
                REL["head"],
                np.where(child_is_head, child, parent),
                ones,
                np.where(child_is_head, (rng.random(n) < 0.25).astype(np.int8), 0).astype(np.int8),
            )
        )
        # second slot: the other generation (relation depends on who heads)
        slots.append(
            (
                -1,
                np.where(child_is_head, parent, child),
                ones,
                np.where(child_is_head, 1, (rng.random(n) < 0.25).astype(np.int8)).astype(np.int8),
            )
        )
        slots.append(
            (-2, (parent - rng.normal(2, 2, n)).clip(70, 100), spouse, np.ones(n, np.int8))
        )
        # encode the head choice in the sex array of an impossible slot: handled by caller
        slots.append((-3, child_is_head.astype(float), np.zeros(n, dtype=bool), rnd))
    elif kind == "three_generation":
        a = _ages(rng, n, 30, 50)
        slots.append((REL["head"], a, ones, np.zeros(n, np.int8)))
        slots.append(
            (REL["spouse"], (a + rng.normal(-1, 3, n)).clip(25, 55), ones, np.ones(n, np.int8))
        )
        g = a + rng.uniform(25, 33, n)
        slots.append((REL["parent"], g, ones, (rng.random(n) < 0.6).astype(np.int8)))
        slots.append((REL["parent"], g - 2, rng.random(n) < 0.5, np.zeros(n, np.int8)))
        k = rng.choice([1, 2, 3], n, p=[0.35, 0.5, 0.15])
        for j in range(3):
            slots.append((REL["child"], np.minimum(rng.uniform(0, 18, n), a - 20), k > j, rnd))
    elif kind == "grandparent_grandchild":
        slots.append(
            (REL["head"], _ages(rng, n, 58, 80), ones, (rng.random(n) < 0.7).astype(np.int8))
        )
        k = rng.choice([1, 2], n, p=[0.7, 0.3])
        for j in range(2):
            slots.append((REL["grandchild"], rng.uniform(3, 18, n), k > j, rnd))
    elif kind == "siblings":
        a = _ages(rng, n, 40, 80)
        slots.append((REL["head"], a, ones, rnd))
        slots.append((REL["sibling"], (a + rng.normal(0, 4, n)).clip(35, 90), ones, rnd))
    elif kind == "other":
        a = _ages(rng, n, 20, 75)
        slots.append((REL["head"], a, ones, rnd))
        slots.append((REL["non_relative"], _ages(rng, n, 20, 75), ones, rnd))
    else:  # pragma: no cover - HH_TYPES is closed
        raise KeyError(kind)
    return slots


def _type_weights(share_65plus: float) -> np.ndarray:
    """Type weights with the elderly types scaled so the expected 65+ share matches."""
    base = np.array(list(HH_TYPES.values()))
    # expected persons and persons 65+ per household of each type (from _members)
    persons = np.array([1, 1, 2, 2, 3.7, 1.4 + 1, 2.45, 5.3, 2.3, 2, 2])
    old = np.array([0, 1, 2, 0, 0, 0, 1.45, 1.35, 0.35, 0.6, 0.15])
    elderly = np.array([name in _ELDERLY_TYPES for name in HH_TYPES])
    lo, hi = 0.05, 20.0
    for _ in range(60):
        f = (lo * hi) ** 0.5
        w = base * np.where(elderly, f, 1.0)
        share = (w * old).sum() / (w * persons).sum()
        lo, hi = (f, hi) if share < share_65plus else (lo, f)
    w = base * np.where(elderly, (lo * hi) ** 0.5, 1.0)
    return w / w.sum()


def _build(
    rng: np.random.Generator,
    types: np.ndarray,
    hh_ids: np.ndarray,
    month0: int,
    start_month: np.ndarray,
    first_pid: int,
) -> dict[str, np.ndarray]:
    """People for households ``hh_ids`` of ``types``, present from ``start_month``."""
    parts: list[dict[str, np.ndarray]] = []
    for name, t in TYPE_INDEX.items():
        sel = np.flatnonzero(types == t)
        if sel.size == 0:
            continue
        n = sel.size
        slots = _members(rng, name, n)
        child_head = np.zeros(n, dtype=bool)
        if name == "eight050":
            child_head = slots[-1][1].astype(bool)
            slots = slots[:-1]
        for rel, ages, present, sex in slots:
            if rel == -1:
                rel_arr = np.where(child_head, REL["parent"], REL["child"])
            elif rel == -2:
                rel_arr = np.where(child_head, REL["parent"], REL["spouse"])
            else:
                rel_arr = np.full(n, rel)
            idx = np.flatnonzero(present)
            s = np.where(sex[idx] < 0, rng.integers(0, 2, idx.size), sex[idx])
            age_months = (ages[idx] * 12).astype(np.int32)
            parts.append(
                {
                    "hh": hh_ids[sel[idx]],
                    "birth": month0 + start_month[sel[idx]] - age_months,
                    "sex": s.astype(np.int8),
                    "rel": rel_arr[idx].astype(np.int8),
                    "start": start_month[sel[idx]].astype(np.int32),
                }
            )
    out = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((out["rel"], out["hh"]))
    out = {k: v[order] for k, v in out.items()}
    out["pid"] = np.arange(first_pid, first_pid + out["hh"].size, dtype=np.int64)
    return out


def simulate_population(spec: SynthSpec, rng: np.random.Generator) -> Population:
    """Households at the start, then month by month: deaths, births, moves in and out,
    and adult children leaving to form their own household (世帯変更)."""
    months = spec.months
    month0 = spec.end_month.year * 12 + spec.end_month.month - 1 - (months - 1)
    weights = _type_weights(spec.share_65plus)
    n0 = spec.households
    types = rng.choice(len(HH_TYPES), n0, p=weights).astype(np.int8)
    n_d = len(spec.districts)
    district_w = rng.dirichlet(np.full(n_d, 8.0))
    hh_type = [types]
    hh_district = [rng.choice(n_d, n0, p=district_w).astype(np.int16)]
    # initial residents arrived years ago: start months spread back up to 30 years
    init_start = -rng.integers(1, 360, n0).astype(np.int32)
    people = _build(rng, types, np.arange(n0), month0, np.zeros(n0, np.int32), 0)
    # their period began long ago: move the start back, keeping the birth month
    people["start"] = np.maximum(init_start[people["hh"]], -(month0 - people["birth"]) + 0)
    people["start"] = np.minimum(people["start"], 0)
    n_people = people["pid"].size
    end = np.full(n_people, months, np.int32)
    reason = np.zeros(n_people, np.int8)
    extra: list[dict[str, np.ndarray]] = []
    next_hh = n0
    next_pid = n_people

    pid, hh, birth, sex, rel, start = (
        people[k] for k in ("pid", "hh", "birth", "sex", "rel", "start")
    )
    for m in range(1, months):
        alive = (start <= m) & (end > m)
        age = (month0 + m - birth) / 12.0
        # deaths (Gompertz-like annual rate)
        q = np.minimum(np.exp(-11.5 + 0.1 * age), 0.6) / 12.0
        die = alive & (rng.random(age.size) < q)
        end[die] = m
        reason[die] = END_DIED
        # whole households moving out (younger households move more)
        hh_alive = np.unique(hh[alive & ~die])
        movers = hh_alive[rng.random(hh_alive.size) < 0.0012]
        mv = alive & ~die & np.isin(hh, movers)
        end[mv] = m
        reason[mv] = END_MOVED
        # adult children leaving home (世帯変更): a new single household, same person
        leave = (
            alive
            & ~die
            & ~mv
            & (rel == REL["child"])
            & (age >= 20)
            & (age < 36)
            & (rng.random(age.size) < 0.004)
        )
        new_parts: list[dict[str, np.ndarray]] = []
        if leave.any():
            k = int(leave.sum())
            end[leave] = m
            reason[leave] = END_CHANGE
            new_hh = np.arange(next_hh, next_hh + k)
            next_hh += k
            hh_type.append(np.full(k, TYPE_INDEX["single_young"], np.int8))
            hh_district.append(
                np.where(
                    rng.random(k) < 0.7,
                    hh_district_of(hh_district, hh[leave]),
                    rng.choice(n_d, k, p=district_w),
                ).astype(np.int16)
            )
            new_parts.append(
                {
                    "pid": pid[leave],
                    "hh": new_hh,
                    "birth": birth[leave],
                    "sex": sex[leave],
                    "rel": np.full(k, REL["head"], np.int8),
                    "start": np.full(k, m, np.int32),
                }
            )
        # births into families with a young mother/head
        fam = (
            alive
            & ~die
            & ~mv
            & (rel == REL["head"])
            & (age < 44)
            & np.isin(
                hh_type_of(hh_type, hh), [TYPE_INDEX["couple_with_children"], TYPE_INDEX["couple"]]
            )
            & (rng.random(age.size) < 0.006)
        )
        if fam.any():
            k = int(fam.sum())
            new_parts.append(
                {
                    "pid": np.arange(next_pid, next_pid + k),
                    "hh": hh[fam],
                    "birth": np.full(k, month0 + m, np.int32),
                    "sex": rng.integers(0, 2, k).astype(np.int8),
                    "rel": np.full(k, REL["child"], np.int8),
                    "start": np.full(k, m, np.int32),
                }
            )
            next_pid += k
        # households moving in (転入), keeping the population roughly stable
        k_in = rng.binomial(n0, 0.0013)
        if k_in:
            t_in = rng.choice(len(HH_TYPES), k_in, p=weights).astype(np.int8)
            ids = np.arange(next_hh, next_hh + k_in)
            next_hh += k_in
            hh_type.append(t_in)
            hh_district.append(rng.choice(n_d, k_in, p=district_w).astype(np.int16))
            b = _build(rng, t_in, ids, month0, np.full(k_in, m, np.int32), next_pid)
            next_pid += b["pid"].size
            new_parts.append(b)
        if new_parts:
            add = {key: np.concatenate([p[key] for p in new_parts]) for key in new_parts[0]}
            extra.append(add)
            pid = np.concatenate([pid, add["pid"]])
            hh = np.concatenate([hh, add["hh"]])
            birth = np.concatenate([birth, add["birth"]])
            sex = np.concatenate([sex, add["sex"]])
            rel = np.concatenate([rel, add["rel"]])
            start = np.concatenate([start, add["start"]])
            end = np.concatenate([end, np.full(add["pid"].size, months, np.int32)])
            reason = np.concatenate([reason, np.zeros(add["pid"].size, np.int8)])

    all_types = np.concatenate(hh_type)
    n_hh = all_types.size
    foreign_hh = rng.random(n_hh) < spec.foreign_share
    return Population(
        pid=pid,
        hh=hh,
        birth=birth.astype(np.int32),
        sex=sex,
        rel=rel,
        start=start.astype(np.int32),
        end=end,
        end_reason=reason,
        foreign=foreign_hh[hh],
        hh_type=all_types,
        hh_district=np.concatenate(hh_district),
        months=months,
        month0=month0,
    )


def hh_district_of(parts: list[np.ndarray], idx: np.ndarray) -> np.ndarray:
    """District of households ``idx`` from the growing list of per-household arrays."""
    return np.concatenate(parts)[idx]


def hh_type_of(parts: list[np.ndarray], idx: np.ndarray) -> np.ndarray:
    """Type of households ``idx`` from the growing list of per-household arrays."""
    return np.concatenate(parts)[idx]
