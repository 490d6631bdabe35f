"""Care certification (要介護認定) and disability certificates per person, over time.

In: the population and a Generator. Out: :class:`CareState` with, per person number,
the month of ltc onset (or none), the starting level and the months per level step,
and disability certificates. Levels follow the age curve of domain.md (65–69 2.9%,
70–74 5.5%, 75–79 12.5%, 80–84 27.2%, 85–89 49.0%, 90+ 73.1%): a person is certified
from the month the curve at their age passes their own threshold ``u``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kizuki.synth.population import Population

_AGES = np.array([0, 40, 64, 67, 72, 77, 82, 87, 92, 110], dtype=float)
_RATES = np.array([0.0, 0.001, 0.004, 0.029, 0.055, 0.125, 0.272, 0.49, 0.731, 0.9])
#: canonical ltc levels by index (see schema.LTC_LEVELS): 2 = support1 … 8 = care5
LTC_START_P = np.array([0, 0.03, 0.14, 0.14, 0.2, 0.16, 0.12, 0.11, 0.1])
NO_ONSET = 10**6


def ltc_rate(age_years: np.ndarray) -> np.ndarray:
    """Share of people certified at an age (piecewise linear in the domain figures)."""
    return np.interp(age_years, _AGES, _RATES)


@dataclass
class CareState:
    """Per person number (index = pid): ltc onset month, level path, disabilities."""

    onset: np.ndarray  # int32 month of first certification (NO_ONSET = never)
    level0: np.ndarray  # int8 starting level index
    step: np.ndarray  # int16 months per level increase
    phys: np.ndarray  # int8 physical certificate grade 1..6 (0 = none)
    phys_from: np.ndarray  # int32 month the physical certificate starts
    intel: np.ndarray  # int8 0 none, 1 A, 2 B
    mental: np.ndarray  # int8 0 none, 1..3
    mental_from: np.ndarray  # int32

    def level(self, pids: np.ndarray, m: int) -> np.ndarray:
        """ltc level index of persons at month ``m`` (0 = not certified)."""
        on = self.onset[pids]
        lvl = self.level0[pids] + np.maximum(m - on, 0) // np.maximum(self.step[pids], 1)
        return np.where(on <= m, np.minimum(lvl, 8), 0).astype(np.int8)

    def heavy_need(self, pids: np.ndarray, m: int) -> np.ndarray:
        """True when a person needs heavy daily support at ``m``: 要介護3+ , 身体1–2級,
        療育A, or 精神1級 (certificates already started)."""
        lvl = self.level(pids, m)
        return (
            (lvl >= 6)
            | ((self.phys[pids] > 0) & (self.phys[pids] <= 2) & (self.phys_from[pids] <= m))
            | (self.intel[pids] == 1)
            | ((self.mental[pids] == 1) & (self.mental_from[pids] <= m))
        )

    def any_need(self, pids: np.ndarray, m: int) -> np.ndarray:
        """True when a person is certified care1+ or holds any disability certificate at ``m``."""
        lvl = self.level(pids, m)
        return (
            (lvl >= 4)
            | ((self.phys[pids] > 0) & (self.phys_from[pids] <= m))
            | (self.intel[pids] > 0)
            | ((self.mental[pids] > 0) & (self.mental_from[pids] <= m))
        )


def simulate_care(pop: Population, rng: np.random.Generator) -> CareState:
    """Draw every person's certification path (see module docstring)."""
    n = int(pop.pid.max()) + 1
    birth = np.zeros(n, np.int32)
    birth[pop.pid] = pop.birth
    u = rng.random(n) * 0.97
    # first month at which the age curve passes u, searched on a yearly grid then refined
    age0 = (pop.month0 - birth) / 12.0  # age at month 0 (can be negative for the unborn)
    onset = np.full(n, NO_ONSET, np.int32)
    for m in range(-48, pop.months, 1):
        hit = (onset == NO_ONSET) & (ltc_rate(age0 + m / 12.0) > u)
        onset[hit] = m
    level0 = rng.choice(9, n, p=LTC_START_P).astype(np.int8)
    step = rng.integers(10, 48, n).astype(np.int16)
    age_now = age0 + pop.months / 12.0
    p_phys = np.interp(age_now, [0, 20, 50, 65, 80, 110], [0.002, 0.005, 0.015, 0.03, 0.07, 0.09])
    phys = np.where(
        rng.random(n) < p_phys,
        rng.choice([1, 2, 3, 4, 5, 6], n, p=[0.25, 0.15, 0.2, 0.25, 0.08, 0.07]),
        0,
    )
    phys_from = rng.integers(-120, pop.months, n).astype(np.int32)
    intel = np.where(rng.random(n) < 0.008, rng.choice([1, 2], n, p=[0.4, 0.6]), 0)
    adult = (age_now >= 20) & (age_now < 70)
    mental = np.where(
        adult & (rng.random(n) < 0.012), rng.choice([1, 2, 3], n, p=[0.1, 0.6, 0.3]), 0
    )
    mental_from = rng.integers(-120, pop.months, n).astype(np.int32)
    return CareState(
        onset=onset,
        level0=level0,
        step=step,
        phys=phys.astype(np.int8),
        phys_from=phys_from,
        intel=intel.astype(np.int8),
        mental=mental.astype(np.int8),
        mental_from=mental_from,
    )
