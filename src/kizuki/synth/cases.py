"""Case records (支援記録): a delayed, partial and biased view of the latent needs.

In: latent states, whether the household uses care services (care managers refer),
foreign-resident flags, Generator. Out: a frame of referrals (hh, issue, m, confirmed,
route) and, per [issue, household], the month a need was first confirmed (-1 none).

- while a need is active, it is referred with a small monthly probability that is
  lower for isolated households (nobody sees them) and for foreign residents
  (language and access barriers), higher where care services are in use;
- 15% of referrals of households with the need are not confirmed at assessment
  (confirmed = false: the need was there but not seen), and households that *look*
  at risk (eligible for the issue by their shape) but have no need are referred too,
  at ``FALSE_RATIO`` unconfirmed referrals per expected true referral;
- a household is confirmed at most once per issue (it is then a known case).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from kizuki.contract.schema import ISSUES
from kizuki.synth.latent import Eligibility, Latent
from kizuki.synth.population import Population

#: monthly referral probability while the need is active
REFER = {
    "eight050": 0.022,
    "double_care": 0.03,
    "young_carer": 0.018,
    "elderly_isolation": 0.008,
    "financial_hardship": 0.03,
    "self_neglect": 0.02,
}
#: unconfirmed referrals of households without the need, per true referral
FALSE_RATIO = 0.35
#: share of referrals of a household with the need that the assessment confirms
CONFIRM = 0.85
#: routes (indices into schema.ROUTE: consultation, referral, outreach) by issue
ROUTE_P = {
    "eight050": [0.45, 0.4, 0.15],
    "double_care": [0.6, 0.35, 0.05],
    "young_carer": [0.15, 0.8, 0.05],
    "elderly_isolation": [0.1, 0.5, 0.4],
    "financial_hardship": [0.65, 0.3, 0.05],
    "self_neglect": [0.1, 0.55, 0.35],
}


def simulate_cases(
    lat: Latent,
    pop: Population,
    uses_care: np.ndarray,
    foreign_hh: np.ndarray,
    rng: np.random.Generator,
) -> tuple[pl.DataFrame, np.ndarray]:
    """Referrals and first-confirmation months (see module docstring).

    In: ``uses_care[month, household]`` (a member uses care services), ``foreign_hh``
    per household. Out: (frame hh, issue, m, confirmed, route; ``confirmed_month
    [issue, household]``, -1 = never confirmed).
    """
    n_issues, M, H = lat.state.shape
    confirmed_month = np.full((n_issues, H), -1, np.int32)
    done = np.zeros((n_issues, H), bool)
    rows = []
    eligible = Eligibility(lat.comp, pop)
    access = np.where(foreign_hh, 0.6, 1.0).astype(np.float32)
    for m in range(M):
        looks = eligible(m)  # households that look at risk by their shape
        seen = access * np.where(uses_care[m], np.float32(1.5), np.float32(1))
        for i, name in enumerate(ISSUES):
            state = lat.state[i, m]
            active = np.flatnonzero(state & ~done[i])
            p = REFER[name] * seen[active]
            if name in ("elderly_isolation", "self_neglect"):
                p = p * 0.7  # nobody sees them
            ref = active[rng.random(active.size) < p]
            conf = ref[rng.random(ref.size) < CONFIRM]
            pool = np.flatnonzero((looks[name] > 0) & ~state & ~done[i])
            k = rng.binomial(pool.size, min(FALSE_RATIO * float(p.sum()) / max(pool.size, 1), 1))
            false_ref = np.unique(pool[rng.integers(0, pool.size, k)]) if k else pool[:0]
            idx = np.concatenate([ref, false_ref])
            if idx.size:
                rows.append(
                    pl.DataFrame(
                        {
                            "hh": idx.astype(np.int64),
                            "issue": np.full(idx.size, i, np.int8),
                            "m": np.full(idx.size, m, np.int32),
                            "confirmed": np.isin(idx, conf),
                            "route": rng.choice(3, idx.size, p=ROUTE_P[name]).astype(np.int8),
                        }
                    )
                )
            confirmed_month[i, conf] = m
            done[i, conf] = True
    frame = (
        pl.concat(rows)
        if rows
        else pl.DataFrame(
            schema={
                "hh": pl.Int64,
                "issue": pl.Int8,
                "m": pl.Int32,
                "confirmed": pl.Boolean,
                "route": pl.Int8,
            }
        )
    )
    return frame, confirmed_month
