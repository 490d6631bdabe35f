"""The six issues as latent household states that start, persist and resolve monthly.

In: population, care state, Generator. Out: :class:`Latent`: a boolean array
``state[issue, month, household]`` (month-major: one month is a contiguous row), the
household's hidden vulnerability, the per-month household composition used to decide
who is *eligible* for each issue, and which people aged 40–64 are withdrawn (ひきこもり; eight050 is withdrawal in the 8050
household shape). Hazards are scaled by the vulnerability (which makes needs
co-occur: 複合課題) and by other active issues; a confirmed case (decided later, in
``cases``) makes resolution likelier through :func:`apply_case_effect`.

Calibration (domain.md; measured by ``tests/synth/test_realism.py``): ひきこもり about
1.5–2% of people aged 40–64; pupils in young-carer households about 4–6%; ダブルケア
about 2.5% of households raising a preschool child. Self-neglect is kept near 0.2% of
households — far above the national estimate of 9,000–12,000 older people, which counts
only cases known to services — so that the issue can be evaluated at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kizuki.contract.schema import ISSUES
from kizuki.synth.care import CareState
from kizuki.synth.population import REL, TYPE_INDEX, Population

IX = {name: i for i, name in enumerate(ISSUES)}


@dataclass
class Composition:
    """Per month × household counts (int16 arrays of shape (months, n_households))."""

    n: np.ndarray
    n65: np.ndarray
    n75: np.ndarray
    n40_64: np.ndarray  # aged 40–64 and not a spouse (a son or daughter, or the head)
    n_pre: np.ndarray  # 0–5
    n_kid: np.ndarray  # 10–17
    n_school: np.ndarray  # 6–17
    heavy: np.ndarray  # members with heavy need
    able: np.ndarray  # adults 18–64 without any certified need


def composition(pop: Population, care: CareState) -> Composition:
    """Count members by age band and need for every month and household."""
    H, M = pop.n_households, pop.months
    out = {k: np.zeros((M, H), np.int16) for k in Composition.__dataclass_fields__}
    not_spouse = pop.rel != REL["spouse"]
    for m in range(M):
        p = np.flatnonzero(pop.present(m))
        hh = pop.hh[p]
        age = pop.age_years(m)[p]
        heavy, anyn = care.needs(pop.pid[p], m)

        def count(mask: np.ndarray, hh: np.ndarray = hh) -> np.ndarray:
            return np.bincount(hh[mask], minlength=H)

        out["n"][m] = np.bincount(hh, minlength=H)
        out["n65"][m] = count(age >= 65)
        out["n75"][m] = count(age >= 75)
        out["n40_64"][m] = count((age >= 40) & (age < 65) & not_spouse[p])
        out["n_pre"][m] = count(age < 6)
        out["n_kid"][m] = count((age >= 10) & (age < 18))
        out["n_school"][m] = count((age >= 6) & (age < 18))
        out["heavy"][m] = count(heavy)
        out["able"][m] = count((age >= 18) & (age < 65) & ~anyn)
    return Composition(**out)


@dataclass
class Latent:
    """Latent states ``state[issue, month, household]``, the household vulnerability, and
    ``withdrawn[month, person-period]``: a person aged 40–64 living withdrawn (ひきこもり)."""

    state: np.ndarray
    vulnerability: np.ndarray
    comp: Composition
    withdrawn: np.ndarray


#: monthly start hazard (for eligible households) and resolution rate per issue;
#: eight050 has no hazard of its own (it follows from withdrawal, below)
START = {
    "double_care": 0.03,
    "young_carer": 0.04,
    "elderly_isolation": 0.006,
    "financial_hardship": 0.0016,
    "self_neglect": 0.00015,
}
RESOLVE = {
    "double_care": 0.025,
    "young_carer": 0.025,
    "elderly_isolation": 0.02,
    "financial_hardship": 0.03,
    "self_neglect": 0.012,
}
#: ひきこもり at 40–64 (domain.md: 1.45% in 2019, 2.02% in 2022): monthly start hazard,
#: its multiple for a son or daughter living with a parent aged 75+ (the 8050 shape:
#: people withdrawn in mid-life mostly live with their parents), and resolution rate
WITHDRAW_START = 0.00009
WITHDRAW_WITH_PARENT = 30.0
WITHDRAW_RESOLVE = 0.012
#: isolation starts more often in the first year after an older person moves in
RECENT_MOVE_IN = 3.0
#: financial hardship weight by household type (at formation)
HARDSHIP_WEIGHT = {
    "single_parent": 4.0,
    "single_65plus": 1.8,
    "eight050": 2.5,
    "single_young": 1.3,
    "grandparent_grandchild": 2.5,
    "other": 1.5,
}


def shape8050(c: Composition, m: int) -> np.ndarray:
    """Per household at month ``m``: a member aged 75+ and a (non-spouse) member aged
    40–64, no children."""
    return (c.n75[m] >= 1) & (c.n40_64[m] >= 1) & (c.n_school[m] == 0) & (c.n_pre[m] == 0)


class Eligibility:
    """``Eligibility(c, pop)(m)``: per issue, a float32 weight per household at month
    ``m`` (0 = cannot have the issue; eight050: the 8050 shape itself)."""

    def __init__(self, c: Composition, pop: Population) -> None:
        self.c = c
        self.hh_start = pop.hh_start
        self.single_parent = pop.hh_type == TYPE_INDEX["single_parent"]
        w = np.ones(pop.n_households, np.float32)
        for name, weight in HARDSHIP_WEIGHT.items():
            w[pop.hh_type == TYPE_INDEX[name]] = weight
        self.hard_w = w

    def __call__(self, m: int) -> dict[str, np.ndarray]:
        """Weights for month ``m`` (see class docstring)."""
        c = self.c
        n, n65, n75, heavy = c.n[m], c.n65[m], c.n75[m], c.heavy[m] > 0
        alone65 = (n == 1) & (n65 == 1)
        pre = c.n_pre[m] > 0
        kids = c.n_kid[m] > 0
        young = kids & heavy & (c.able[m] <= 1)
        young_soft = kids & (heavy | (c.able[m] == 0) | self.single_parent) & ~young
        recent = (m - self.hh_start) < 12
        f32 = np.float32
        return {
            "eight050": shape8050(c, m).astype(f32),
            # double_hidden: caring for someone who lives elsewhere
            "double_care": (pre & heavy) + (pre & ~heavy) * f32(0.03),
            "young_carer": young + young_soft * f32(0.3),
            "elderly_isolation": (alone65 + ((n == 2) & (n75 == 2)) * f32(0.08))
            * np.where(recent, f32(RECENT_MOVE_IN), f32(1)),
            "financial_hardship": (n > 0) * self.hard_w,
            "self_neglect": alone65 + ((n == 2) & (n65 == 2)) * f32(0.1),
        }


def _withdrawal(
    pop: Population, c: Composition, v: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Withdrawn (ひきこもり) mask ``[month, person-period]`` (a monthly Markov chain)."""
    M = pop.months
    base = (
        WITHDRAW_START
        * np.exp(0.55 * v[pop.hh])
        * np.where(pop.sex == 0, 1.5, 0.5)  # 76.6% men (内閣府 2019)
    ).astype(np.float32)
    boost = np.float32(WITHDRAW_WITH_PARENT)
    role = pop.rel != REL["spouse"]
    out = np.zeros((M, pop.pid.size), dtype=bool)
    for m in range(M):
        age = pop.age_years(m)
        eligible = pop.present(m) & (age >= 40) & (age < 65)
        hz = base * np.where(shape8050(c, m)[pop.hh] & role, boost, np.float32(1))
        if m == 0:
            out[0] = eligible & (rng.random(age.size, np.float32) < hz / (hz + WITHDRAW_RESOLVE))
            continue
        stay = out[m - 1] & (rng.random(age.size, np.float32) >= WITHDRAW_RESOLVE)
        out[m] = eligible & (stay | (rng.random(age.size, np.float32) < hz))
    return out


