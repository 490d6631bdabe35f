"""The six issues as latent household states that start, persist and resolve monthly.

In: population, care state, Generator. Out: :class:`Latent`: a boolean array
``state[issue, household, month]``, the household's hidden vulnerability, and the
per-month household composition used to decide who is *eligible* for each issue.
Hazards are scaled by the vulnerability (which makes needs co-occur: 複合課題) and
by other active issues; a confirmed case (decided later, in ``cases``) raises the
resolution rate through ``resolve_boost``.
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
    """Per household × month counts (int16 arrays of shape (n_households, months))."""

    n: np.ndarray
    n65: np.ndarray
    n75: np.ndarray
    n40_64: np.ndarray
    n_pre: np.ndarray  # 0–5
    n_kid: np.ndarray  # 10–17
    n_school: np.ndarray  # 6–17
    heavy: np.ndarray  # members with heavy need
    able: np.ndarray  # adults 18–64 without any certified need


def composition(pop: Population, care: CareState) -> Composition:
    """Count members by age band and need for every household and month."""
    H, M = pop.n_households, pop.months
    out = {k: np.zeros((H, M), np.int16) for k in Composition.__dataclass_fields__}
    for m in range(M):
        p = pop.present(m)
        hh = pop.hh[p]
        age = pop.age_years(m)[p]
        pids = pop.pid[p]
        heavy = care.heavy_need(pids, m)
        anyn = care.any_need(pids, m)

        def count(mask: np.ndarray, hh: np.ndarray = hh) -> np.ndarray:
            return np.bincount(hh[mask], minlength=H).astype(np.int16)

        out["n"][:, m] = np.bincount(hh, minlength=H)
        out["n65"][:, m] = count(age >= 65)
        out["n75"][:, m] = count(age >= 75)
        out["n40_64"][:, m] = count((age >= 40) & (age < 65) & (pop.rel[p] != REL["spouse"]))
        out["n_pre"][:, m] = count(age < 6)
        out["n_kid"][:, m] = count((age >= 10) & (age < 18))
        out["n_school"][:, m] = count((age >= 6) & (age < 18))
        out["heavy"][:, m] = count(heavy)
        out["able"][:, m] = count((age >= 18) & (age < 65) & ~anyn)
    return Composition(**out)


@dataclass
class Latent:
    """Latent states ``state[issue, household, month]`` and the household vulnerability."""

    state: np.ndarray
    vulnerability: np.ndarray
    comp: Composition


#: monthly start hazard (for eligible households) and resolution rate per issue
START = {
    "eight050": 0.0035,
    "double_care": 0.03,
    "young_carer": 0.03,
    "elderly_isolation": 0.006,
    "financial_hardship": 0.0016,
    "self_neglect": 0.00015,
}
RESOLVE = {
    "eight050": 0.012,
    "double_care": 0.025,
    "young_carer": 0.025,
    "elderly_isolation": 0.02,
    "financial_hardship": 0.03,
    "self_neglect": 0.012,
}


def eligibility(c: Composition, pop: Population, m: int) -> dict[str, np.ndarray]:
    """Float weight (0 = cannot have the issue) per household at month ``m``."""
    n, n65, n75 = c.n[:, m], c.n65[:, m], c.n75[:, m]
    t = pop.hh_type
    alone65 = (n == 1) & (n65 == 1)
    shape8050 = (n75 >= 1) & (c.n40_64[:, m] >= 1) & (c.n_school[:, m] == 0) & (c.n_pre[:, m] == 0)
    double = (c.n_pre[:, m] > 0) & (c.heavy[:, m] > 0)
    double_hidden = (c.n_pre[:, m] > 0) & (c.heavy[:, m] == 0)  # caring for someone elsewhere
    kids = c.n_kid[:, m] > 0
    young = kids & (c.heavy[:, m] > 0) & (c.able[:, m] <= 1)
    young_soft = kids & (
        (c.heavy[:, m] > 0) | (c.able[:, m] == 0) | (t == TYPE_INDEX["single_parent"])
    )
    hard_w = np.ones(n.size)
    for name, w in (
        ("single_parent", 4.0),
        ("single_65plus", 1.8),
        ("eight050", 2.5),
        ("single_young", 1.3),
        ("grandparent_grandchild", 2.5),
        ("other", 1.5),
    ):
        hard_w[t == TYPE_INDEX[name]] = w
    return {
        "eight050": shape8050.astype(float),
        "double_care": double * 1.0 + double_hidden * 0.03,
        "young_carer": young * 1.0 + (young_soft & ~young) * 0.3,
        "elderly_isolation": alone65 * 1.0 + ((n == 2) & (n75 == 2)) * 0.08,
        "financial_hardship": (n > 0) * hard_w,
        "self_neglect": alone65 * 1.0 + ((n == 2) & (n65 == 2)) * 0.1,
    }


def simulate_latent(pop: Population, care: CareState, rng: np.random.Generator) -> Latent:
    """Run the monthly Markov chains for every issue and household."""
    c = composition(pop, care)
    H, M = pop.n_households, pop.months
    v = rng.normal(0, 1, H)
    state = np.zeros((len(ISSUES), H, M), dtype=bool)
    for m in range(M):
        el = eligibility(c, pop, m)
        for name, i in IX.items():
            e = el[name]
            hz = START[name] * e * np.exp(0.55 * v)
            if name == "financial_hardship":
                hz = hz * np.where(state[IX["eight050"], :, m - 1] if m else False, 2.5, 1.0)
            if name == "self_neglect":
                hz = hz * np.where(
                    state[IX["elderly_isolation"], :, m - 1] if m else False, 4.0, 1.0
                )
            if m == 0:
                p0 = hz / (hz + RESOLVE[name])
                state[i, :, 0] = rng.random(H) < p0
                continue
            prev = state[i, :, m - 1]
            stay = prev & (rng.random(H) >= RESOLVE[name]) & (e > 0)
            start = ~prev & (rng.random(H) < hz)
            state[i, :, m] = (stay | start) & (c.n[:, m] > 0)
    return Latent(state=state, vulnerability=v, comp=c)


def apply_case_effect(
    latent: Latent, confirmed_month: np.ndarray, rng: np.random.Generator
) -> None:
    """After a confirmed case (month per [issue, household], -1 = none), support helps:
    the need resolves with a further 6% chance each month after confirmation."""
    n_issues, H, M = latent.state.shape
    for i in range(n_issues):
        cm = confirmed_month[i]
        for m in range(1, M):
            helped = (cm >= 0) & (cm < m) & latent.state[i, :, m]
            end = helped & (rng.random(H) < 0.06)
            if end.any():
                latent.state[i, end, m:] = False
