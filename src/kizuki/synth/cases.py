"""Case records (支援記録): a delayed, partial and biased view of the latent needs.

In: latent states, whether the household uses care services (care managers refer),
foreign-resident flags, Generator. Out: a frame of referrals (hh, issue, m, confirmed,
route) and, per [issue, household], the month a need was first confirmed (-1 none).

- while a need is active, it is referred with a small monthly probability that is
  lower for isolated households (nobody sees them) and for foreign residents
  (language and access barriers), higher where care services are in use;
- some referrals are assessed and not confirmed (confirmed = false), and households
  without the need are sometimes referred too;
- a household is confirmed at most once per issue (it is then a known case).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from kizuki.contract.schema import ISSUES
from kizuki.synth.latent import Latent

#: monthly referral probability while the need is active
REFER = {
    "eight050": 0.022,
    "double_care": 0.03,
    "young_carer": 0.018,
    "elderly_isolation": 0.008,
    "financial_hardship": 0.03,
    "self_neglect": 0.02,
}
#: monthly probability of a referral without the need (assessed, not confirmed)
FALSE_REFER = 0.00012
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
    lat: Latent, uses_care: np.ndarray, foreign_hh: np.ndarray, rng: np.random.Generator
) -> tuple[pl.DataFrame, np.ndarray]:
    """Referrals and first-confirmation months (see module docstring)."""
    n_issues, H, M = lat.state.shape
    confirmed_month = np.full((n_issues, H), -1, np.int32)
    rows = []
    alive = lat.comp.n > 0
    for i, name in enumerate(ISSUES):
        vis = np.where(foreign_hh, 0.6, 1.0)[:, None] * np.where(uses_care, 1.5, 1.0)
        if name in ("elderly_isolation", "self_neglect"):
            vis = vis * 0.7
        done = np.zeros(H, bool)
        for m in range(M):
            active = lat.state[i, :, m] & ~done
            p = REFER[name] * vis[:, m]
            ref = active & (rng.random(H) < p)
            conf = ref & (rng.random(H) < 0.85)
            false_ref = ~lat.state[i, :, m] & alive[:, m] & ~done & (rng.random(H) < FALSE_REFER)
            idx = np.flatnonzero(ref | false_ref)
            if idx.size:
                rows.append(
                    pl.DataFrame(
                        {
                            "hh": idx,
                            "issue": np.full(idx.size, i, np.int8),
                            "m": np.full(idx.size, m, np.int32),
                            "confirmed": conf[idx],
                            "route": rng.choice(3, idx.size, p=ROUTE_P[name]).astype(np.int8),
                        }
                    )
                )
            confirmed_month[i, conf] = m
            done |= conf
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
