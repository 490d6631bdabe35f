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

from kizuki.calendar import month_index
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
#: monthly probability that a household moves out (転出) as a whole; as many households
#: move in (転入) as ended in the month (moved out, or the last member died) on average,
#: so that the preset's household count holds at the end of the history
MOVE_OUT = 0.0012


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
    hh_type: np.ndarray  # int8 per household, TYPE_INDEX (its type when it was formed)
    hh_start: np.ndarray  # int32 per household: month it was formed or moved in (< 0: before)
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


#: one member slot for n households: (relation index per household, age in years,
#: present mask, sex 0 = M / 1 = F / -1 = random)
Slot = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _rel(n: int, name: str | np.ndarray) -> np.ndarray:
    if isinstance(name, str):
        return np.full(n, REL[name], np.int8)
    return name.astype(np.int8)


def _pick(mask: np.ndarray, yes: str, no: str) -> np.ndarray:
    return np.where(mask, REL[yes], REL[no]).astype(np.int8)


def _members(rng: np.random.Generator, kind: str, n: int) -> list[Slot]:
    """Member slots for ``n`` households of one type (see :data:`Slot`)."""
    ones = np.ones(n, dtype=bool)
    rnd = -np.ones(n, dtype=np.int8)
    male_head = (rng.random(n) < 0.8).astype(np.int8) ^ 1  # 0 = M for 80%
    female = np.ones(n, np.int8)
    male = np.zeros(n, np.int8)
    if kind == "single_young":
        return [(_rel(n, "head"), _ages(rng, n, 19, 64), ones, rnd)]
    if kind == "single_65plus":
        age = 65 + rng.gamma(2.2, 6.0, n).clip(0, 37)
        return [(_rel(n, "head"), age, ones, (rng.random(n) < 0.68).astype(np.int8))]
    if kind == "elderly_couple":
        a = 66 + rng.gamma(2.0, 5.5, n).clip(0, 32)
        b = (a - rng.normal(2, 2.5, n)).clip(60, 100)
        return [(_rel(n, "head"), a, ones, male), (_rel(n, "spouse"), b, ones, female)]
    if kind == "couple":
        a = _ages(rng, n, 24, 64)
        b = (a + rng.normal(-1, 3, n)).clip(20, 70)
        return [(_rel(n, "head"), a, ones, male_head), (_rel(n, "spouse"), b, ones, 1 - male_head)]
    if kind == "couple_with_children":
        a = _ages(rng, n, 27, 56)
        b = (a + rng.normal(-1, 3, n)).clip(22, 60)
        slots = [(_rel(n, "head"), a, ones, male_head), (_rel(n, "spouse"), b, ones, 1 - male_head)]
        k = rng.choice([1, 2, 3], n, p=[0.42, 0.45, 0.13])
        for j in range(3):
            age = np.minimum(rng.uniform(0, 26, n), a - 20).clip(0)
            slots.append((_rel(n, "child"), age, k > j, rnd))
        return slots
    if kind == "single_parent":
        a = _ages(rng, n, 25, 55)
        slots = [(_rel(n, "head"), a, ones, (rng.random(n) < 0.87).astype(np.int8))]
        k = rng.choice([1, 2], n, p=[0.6, 0.4])
        for j in range(2):
            slots.append((_rel(n, "child"), np.minimum(rng.uniform(0, 18, n), a - 18), k > j, rnd))
        return slots
    if kind == "eight050":
        # recorded either way round in 続柄: the parent heads (the child is 子), or the
        # middle-aged child heads (the parents are 父/母)
        parent = 75 + rng.gamma(2.0, 4.0, n).clip(0, 25)
        child = (parent - rng.uniform(24, 36, n)).clip(40, 64)
        child_heads = rng.random(n) < 0.4
        other_parent = rng.random(n) < 0.45
        child_sex = (rng.random(n) < 0.3).astype(np.int8)  # mostly sons
        return [
            (_pick(child_heads, "head", "child"), child, ones, child_sex),
            (_pick(child_heads, "parent", "head"), parent, ones, male),
            (
                _pick(child_heads, "parent", "spouse"),
                (parent - rng.normal(2, 2, n)).clip(70, 100),
                other_parent,
                female,
            ),
        ]
    if kind == "three_generation":
        # recorded either way round: the middle generation heads (its parents are 父/母,
        # or 妻の父/妻の母 for the spouse's parents), or the oldest heads (then the middle
        # generation are 子 and 子の妻/子の夫, and the children 孫)
        old_heads = rng.random(n) < 0.4
        in_law = ~old_heads & (rng.random(n) < 0.35)
        a = _ages(rng, n, 30, 50)
        g = a + rng.uniform(25, 33, n)
        g_sex = (rng.random(n) < 0.6).astype(np.int8)
        elder = _pick(in_law, "parent_in_law", "parent")
        slots = [
            (_pick(old_heads, "child", "head"), a, ones, male),
            (
                _pick(old_heads, "child_in_law", "spouse"),
                (a + rng.normal(-1, 3, n)).clip(25, 55),
                ones,
                female,
            ),
            (np.where(old_heads, REL["head"], elder).astype(np.int8), g, ones, g_sex),
            (
                np.where(old_heads, REL["spouse"], elder).astype(np.int8),
                g - 2,
                rng.random(n) < 0.5,
                1 - g_sex,
            ),
        ]
        k = rng.choice([1, 2, 3], n, p=[0.35, 0.5, 0.15])
        kid = _pick(old_heads, "grandchild", "child")
        for j in range(3):
            slots.append((kid, np.minimum(rng.uniform(0, 18, n), a - 20).clip(0), k > j, rnd))
        return slots
    if kind == "grandparent_grandchild":
        slots = [
            (_rel(n, "head"), _ages(rng, n, 58, 80), ones, (rng.random(n) < 0.7).astype(np.int8))
        ]
        k = rng.choice([1, 2], n, p=[0.7, 0.3])
        for j in range(2):
            slots.append((_rel(n, "grandchild"), rng.uniform(3, 18, n), k > j, rnd))
        return slots
    if kind == "siblings":
        a = _ages(rng, n, 40, 80)
        b = (a + rng.normal(0, 4, n)).clip(35, 90)
        return [(_rel(n, "head"), a, ones, rnd), (_rel(n, "sibling"), b, ones, rnd)]
    if kind == "other":
        # a head with a non-relative (同居人), another relative (その他の親族), or a
        # young head living with a grandparent (祖父/祖母)
        r = rng.random(n)
        gp = r >= 0.85
        second = np.where(r < 0.6, REL["non_relative"], REL["other_relative"])
        second = np.where(gp, REL["grandparent"], second).astype(np.int8)
        a = np.where(gp, _ages(rng, n, 20, 45), _ages(rng, n, 20, 75))
        b = np.where(gp, (a + rng.uniform(45, 55, n)).clip(65, 100), _ages(rng, n, 20, 75))
        return [(_rel(n, "head"), a, ones, rnd), (second, b, ones, rnd)]
    raise KeyError(kind)  # pragma: no cover - HH_TYPES is closed


