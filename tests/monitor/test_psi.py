"""PSI and the bins frozen from the reference: hand-computed values, edges, missing and unseen bins."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from kizuki.monitor.bins import MISSING, UNSEEN, bin_counts, counts, encode_pair, fit, fit_bins
from kizuki.monitor.psi import psi, shares


def test_psi_matches_the_formula_by_hand() -> None:
    ref, cur = np.array([50, 30, 20]), np.array([40, 30, 30])
    r, c = np.array([0.5, 0.3, 0.2]), np.array([0.4, 0.3, 0.3])
    expected = float(((c - r) * np.log(c / r)).sum())
    assert psi(ref, cur, 1e-4) == pytest.approx(expected)
    assert psi(ref, ref, 1e-4) == 0.0
    assert psi(ref, cur, 1e-4) == pytest.approx(psi(cur, ref, 1e-4))  # symmetric


def test_an_empty_bin_uses_epsilon_and_stays_finite() -> None:
    ref, cur = np.array([100, 0]), np.array([90, 10])
    value = psi(ref, cur, 1e-4)
    expected = (0.9 - 1.0) * math.log(0.9) + (0.1 - 1e-4) * math.log(0.1 / 1e-4)
    assert value == pytest.approx(expected)
    assert np.isfinite(value)
    assert shares(np.array([0, 0]), 1e-4).tolist() == [1e-4, 1e-4]


def test_psi_broadcasts_over_leading_axes() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 50, (7, 5)), rng.integers(0, 50, (7, 5))
    many = psi(a, b, 1e-4)
    assert many.shape == (7,)
    assert many.tolist() == pytest.approx([psi(a[i], b[i], 1e-4) for i in range(7)])


def test_numeric_bins_are_reference_quantiles_with_a_missing_bin() -> None:
    ref = pl.Series("x", [float(i) for i in range(1, 101)] + [None] * 10)
    bins = fit_bins(ref, 4)
    assert bins.kind == "numeric" and bins.edges == (25.0, 50.0, 75.0)
    assert bin_counts(ref, bins).tolist() == [25, 25, 25, 25, 10]
    cur = pl.Series("x", [0.0, 30.0, 80.0, 1000.0, None, float("nan")])
    assert bin_counts(cur, bins).tolist() == [1, 1, 0, 2, 2]  # nulls and NaN are missing
    assert bins.labels(bin_counts(ref, bins)) == ["0–25%", "25–50%", "50–75%", "75–100%", MISSING]


def test_ties_merge_bins_so_a_flag_gets_two() -> None:
    ref = pl.Series("x", [0.0] * 90 + [1.0] * 10)
    bins = fit_bins(ref, 10)
    assert bins.edges == (0.0,)
    assert bin_counts(ref, bins).tolist() == [90, 10, 0]
    assert bins.labels(bin_counts(ref, bins)) == ["0–90%", "90–100%", MISSING]
    half = pl.Series("x", [0.0] * 50 + [1.0] * 50)
    bins = fit_bins(half, 10)
    assert bins.edges == (0.0, 1.0)
    assert bin_counts(half, bins).tolist() == [50, 50, 0, 0]
    assert bins.labels(bin_counts(half, bins))[2] == "above"  # nothing above the reference max


def test_categories_unseen_in_the_reference_have_their_own_bin() -> None:
    ref, cur = encode_pair(
        pl.Series(["jp", "jp", "foreign", None]), pl.Series(["jp", "other", None, "other"])
    )
    bins = fit(ref, 10)
    assert bins.categories == ("foreign", "jp")
    assert bins.labels() == ["foreign", "jp", MISSING, UNSEEN]
    assert counts(ref, bins).tolist() == [1, 2, 1, 0]
    assert counts(cur, bins).tolist() == [0, 1, 1, 2]
    # the name-mapping convenience path agrees
    assert bin_counts(
        pl.Series(["jp", "other", None, "other"]),
        fit_bins(pl.Series(["jp", "jp", "foreign", None]), 10),
    ).tolist() == [0, 1, 1, 2]


def test_booleans_are_categories() -> None:
    ref, cur = encode_pair(pl.Series([True, False, True]), pl.Series([True, None, True]))
    bins = fit(ref, 10)
    assert bins.categories == ("false", "true")
    assert counts(cur, bins).tolist() == [0, 2, 1, 0]


def test_bin_labels_never_hold_a_value_from_the_data() -> None:
    values = pl.Series("income", [123456.0, 234567.0, 345678.0, 456789.0] * 25)
    bins = fit_bins(values, 4)
    text = " ".join(bins.labels(bin_counts(values, bins)))
    for v in ("123456", "234567", "345678", "456789"):
        assert v not in text
