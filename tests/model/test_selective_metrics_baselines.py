"""Selective-label weights, exploration share, capacity metrics and the single-feature baseline."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import average_precision_score

from kizuki.model.baselines import best_single_feature
from kizuki.model.metrics import (
    at_capacity,
    average_precision,
    brier,
    reliability,
    top_per_district,
)
from kizuki.model.selective import explore_at_capacity, pu_weights, soft_targets


def test_pu_weights_discount_only_unlabelled_households_by_their_prior() -> None:
    label = np.array([1, 0, 0, 0, 0])
    assessed = np.array([0, 1, 0, 0, 0])
    prior = np.array([0.9, 0.9, 0.0, 0.5, np.nan])
    np.testing.assert_allclose(pu_weights(label, assessed, prior, 0.8), [1.0, 1.0, 1.0, 0.6, 1.0])
    np.testing.assert_allclose(pu_weights(label, assessed, prior, 0.0), np.ones(5))
    with pytest.raises(ValueError, match="alpha"):
        pu_weights(label, assessed, prior, 1.5)


def test_soft_targets_spread_the_pseudo_cases_over_flagged_unlabelled_households() -> None:
    label = np.array([1, 0, 0, 0, 0, 0])
    assessed = np.array([0, 1, 0, 0, 0, 0])
    prior = np.array([0.5, 1.0, 1.0, 0.5, 0.5, 0.0])
    t = soft_targets(label, assessed, prior, 1.0)
    np.testing.assert_allclose(t, [1.0, 0.0, 0.5, 0.25, 0.25, 0.0])
    assert t[2:].sum() == pytest.approx(1.0)  # one pseudo-case over the unlabelled
    np.testing.assert_allclose(soft_targets(label, assessed, prior, 0.0), [1, 0, 0, 0, 0, 0])
    assert soft_targets(label, assessed, prior, 1e9)[2] == 1.0  # never above 1


def _candidates() -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(3)
    n = 400
    frame = pl.DataFrame(
        {
            "district": rng.choice(["a", "b", "c"], n),
            "score": rng.random(n),
            "prior": rng.choice([0.0, 0.25, 0.5, 1.0], n),
        }
    )
    return frame, pl.DataFrame({"district": ["a", "b", "c"], "capacity": [10, 20, 0]})


def test_top_per_district_takes_each_districts_capacity_by_score() -> None:
    frame, cap = _candidates()
    mask = top_per_district(frame["district"], frame["score"].to_numpy(), cap)
    chosen = frame.filter(pl.Series(mask))
    assert chosen.group_by("district").len().sort("district").rows() == [("a", 10), ("b", 20)]
    for d, c in [("a", 10), ("b", 20)]:
        part = frame.filter(pl.col("district") == d)["score"].sort(descending=True)
        assert chosen.filter(pl.col("district") == d)["score"].min() == part[c - 1]


def test_exploration_keeps_capacity_and_swaps_the_tail_for_flagged_households() -> None:
    frame, cap = _candidates()
    plain = top_per_district(frame["district"], frame["score"].to_numpy(), cap)
    assert explore_at_capacity(frame, cap, 0.0).to_numpy().tolist() == plain.tolist()
    visited = explore_at_capacity(frame, cap, 0.2).to_numpy()
    got = frame.with_columns(v=visited, plain=plain)
    assert got.filter("v").group_by("district").len().sort("district").rows() == [
        ("a", 10),
        ("b", 20),
    ]
    swapped_in = got.filter(pl.col("v") & ~pl.col("plain"))
    assert swapped_in.height == 2 + 4  # round(0.2 * 10) + round(0.2 * 20)
    for d in ("a", "b"):
        unvisited = got.filter(~pl.col("v") & (pl.col("district") == d))["prior"].max()
        assert swapped_in.filter(pl.col("district") == d)["prior"].min() >= unvisited


def test_metrics_against_direct_computation() -> None:
    rng = np.random.default_rng(1)
    y = (rng.random(300) < 0.1).astype(float)
    s = rng.random(300) + y * 0.3
    assert average_precision(y, s) == pytest.approx(average_precision_score(y, s))
    assert average_precision(np.zeros(5), np.arange(5.0)) is None
    visited = s >= np.sort(s)[-30]
    p, r = at_capacity(y, visited)
    assert p == pytest.approx(y[visited].mean()) and r == pytest.approx(y[visited].sum() / y.sum())
    assert brier(y, np.full(300, 0.1)) == pytest.approx(np.mean((0.1 - y) ** 2))
    rel = reliability(y, s / 2)
    assert rel["n"].sum() == 300 and rel.height == 10
    assert (rel["mean_predicted"].diff().drop_nulls() >= 0).all()
    assert rel["observed"][-1] > rel["observed"][0]


def test_best_single_feature_finds_the_planted_feature_and_its_direction() -> None:
    rng = np.random.default_rng(2)
    n = 2000
    signal = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(-2 * signal - 3)))).astype(np.int8)
    noise = rng.normal(size=n)
    signal_with_nulls = np.where(rng.random(n) < 0.05, np.nan, signal)
    rows = pl.DataFrame({"label": y, "noise": noise, "signal": signal_with_nulls})
    best = best_single_feature(rows, ["noise", "signal"])
    assert best.feature == "signal" and best.sign == -1.0 and best.name == "single:-signal"
    s = best.score(rows)
    assert (
        np.isfinite(s).all()
        and s[np.isnan(signal_with_nulls)].max() < s[~np.isnan(signal_with_nulls)].min()
    )