def _type_profile() -> tuple[np.ndarray, np.ndarray]:
    """Expected members and members aged 65+ per household of each type (sampled once,
    with a fixed seed, from :func:`_members`)."""
    rng = np.random.default_rng(0)
    persons, old = [], []
    for name in HH_TYPES:
        slots = _members(rng, name, 4000)
        persons.append(sum(float(p.mean()) for _, _, p, _ in slots))
        old.append(sum(float((p & (a >= 65)).mean()) for _, a, p, _ in slots))
    return np.array(persons), np.array(old)


def _type_weights(share_65plus: float, people_per_household: float) -> np.ndarray:
    """Household-type weights: the base mix with the elderly types scaled by ``f`` (sets
    the share aged 65+) and the one-person types by ``g`` (sets people per household)."""
    base = np.array(list(HH_TYPES.values()))
    persons, old = _type_profile()
    elderly = np.array([name in _ELDERLY_TYPES for name in HH_TYPES])
    single = np.array([name in ("single_young", "single_65plus") for name in HH_TYPES])

    def weights(f: float, g: float) -> np.ndarray:
        return base * np.where(elderly, f, 1.0) * np.where(single, g, 1.0)

    def fit_f(g: float) -> float:
        lo, hi = 0.02, 50.0
        for _ in range(50):
            f = (lo * hi) ** 0.5
            w = weights(f, g)
            lo, hi = (f, hi) if (w * old).sum() / (w * persons).sum() < share_65plus else (lo, f)
        return (lo * hi) ** 0.5

    lo, hi = 0.05, 20.0
    for _ in range(40):
        g = (lo * hi) ** 0.5
        w = weights(fit_f(g), g)
        size = (w * persons).sum() / w.sum()
        lo, hi = (g, hi) if size > people_per_household else (lo, g)
    g = (lo * hi) ** 0.5
    w = weights(fit_f(g), g)
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
        for rel, ages, present, sex in _members(rng, name, sel.size):
            idx = np.flatnonzero(present)
            s = np.where(sex[idx] < 0, rng.integers(0, 2, idx.size), sex[idx])
            age_months = (ages[idx] * 12).astype(np.int32)
            parts.append(
                {
                    "hh": hh_ids[sel[idx]],
                    "birth": month0 + start_month[sel[idx]] - age_months,
                    "sex": s.astype(np.int8),
                    "rel": rel[idx].astype(np.int8),
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
    month0 = month_index(spec.end_month) - (months - 1)
    weights = _type_weights(spec.share_65plus, spec.people_per_household)
    n0 = spec.households
    types = rng.choice(len(HH_TYPES), n0, p=weights).astype(np.int8)
    n_d = len(spec.districts)
    district_w = rng.dirichlet(np.full(n_d, 8.0))
    hh_type = [types]
    # initial residents arrived years ago: start months spread back up to 30 years
    init_start = -rng.integers(1, 360, n0).astype(np.int32)
    hh_start = [init_start]
    hh_district = [rng.choice(n_d, n0, p=district_w).astype(np.int16)]
    people = _build(rng, types, np.arange(n0), month0, np.zeros(n0, np.int32), 0)
    # their period began long ago: move the start back, keeping the birth month
    people["start"] = np.maximum(init_start[people["hh"]], -(month0 - people["birth"]) + 0)
    people["start"] = np.minimum(people["start"], 0)
    n_people = people["pid"].size
    end = np.full(n_people, months, np.int32)
    reason = np.zeros(n_people, np.int8)
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
        stay = alive & ~die
        youngest = np.full(next_hh, 200.0)
        np.minimum.at(youngest, hh[stay], age[stay])
        p_out = MOVE_OUT * np.where(youngest < 40, 1.8, np.where(youngest < 65, 0.8, 0.3))
        mv = stay & (rng.random(next_hh) < p_out)[hh]
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
            hh_start.append(np.full(k, m, np.int32))
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
        before = np.bincount(hh[alive], minlength=next_hh) > 0
        after = np.bincount(hh[alive & ~die & ~mv & ~leave], minlength=next_hh) > 0
        k_in = int(rng.poisson((before & ~after).sum()))
        if k_in:
            t_in = rng.choice(len(HH_TYPES), k_in, p=weights).astype(np.int8)
            ids = np.arange(next_hh, next_hh + k_in)
            next_hh += k_in
            hh_type.append(t_in)
            hh_start.append(np.full(k_in, m, np.int32))
            hh_district.append(rng.choice(n_d, k_in, p=district_w).astype(np.int16))
            b = _build(rng, t_in, ids, month0, np.full(k_in, m, np.int32), next_pid)
            next_pid += b["pid"].size
            new_parts.append(b)
        if new_parts:
            add = {key: np.concatenate([p[key] for p in new_parts]) for key in new_parts[0]}
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
        hh_start=np.concatenate(hh_start),
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
