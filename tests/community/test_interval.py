"""The interval around an expected count, and the small-cell rules, on hand-made inputs."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from scipy.stats import binom, poisson

from kizuki.community.interval import (
    count_intervals,
    pmf_matrix,
    quantile_interval,
    total_interval,
)
from kizuki.community.suppress import suppress


def test_without_calibration_error_the_pmf_is_the_exact_binomial_for_equal_probabilities() -> None:
    pmf = pmf_matrix([np.full(200, 0.05)], 0.0)[0]
    k = np.arange(len(pmf))
    assert np.allclose(pmf, binom.pmf(k, 200, 0.05), atol=1e-12)


def test_the_plain_interval_is_the_central_quantile_pair() -> None:
    pmf = pmf_matrix([np.full(20000, 0.0005)], 0.0)  # nearly Poisson(10)
    lo, hi = quantile_interval(pmf, 0.90)
    assert (lo[0], hi[0]) == (poisson.ppf(0.05, 10), poisson.ppf(0.95, 10))


def test_the_nearest_interval_narrows_a_small_count_s_pair_towards_90_percent() -> None:
    k = np.arange(60)
    pmf = poisson.pmf(k, 3.5)[None, :]
    assert tuple(quantile_interval(pmf, 0.90)) == (1, 7)  # holds 94%
    lo, hi = quantile_interval(pmf, 0.90, nearest=True)
    assert (lo[0], hi[0]) == (1, 6)
    assert abs(poisson.cdf(6, 3.5) - poisson.cdf(0, 3.5) - 0.90) < 0.01
    # a large count keeps its pair (one count changes little)
    pmf = poisson.pmf(np.arange(400), 200.0)[None, :]
    lo, hi = quantile_interval(pmf, 0.90, nearest=True)
    assert (lo[0], hi[0]) in {
        (poisson.ppf(0.05, 200) + d, poisson.ppf(0.95, 200) - e) for d in (0, 1) for e in (0, 1)
    }


def test_count_intervals_returns_the_sum_and_the_nearest_interval() -> None:
    p = np.full(5000, 0.002)
    exp, lo, hi = count_intervals([p], 0.90, 0.0)
    assert exp[0] == np.sum(p)
    assert (lo[0], hi[0]) == tuple(
        x[0] for x in quantile_interval(pmf_matrix([p], 0.0), 0.90, nearest=True)
    )


def test_calibration_error_widens_the_interval_and_keeps_the_mean() -> None:
    p = np.random.default_rng(0).beta(1, 40, 3000)
    _, lo0, hi0 = count_intervals([p], 0.90, 0.0)
    _, lo1, hi1 = count_intervals([p], 0.90, 0.3)
    assert lo1[0] < lo0[0] and hi1[0] > hi0[0]
    pmf = pmf_matrix([p], 0.3)[0]
    mean = float((np.arange(len(pmf)) * pmf).sum())
    assert abs(mean - p.sum()) / p.sum() < 0.06  # E[s] = exp(c²/2) ≈ 1.046


def test_the_total_interval_agrees_with_the_exact_one_for_a_large_group() -> None:
    p = np.random.default_rng(1).beta(1, 30, 4000)
    _, lo, hi = count_intervals([p], 0.90, 0.2)
    _, tlo, thi = total_interval(p, 0.90, 0.2)
    assert abs(tlo - lo[0]) <= 2 and abs(thi - hi[0]) <= 2


def _table(known: list[int], cohort: list[int]) -> pl.DataFrame:
    n = len(known)
    rows = {
        "as_of": [dt.date(2026, 3, 31)] * (n + 1),
        "run": ["r"] * (n + 1),
        "district": [f"d{i}" for i in range(n)] + [None],
        "issue": ["eight050"] * (n + 1),
        "households": [c + k for c, k in zip(cohort, known, strict=True)]
        + [sum(cohort) + sum(known)],
        "cohort": [*cohort, sum(cohort)],
        "known": [*known, sum(known)],
    }
    frame = pl.DataFrame(rows)
    for c in ("signs", "realised", "truth_need", "truth_unknown"):
        frame = frame.with_columns(pl.col("known").alias(c))
    return frame


def test_a_count_under_ten_is_hidden_and_so_is_the_smallest_other_when_a_total_gives_it_away() -> (
    None
):
    t = suppress(_table([3, 40, 25, 60], [500, 600, 700, 800]), 10)
    shown = t["known_shown"].to_list()
    # d0 (3) is small; alone it could be recovered from the total, so d2 (25, smallest
    # shown) is hidden too; the total stays shown
    assert shown == [False, True, False, True, True]


def test_a_cell_with_a_small_cohort_shows_nothing() -> None:
    t = suppress(_table([20, 40], [6, 600]), 10)
    assert t["cell_shown"].to_list() == [False, True, True]
    assert not t["known_shown"][0] and not t["households_shown"][0]


def test_community_and_audit_use_the_same_small_cell_size() -> None:
    from kizuki.audit.config import load_audit_config
    from kizuki.community import load_community_config

    assert load_community_config().min_cell == load_audit_config().min_cell
