"""The null of PSI at the runs' sample sizes: wide for a village, narrow for a city; tail checks."""

from __future__ import annotations

import numpy as np
import pytest

from kizuki.monitor.nulltest import confirm, psi_null
from kizuki.monitor.psi import psi

P = np.full(10, 0.1)


def _fit(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return psi_null(rng.multinomial(n, P), rng.multinomial(n, P), 1e-4, 1000, rng)


def test_the_critical_value_shrinks_with_sample_size() -> None:
    village, town, city = _fit(960), _fit(45_000), _fit(1_000_000)
    a = 1e-4
    assert village.critical(a) > town.critical(a) > city.critical(a)
    # PSI's null is about (1/n_r + 1/n_c)·χ²(bins − 1): the mean scales as 1/n
    assert village.mean == pytest.approx(9 * 2 / 960, rel=0.15)
    assert city.mean == pytest.approx(9 * 2 / 1_000_000, rel=0.15)
    # so a practical threshold of 0.1 decides in a city, the null test in a small village
    assert city.critical(a) < 0.001 and _fit(240).critical(a) > 0.1


@pytest.mark.parametrize("n", [240, 960, 20_000])
def test_extrapolated_tail_is_close_to_a_large_simulation(n: int) -> None:
    rng = np.random.default_rng(7)
    fit = _fit(n, seed=n)
    big = np.asarray(
        psi(rng.multinomial(n, P, size=100_000), rng.multinomial(n, P, size=100_000), 1e-4)
    )
    for alpha in (1e-3, 2e-4):
        truth = float(np.quantile(big, 1 - alpha))
        assert fit.critical(alpha) == pytest.approx(truth, rel=0.2), alpha


def test_p_value_is_small_for_a_real_shift_and_not_for_noise() -> None:
    rng = np.random.default_rng(1)
    ref = rng.multinomial(960, P)
    shifted = rng.multinomial(960, np.r_[np.full(5, 0.06), np.full(5, 0.14)])
    same = rng.multinomial(960, P)
    assert psi_null(ref, shifted, 1e-4, 1000, rng).p_value() < 1e-4
    assert psi_null(ref, same, 1e-4, 1000, rng).p_value() > 0.01


def test_confirmation_catches_a_heavy_tail_the_fit_would_miss() -> None:
    # a bin with ~6% of a small district, empty in the current run by chance
    ref, cur = np.array([143, 10, 17, 0]), np.array([173, 0, 7, 0])
    rng = np.random.default_rng(3)
    fit = psi_null(ref, cur, 1e-4, 1000, rng)
    assert fit.needs_confirmation  # few expected households per bin
    level = 0.01 / 200
    p, draws = confirm(ref, cur, 1e-4, level, rng)
    assert p >= level  # not significant at the Bonferroni level
    assert draws < int(np.ceil(2 / level))  # stopped early at the first exceedance


def test_confirmation_keeps_a_real_alarm() -> None:
    ref, cur = np.array([100, 100, 100, 0]), np.array([10, 90, 200, 0])
    rng = np.random.default_rng(4)
    level = 0.01 / 200
    p, draws = confirm(ref, cur, 1e-4, level, rng)
    assert p < level and draws == int(np.ceil(2 / level))


def test_degenerate_inputs() -> None:
    rng = np.random.default_rng(0)
    single = psi_null(np.array([50, 0]), np.array([60, 0]), 1e-4, 200, rng)
    assert single.observed == 0.0 and single.p_value() == 1.0
    empty = psi_null(np.array([0, 0]), np.array([5, 5]), 1e-4, 200, rng)
    assert empty.draws.size == 0 and empty.critical(0.01) == 0.0