def simulate_latent(pop: Population, care: CareState, rng: np.random.Generator) -> Latent:
    """Run the monthly Markov chains for every issue and household (see module docstring).

    eight050 is active while the household has the 8050 shape and its 40–64 son or
    daughter is withdrawn; withdrawal elsewhere (living alone, with a spouse) leaves the
    same traces in the records without being an 8050 case.
    """
    c = composition(pop, care)
    H, M = pop.n_households, pop.months
    v = rng.normal(0, 1, H)
    ev = np.exp(0.55 * v).astype(np.float32)
    withdrawn = _withdrawal(pop, c, v, rng)
    state = np.zeros((len(ISSUES), M, H), dtype=bool)
    role = pop.rel != REL["spouse"]
    eligible = Eligibility(c, pop)
    for m in range(M):
        el = eligible(m)
        n_withdrawn = np.bincount(pop.hh[withdrawn[m] & role], minlength=H)
        state[IX["eight050"], m] = (el["eight050"] > 0) & (n_withdrawn > 0)
        for name, rate in START.items():
            i = IX[name]
            e = el[name]
            hz = np.float32(rate) * e * ev
            if m and name == "financial_hardship":
                hz *= np.where(state[IX["eight050"], m - 1], np.float32(2.5), np.float32(1))
            if m and name == "self_neglect":
                hz *= np.where(state[IX["elderly_isolation"], m - 1], np.float32(4), np.float32(1))
            if m == 0:
                state[i, 0] = rng.random(H, np.float32) < hz / (hz + RESOLVE[name])
                continue
            prev = state[i, m - 1]
            stay = prev & (rng.random(H, np.float32) >= RESOLVE[name]) & (e > 0)
            start = ~prev & (rng.random(H, np.float32) < hz)
            state[i, m] = (stay | start) & (c.n[m] > 0)
    return Latent(state=state, vulnerability=v, comp=c, withdrawn=withdrawn)


def apply_case_effect(
    latent: Latent, confirmed_month: np.ndarray, rng: np.random.Generator
) -> None:
    """After a confirmed case (month per [issue, household], -1 = none), support helps:
    the need resolves with a further 6% chance each month after confirmation."""
    n_issues, M, H = latent.state.shape
    for i in range(n_issues):
        cm = confirmed_month[i]
        ended = np.zeros(H, bool)
        for m in range(1, M):
            helped = (cm >= 0) & (cm < m) & latent.state[i, m] & ~ended
            ended |= helped & (rng.random(H, np.float32) < 0.06)
            latent.state[i, m] &= ~ended
