"""The null distribution of PSI at the two runs' sample sizes: when is a PSI just noise?

Under "no change" both runs draw households from one distribution over the frozen
bins. Its best estimate is the pooled bin shares p₀ = (r + c) / (n_r + n_c). We draw
``draws`` pairs (R*, C*) with R* ~ Multinomial(n_r, p₀), C* ~ Multinomial(n_c, p₀) and
compute the same PSI (same bins, same ε) on each pair: that is the statistic's null
distribution at exactly these sample sizes — wide for a 960-household village, narrow
for a 1M-household city.

The far tail (a Bonferroni level such as 1 − 0.01/400 is beyond what 1,000 draws can
resolve) is extrapolated two ways and the larger (more cautious) value is used:

- a scaled chi-square a·χ²(ν) fitted to the draws' mean m and variance v (a = v / 2m,
  ν = 2m² / v; PSI is a Jeffreys divergence, asymptotically (1/n_r + 1/n_c)·χ²(bins − 1)
  under the null);
- an exponential tail above the draws' 95% quantile u (mean excess β):
  q(α) = u + β·ln(0.05 / α). Bins with few expected households make PSI's tail heavier
  than the chi-square (an empty bin costs a log of ε); this catches it.

The critical value is never below the simulated quantile itself.

Extrapolation is trusted only where the chi-square regime holds. When some bin expects
fewer than ``MIN_EXPECTED`` households in either run, the tail is dominated by rare
"bin left empty" events whose PSI (a log of ε) no smooth fit predicts; a test that would
alarm there is *confirmed* by a direct Monte-Carlo test at the Bonferroni level
(:func:`confirm`: up to ⌈2/α⌉ further draws, stopping at the first null PSI at least as
large as the observed one). So the decision is exact where the approximation is weak.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from kizuki.monitor.psi import psi

#: below this many expected households in a bin, a would-be alarm is confirmed by Monte Carlo
MIN_EXPECTED = 10.0
#: most draws a confirmation may take
MAX_CONFIRM_DRAWS = 1_000_000


@dataclass(frozen=True)
class NullFit:
    """Summary of the simulated null of one PSI test.

    ``draws`` holds the sorted simulated PSI values (kept for the empirical quantile).
    """

    observed: float
    mean: float
    var: float
    draws: np.ndarray
    min_expected: float = float("inf")

    @property
    def needs_confirmation(self) -> bool:
        """Whether some bin expects fewer than :data:`MIN_EXPECTED` households in a run."""
        return self.min_expected < MIN_EXPECTED

    @property
    def scale(self) -> float:
        """a of the fitted a·χ²(ν)."""
        return self.var / (2 * self.mean) if self.mean > 0 and self.var > 0 else 0.0

    @property
    def dof(self) -> float:
        """ν of the fitted a·χ²(ν)."""
        return 2 * self.mean**2 / self.var if self.mean > 0 and self.var > 0 else 0.0

    @property
    def p_monte_carlo(self) -> float:
        """(1 + #{null ≥ observed}) / (draws + 1)."""
        n = self.draws.size
        above = n - int(np.searchsorted(self.draws, self.observed - 1e-15, side="left"))
        return (1 + above) / (n + 1)

    def p_value(self) -> float:
        """Tail probability of the observed PSI under the null, on the same rule as
        :meth:`critical`: Monte-Carlo within the simulated range, else the larger of the
        two extrapolated tails."""
        n = self.draws.size
        if n == 0:
            return 1.0
        if self.scale == 0:
            return 1.0 if self.observed <= self.mean + 1e-12 else 0.0
        u = float(np.quantile(self.draws, 0.95))
        if self.observed <= u:
            return self.p_monte_carlo
        excess = self.draws[self.draws > u] - u
        beta = float(excess.mean()) if excess.size else 0.0
        tail = 0.05 * float(np.exp(-(self.observed - u) / beta)) if beta > 0 else 0.0
        chi = float(stats.chi2.sf(self.observed / self.scale, self.dof))
        return min(self.p_monte_carlo, max(tail, chi))

    def critical(self, alpha: float) -> float:
        """PSI beyond which the null is rejected at level ``alpha`` (see module docstring)."""
        n = self.draws.size
        if n == 0:
            return 0.0
        level = min(1 - alpha, 1 - 1 / n)
        empirical = float(np.quantile(self.draws, level))
        if self.scale == 0:
            return max(empirical, self.mean)
        fitted = float(self.scale * stats.chi2.isf(alpha, self.dof))
        return max(fitted, empirical, self._exponential_tail(alpha))

    def _exponential_tail(self, alpha: float, q: float = 0.95) -> float:
        if alpha >= 1 - q:
            return 0.0
        u = float(np.quantile(self.draws, q))
        excess = self.draws[self.draws > u] - u
        beta = float(excess.mean()) if excess.size else 0.0
        return u + beta * float(np.log((1 - q) / alpha))


def psi_null(
    reference: np.ndarray,
    current: np.ndarray,
    epsilon: float,
    draws: int,
    rng: np.random.Generator,
) -> NullFit:
    """Simulate the null distribution of PSI for one pair of bin-count vectors.

    In: reference and current counts (same bins), ε, the number of draws, a seeded
    generator. Out: :class:`NullFit` with the observed PSI and the null's summary.
    """
    reference = np.asarray(reference, dtype=np.int64)
    current = np.asarray(current, dtype=np.int64)
    observed = float(psi(reference, current, epsilon))
    n_r, n_c = int(reference.sum()), int(current.sum())
    pooled = (reference + current).astype(float)
    if n_r == 0 or n_c == 0 or pooled.sum() == 0:
        return NullFit(observed, 0.0, 0.0, np.zeros(0))
    p0 = pooled / pooled.sum()
    r_star = rng.multinomial(n_r, p0, size=draws)
    c_star = rng.multinomial(n_c, p0, size=draws)
    null = np.sort(np.asarray(psi(r_star, c_star, epsilon), dtype=float))
    used = p0[p0 > 0]
    min_expected = float(min(n_r, n_c) * used.min()) if used.size else float("inf")
    return NullFit(observed, float(null.mean()), float(null.var(ddof=1)), null, min_expected)


def confirm(
    reference: np.ndarray,
    current: np.ndarray,
    epsilon: float,
    alpha: float,
    rng: np.random.Generator,
    batch: int = 20_000,
) -> tuple[float, int]:
    """Monte-Carlo p-value of the observed PSI at the Bonferroni level ``alpha``.

    Draws null pairs in batches until ⌈2/α⌉ draws (capped at :data:`MAX_CONFIRM_DRAWS`)
    or until one null PSI reaches the observed one (then p ≥ α can no longer be ruled
    out cheaply and the test is not significant). Out: (p-value, draws used); with no
    exceedance p = 1 / (draws + 1) < α.
    """
    reference = np.asarray(reference, dtype=np.int64)
    current = np.asarray(current, dtype=np.int64)
    observed = float(psi(reference, current, epsilon))
    n_r, n_c = int(reference.sum()), int(current.sum())
    pooled = (reference + current).astype(float)
    p0 = pooled / pooled.sum()
    need = min(int(np.ceil(2 / alpha)), MAX_CONFIRM_DRAWS)
    done = 0
    while done < need:
        size = min(batch, need - done)
        null = np.asarray(
            psi(
                rng.multinomial(n_r, p0, size=size),
                rng.multinomial(n_c, p0, size=size),
                epsilon,
            )
        )
        done += size
        hits = int((null >= observed - 1e-15).sum())
        if hits:
            return (1 + hits) / (done + 1), done
    return 1 / (done + 1), done
