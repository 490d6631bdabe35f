"""Care certification (要介護認定) and disability certificates per person, over time.

In: the population and a Generator. Out: :class:`CareState` with, per person number,
the month of ltc onset (or none), the starting level and the months per level step,
and disability certificates. Each person draws a threshold ``u`` ~ U(0, 1) and is
certified from the age at which the certified share by age, :func:`ltc_rate`, passes
it. ``ltc_rate`` is piecewise linear through knots at the band edges, solved so that
its mean over each five-year band equals domain.md's 要介護認定 rate for that band
(65–69 2.9%, 70–74 5.5%, 75–79 12.5%, 80–84 27.2%, 85–89 49.0%, 90+ 73.1%, the last
taken over 90–94); below 65 it rises from 0 at 40 (介護保険 starts at 40).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kizuki.synth.population import Population

#: domain.md: 要介護認定 rate by five-year band, from 65–69 to 90+
BAND_RATES = (0.029, 0.055, 0.125, 0.272, 0.49, 0.731)
#: assumption: the curve's value at 65 (the 40–64 rate is about 0.4%) and at 64
RATE_AT_65 = 0.012
RATE_AT_64 = 0.004


def _knots() -> tuple[np.ndarray, np.ndarray]:
    """(ages, rates): a linear piece over a band averages its two end knots, so each
    next knot is 2 × band rate − the previous knot."""
    ages = [40.0, 64.0, 65.0]
    rates = [0.0, RATE_AT_64, RATE_AT_65]
    for band in BAND_RATES:
        ages.append(ages[-1] + 5)
        rates.append(2 * band - rates[-1])
    ages.append(110.0)
    rates.append(0.95)
    r = np.array(rates)
    if np.any(np.diff(r) <= 0):  # pragma: no cover - guards an edit of the figures above
        raise ValueError("ltc knots must rise with age")
    return np.array(ages), r


_AGES, _RATES = _knots()
#: canonical ltc levels by index (see schema.LTC_LEVELS): 1 = program, 2 = support1 …
#: 8 = care5; share of first certifications at each level
LTC_START_P = np.array([0, 0.03, 0.14, 0.14, 0.2, 0.16, 0.12, 0.11, 0.1])
NO_ONSET = 10**6


def ltc_rate(age_years: np.ndarray) -> np.ndarray:
    """Share of people certified at an age (see module docstring)."""
    return np.interp(age_years, _AGES, _RATES, left=0.0)


def onset_age(u: np.ndarray) -> np.ndarray:
    """Age at which ``ltc_rate`` first exceeds ``u`` (inf when it never does)."""
    return np.where(u < _RATES[-1], np.interp(u, _RATES, _AGES), np.inf)


@dataclass
class CareState:
    """Per person number (index = pid): ltc onset month, level path, disabilities."""

    onset: np.ndarray  # int32 month of first certification (NO_ONSET = never)
    level0: np.ndarray  # int8 starting level index
    step: np.ndarray  # int16 months per level increase
    phys: np.ndarray  # int8 physical certificate grade 1..6 (0 = none)
    phys_from: np.ndarray  # int32 month the physical certificate starts
    intel: np.ndarray  # int8 0 none, 1 A, 2 B
    intel_from: np.ndarray  # int32 month the intellectual certificate starts
    mental: np.ndarray  # int8 0 none, 1..3
    mental_from: np.ndarray  # int32

    def level(self, pids: np.ndarray, m: int) -> np.ndarray:
        """ltc level index of persons at month ``m`` (0 = not certified)."""
        on = self.onset[pids]
        lvl = self.level0[pids] + np.maximum(m - on, 0) // np.maximum(self.step[pids], 1)
        return np.where(on <= m, np.minimum(lvl, 8), 0).astype(np.int8)

    def needs(self, pids: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
        """(heavy, any) per person at month ``m``: *heavy* = needs heavy daily support
        (要介護3+, 身体1–2級, 療育A or 精神1級); *any* = certified care1+ or holding any
        disability certificate (certificates already started)."""
        lvl = self.level(pids, m)
        phys, phys_on = self.phys[pids], self.phys_from[pids] <= m
        intel, intel_on = self.intel[pids], self.intel_from[pids] <= m
        mental, mental_on = self.mental[pids], self.mental_from[pids] <= m
        heavy = (
            (lvl >= 6)
            | ((phys > 0) & (phys <= 2) & phys_on)
            | ((intel == 1) & intel_on)
            | ((mental == 1) & mental_on)
        )
        anyn = (
            (lvl >= 4)
            | ((phys > 0) & phys_on)
            | ((intel > 0) & intel_on)
            | ((mental > 0) & mental_on)
        )
        return heavy, anyn


def simulate_care(pop: Population, rng: np.random.Generator) -> CareState:
    """Draw every person's certification path (see module docstring)."""
    n = int(pop.pid.max()) + 1
    birth = np.zeros(n, np.int32)
    birth[pop.pid] = pop.birth
    # month index at which the person reaches their onset age (can lie years back)
    at = birth + np.ceil(onset_age(rng.random(n)) * 12) - pop.month0
    onset = np.where(np.isfinite(at), np.minimum(at, NO_ONSET), NO_ONSET).astype(np.int32)
    age0 = (pop.month0 - birth) / 12.0  # age at month 0 (negative for the unborn)
    level0 = rng.choice(9, n, p=LTC_START_P).astype(np.int8)
    step = rng.integers(10, 48, n).astype(np.int16)
    age_now = age0 + pop.months / 12.0
    p_phys = np.interp(age_now, [0, 20, 50, 65, 80, 110], [0.002, 0.006, 0.02, 0.04, 0.09, 0.11])
    phys = np.where(
        rng.random(n) < p_phys,
        rng.choice([1, 2, 3, 4, 5, 6], n, p=[0.25, 0.15, 0.2, 0.25, 0.08, 0.07]),
        0,
    )
    phys_from = rng.integers(-120, pop.months, n).astype(np.int32)
    intel = np.where(rng.random(n) < 0.008, rng.choice([1, 2], n, p=[0.4, 0.6]), 0)
    # 療育手帳 are issued in childhood (ages 1½–6)
    intel_from = (birth - pop.month0 + rng.integers(18, 72, n)).astype(np.int32)
    adult = (age_now >= 20) & (age_now < 70)
    mental = np.where(
        adult & (rng.random(n) < 0.016), rng.choice([1, 2, 3], n, p=[0.1, 0.6, 0.3]), 0
    )
    mental_from = rng.integers(-120, pop.months, n).astype(np.int32)
    return CareState(
        onset=onset,
        level0=level0,
        step=step,
        phys=phys.astype(np.int8),
        phys_from=phys_from,
        intel=intel.astype(np.int8),
        intel_from=intel_from,
        mental=mental.astype(np.int8),
        mental_from=mental_from,
    )
