"""shap earns its place: LightGBM's ``pred_contrib`` (the reasons' contributions) equals
shap's own Tree SHAP on the same model, and the global explanation written at train time
(mean |contribution| per 気づき item, shap's beeswarm per issue) is right and cheap."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from kizuki.contract.schema import ISSUES
from kizuki.explain.global_ import (
    ITEM_IMPORTANCE_SCHEMA,
    explain_issues,
    item_importance,
    sample_households,
    write_global_explanations,
)
from kizuki.features.build import build_features
from kizuki.features.config import load_feature_config
from kizuki.features.registry import REGISTRY, model_inputs
from kizuki.io.drop import load_drop
from kizuki.model.config import ModelConfig, load_model_config
from kizuki.model.lgbm import IssueModels, TrainSet, matrix
from kizuki.synth.generate import generate
from kizuki.synth.presets import make_spec
from kizuki.synth.write import write_drop

AS_OF = dt.date(2025, 9, 30)
ITEMS = {f.name: f.item for f in REGISTRY}


@pytest.fixture(scope="module")
def village_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[IssueModels, pl.DataFrame]:
    """IssueModels on the real model inputs of a synthetic village (960 households, real
    nulls), labelled by the generator's hidden need in the six months after AS_OF."""
    drop = generate(make_spec("uken", None, 30, 3))
    folder = tmp_path_factory.mktemp("village")
    write_drop(drop, folder, "parquet")
    X = build_features(load_drop(folder).tables, AS_OF, load_feature_config())
    raw = load_model_config().model_dump(mode="json")
    raw["lightgbm"] |= {"max_rounds": 60, "early_stopping_rounds": 10}
    features = model_inputs()
    M = matrix(X, features)
    cut = int(0.7 * len(M))
    latent = drop.truth["latent"].filter(
        pl.col("month").is_between(AS_OF + dt.timedelta(days=1), dt.date(2026, 3, 31))
    )
    train, calib = {}, {}
    for issue in ISSUES:
        ids = latent.filter(pl.col("issue") == issue)["household_id"].unique().implode()
        y = X["household_id"].is_in(ids).to_numpy().astype(np.float64)
        assert 0 < y.sum() < len(y)
        train[issue] = TrainSet(M[:cut], y[:cut], np.ones(cut))
        calib[issue] = TrainSet(M[cut:], y[cut:])
    model = IssueModels(features, ModelConfig.model_validate(raw)).fit(train, calib)
    return model, X


def test_pred_contrib_equals_shap_tree_explainer(
    village_model: tuple[IssueModels, pl.DataFrame],
) -> None:
    import shap

    model, X = village_model
    sample = sample_households(X, 200, seed=1)
    S = matrix(sample, model.features)
    assert np.isnan(S).any()  # missing-value branches are exercised
    for issue in ISSUES:
        contrib, base, _ = model.contributions(sample, issue)
        booster = model.boosters_[issue]
        explainer = shap.TreeExplainer(booster)
        # shap.TreeExplainer.shap_values hands a LightGBM booster back to LightGBM's own
        # pred_contrib, which would make this test compare a thing with itself. Interaction
        # values run shap's own Tree SHAP on shap's parse of the trees; each row of a
        # household's interaction matrix sums to that feature's SHAP value.
        interactions = explainer.shap_interaction_values(S)
        assert interactions.shape == (len(S), len(model.features), len(model.features))
        oracle = interactions.sum(axis=2)
        expected = float(np.asarray(explainer.expected_value).reshape(-1)[0])
        np.testing.assert_allclose(contrib, oracle, rtol=0, atol=1e-6)
        np.testing.assert_allclose(base, expected, rtol=0, atol=1e-6)
        np.testing.assert_allclose(
            oracle.sum(axis=1) + expected,
            booster.predict(S, raw_score=True),
            rtol=0,
            atol=1e-6,
        )
        assert np.abs(contrib).max() > 1e-3  # a model that learnt something


def test_item_importance_is_the_mean_abs_item_sum(
    village_model: tuple[IssueModels, pl.DataFrame],
) -> None:
    model, X = village_model
    sample = sample_households(X, 300, seed=2)
    assert sample.height == 300 and sample_households(X, 300, seed=2).equals(sample)
    assert sample_households(X, 10_000).height == X.height
    expl = explain_issues(model, sample)
    table = item_importance(expl, ITEMS)
    assert table.schema == ITEM_IMPORTANCE_SCHEMA
    assert table["issue"].unique(maintain_order=True).to_list() == list(ISSUES)
    # reference: per household, sum the features of each item by hand, then mean |.|
    issue = "elderly_isolation"
    e = expl[issue]
    items = sorted({ITEMS.get(f) or "_other" for f in e.features})
    mine = table.filter(pl.col("issue") == issue)
    for item in items:
        cols = [k for k, f in enumerate(e.features) if (ITEMS.get(f) or "_other") == item]
        expected = np.abs(e.values[:, cols].sum(axis=1)).mean()
        got = mine.filter(pl.col("item") == item)["mean_abs_contribution"].item()
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert mine["rank"].to_list() == list(range(1, len(items) + 1))
    assert (mine["mean_abs_contribution"].diff().drop_nulls() <= 0).all()
    assert mine["share"].sum() == pytest.approx(1.0)
    assert (mine["households"] == 300).all()


def test_write_global_explanations_is_fast_and_writes_every_artifact(
    village_model: tuple[IssueModels, pl.DataFrame], tmp_path: Path
) -> None:
    model, X = village_model
    big = pl.concat([X.with_columns(pl.col("household_id") + f"-{k}") for k in range(3)])
    t0 = time.process_time()  # CPU time: the shared test machines make wall time noisy
    folder = write_global_explanations(model, big, tmp_path / "explanations")
    seconds = time.process_time() - t0
    # measured: 4.4 s of CPU (1 s importing shap and matplotlib, 0.5 s per beeswarm)
    assert seconds < 15, f"global explanation took {seconds:.1f} s of CPU"
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(
        ["item_importance.csv", "item_importance.md", *(f"shap_beeswarm_{i}.png" for i in ISSUES)]
    )
    for issue in ISSUES:
        png = (folder / f"shap_beeswarm_{issue}.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 10_000
    table = pl.read_csv(folder / "item_importance.csv")
    assert (table["households"] == 2000).all()
    md = (folder / "item_importance.md").read_text(encoding="utf-8")
    assert "2,000 sampled households" in md and all(f"## {i}" in md for i in ISSUES)
    # both directions are counted: the card says a negative contribution makes it less likely
    assert "a negative one makes it less likely" in md and "not that it is a sign of need" in md
    assert not any(h in md for h in X["household_id"].head(50))  # aggregates only
