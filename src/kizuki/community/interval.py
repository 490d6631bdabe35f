"""The interval around an expected count of new cases: Poisson-binomial, widened for
calibration error.

A cell (district × issue) holds households with calibrated probabilities p_1 … p_n of a
confirmed case within the horizon. If the probabilities were exactly right and the
households independent, the number of new cases X would follow the Poisson-binomial
law: mean Σp, variance Σp(1−p). Measured on synthetic histories, the realised counts
fall outside that law's 90% interval more often than 10% of the time (15.2% of 1,008
cells of four histories; more than half of one history's 生活困窮 cells), because the
model's calibration is off by a factor shared by every household of an issue (the calibration date lies months before
the run). So the interval mixes the
Poisson-binomial law over a common scale factor s of the probabilities, log s ~
N(0, c²) (``calibration_error`` c, in configs/community.yaml): X | s ~ PB(min(1, s·p)).
The mixture is taken over Gauss–Hermite nodes of log s. The interval [lo, hi] is the
pair of quantiles (lo the smallest count with P(X ≤ lo) > α/2, hi the smallest with
P(X ≤ hi) ≥ 1 − α/2), or that pair narrowed by one count at either end when that brings
its probability nearer 1 − α (:func:`quantile_interval` with ``nearest``): the plain
pair over-covers small counts (Poisson(3.5): [1, 7] holds 94%), which would hide the
calibration error at the district level while the municipality's totals, where counts
are large, showed it.

:func:`count_intervals` does every cell of a run at once (the recursion runs over the
households of the largest cell, vectorised over cells and nodes).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Gauss–Hermite nodes used for the calibration mixture (probabilists' form)
NODES = 9


def _support(p: np.ndarray, c: float) -> int:
    """Counts 0…K cover the mixture's mass (mean + 12 sd + 12, with the largest scale)."""
    scale = float(np.exp(3.5 * c)) if c > 0 else 1.0
    q = np.minimum(1.0, p * scale)
    mu, var = float(q.sum()), float((q * (1 - q)).sum())
    return int(np.ceil(mu + 12 * np.sqrt(var) + 12))


def pmf_matrix(probs: Sequence[np.ndarray], calibration_error: float = 0.0) -> np.ndarray:
    """P(X = k) for each cell: shape (cells, K + 1), K large enough for every cell.

    In: one array of probabilities per cell (values in [0, 1]); the calibration error c
    (0: the plain Poisson-binomial law). Out: the mixed distribution of each cell.
    """
    cells = len(probs)
    if cells == 0:
        return np.zeros((0, 1))
    c = float(calibration_error)
    if c > 0:
        x, w = np.polynomial.hermite_e.hermegauss(NODES)
        scales, weights = np.exp(c * x), w / w.sum()
    else:
        scales, weights = np.ones(1), np.ones(1)
    K = max(_support(np.asarray(p, dtype=float), c) for p in probs)
    n = max((len(p) for p in probs), default=0)
    # (nodes × cells) rows, households as columns, padded with p = 0 (changes nothing)
    P = np.zeros((cells, n))
    for j, p in enumerate(probs):
        P[j, : len(p)] = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
    Q = np.minimum(1.0, scales[:, None, None] * P[None, :, :]).reshape(-1, n)
    pmf = np.zeros((Q.shape[0], K + 1))
    pmf[:, 0] = 1.0
    for col in range(n):
        q = Q[:, col : col + 1]
        pmf[:, 1:] = pmf[:, 1:] * (1 - q) + pmf[:, :-1] * q
        pmf[:, :1] *= 1 - q
    mixed = (weights[:, None, None] * pmf.reshape(len(scales), cells, K + 1)).sum(axis=0)
    return mixed / mixed.sum(axis=1, keepdims=True)


def quantile_interval(
    pmf: np.ndarray, level: float, nearest: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi) per row of a pmf matrix: the central ``level`` interval of counts.

    Plain: the quantile pair, lo the smallest count with P(X ≤ lo) > α/2 and hi the
    smallest with P(X ≤ hi) ≥ 1 − α/2 (at least ``level`` of the mass, often much more
    for small counts: Poisson(3.5) gives [1, 7], 94%). ``nearest``: of that pair and the
    pairs one count narrower at either end, the one whose mass is nearest ``level``
    (the wider on a tie), so that small cells are not systematically over-covered.
    """
    a = (1 - level) / 2
    cdf = np.cumsum(pmf, axis=1)
    lo = (cdf <= a).sum(axis=1)
    hi = (cdf < 1 - a - 1e-12).sum(axis=1)
    if not nearest:
        return lo.astype(np.int64), hi.astype(np.int64)
    rows = np.arange(pmf.shape[0])

    def mass(lo_: np.ndarray, hi_: np.ndarray) -> np.ndarray:
        below = np.where(lo_ > 0, cdf[rows, np.maximum(lo_ - 1, 0)], 0.0)
        return cdf[rows, hi_] - below

    best_lo, best_hi = lo.copy(), hi.copy()
    best = np.abs(mass(lo, hi) - level)
    for dlo, dhi in ((1, 0), (0, 1), (1, 1)):
        lo_, hi_ = lo + dlo, hi - dhi
        ok = lo_ <= hi_
        gap = np.where(ok, np.abs(mass(np.minimum(lo_, hi), np.maximum(hi_, lo)) - level), np.inf)
        better = gap < best - 1e-12
        best_lo, best_hi = np.where(better, lo_, best_lo), np.where(better, hi_, best_hi)
        best = np.where(better, gap, best)
    return best_lo.astype(np.int64), best_hi.astype(np.int64)


def count_intervals(
    probs: Sequence[np.ndarray], level: float, calibration_error: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(expected, lo, hi) per cell: Σp, and the ``level`` interval of the count of cases.

    In: one array of calibrated probabilities per cell, the level (e.g. 0.90), the
    calibration error c (see the module docstring). Out: three arrays, one value per cell.
    """
    expected = np.array([float(np.sum(p)) for p in probs])
    lo, hi = quantile_interval(pmf_matrix(probs, calibration_error), level, nearest=True)
    return expected, lo, hi


def total_interval(p: np.ndarray, level: float, calibration_error: float) -> tuple[float, int, int]:
    """(expected, lo, hi) for a large group (a whole municipality): the same mixture as
    :func:`pmf_matrix`, each Poisson-binomial component replaced by its normal
    approximation with a continuity correction (exact enough for counts in the hundreds,
    and independent of the number of households)."""
    from scipy.stats import norm

    p = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
    c = float(calibration_error)
    if c > 0:
        x, w = np.polynomial.hermite_e.hermegauss(NODES)
        scales, weights = np.exp(c * x), w / w.sum()
    else:
        scales, weights = np.ones(1), np.ones(1)
    mus, sds = [], []
    for s in scales:
        q = np.minimum(1.0, s * p)
        mus.append(q.sum())
        sds.append(max(np.sqrt((q * (1 - q)).sum()), 1e-9))
    mu_arr, sd_arr = np.array(mus), np.array(sds)
    K = int(np.ceil(mu_arr.max() + 12 * sd_arr.max() + 12))
    k = np.arange(K + 1)
    cdf = (weights[:, None] * norm.cdf((k[None, :] + 0.5 - mu_arr[:, None]) / sd_arr[:, None])).sum(
        0
    )
    pmf = np.diff(np.concatenate([[0.0], cdf]))[None, :]
    lo, hi = quantile_interval(pmf, level, nearest=True)
    return float(p.sum()), int(lo[0]), int(hi[0])
