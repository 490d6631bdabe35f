"""IssueModels: faithful contributions, calibration, plain-file round trip, protected inputs,
scikit-learn's habits (constructor stores, fit learns ``*_``, NotFittedError before fit)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from kizuki.contract.schema import ISSUES
from kizuki.errors import ContractError, ModelNotFound, NotFittedError, ParameterError
from kizuki.features.registry import PROTECTED, REGISTRY, model_inputs
from kizuki.model import load_models, save_models
from kizuki.model.calibration import fit_calibrator
from kizuki.model.config import load_model_config
from kizuki.model.lgbm import IssueModels, TrainSet
from kizuki.tracking import load_model

from .conftest import FEATURES, fast_config


def test_contributions_sum_to_the_raw_output(fitted: tuple[IssueModels, pl.DataFrame]) -> None:
    model, frame = fitted
    for issue in ISSUES:
        contrib, base, names = model.contributions(frame, issue)
        assert names == FEATURES and contrib.shape == (frame.height, 3)
        np.testing.assert_allclose(
            contrib.sum(axis=1) + base, model.raw_score(frame, issue), atol=1e-9
        )
        # the planted signal is feature a
        assert np.abs(contrib[:, 0]).mean() > np.abs(contrib[:, 2]).mean()


def test_calibrated_probabilities_in_unit_interval_and_monotone_in_raw_score(
    fitted: tuple[IssueModels, pl.DataFrame],
) -> None:
    model, frame = fitted
    for issue in ISSUES:
        raw = model.raw_score(frame, issue)
        p = model.predict_issue(frame, issue)
        assert ((p >= 0) & (p <= 1)).all()
        order = np.argsort(raw, kind="stable")
        assert (np.diff(p[order]) >= -1e-12).all()
    assert model.calibrators_["eight050"].kind == "isotonic"  # 1000 rows, many positives


def test_platt_for_few_positives_and_a_constant_without_any() -> None:
    raw = np.array([-2.0, -1.0, 0.0, 1.0, 2.0] * 4)
    platt = fit_calibrator(raw, np.array([0, 0, 0, 1, 1] * 4), 60)
    assert platt.kind == "platt"
    grid = np.linspace(-5, 5, 50)
    assert (np.diff(platt(grid)) > 0).all() and platt(grid).min() > 0 and platt(grid).max() < 1
    none = fit_calibrator(raw, np.zeros(20), 60)
    assert none(grid).max() < 1e-3


def test_predict_proba_shape(fitted: tuple[IssueModels, pl.DataFrame]) -> None:
    model, frame = fitted
    s = model.predict_proba(frame)
    assert s.columns == ["household_id", "issue", "score"] and s.height == frame.height * len(
        ISSUES
    )
    assert s["score"].dtype == pl.Float64 and s["score"].is_between(0, 1).all()


def test_save_load_round_trip_gives_identical_predictions(
    fitted: tuple[IssueModels, pl.DataFrame], tmp_path: Path
) -> None:
    model, frame = fitted
    save_models(model, tmp_path / "m", meta={"as_of": "2026-03-31"})
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == sorted(
        ["model.json", *(f"model_{i}.txt" for i in ISSUES)]
    )
    doc = json.loads((tmp_path / "m" / "model.json").read_text(encoding="utf-8"))
    assert doc["features"] == FEATURES and doc["meta"]["as_of"] == "2026-03-31"
    for again in (load_models(tmp_path / "m"), load_model(str(tmp_path / "m"))):
        assert again.predict_proba(frame).equals(model.predict_proba(frame))
        for issue in ISSUES:
            np.testing.assert_array_equal(
                again.contributions(frame, issue)[0], model.contributions(frame, issue)[0]
            )
    assert load_model(str(tmp_path / "m")).version == "local:m"


def test_loading_a_folder_without_a_model_fails_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound):
        load_model(str(tmp_path))
    (tmp_path / "model.json").write_text('{"kind": "other"}', encoding="utf-8")
    with pytest.raises(ModelNotFound):
        load_models(tmp_path)


def test_unfitted_model_and_missing_features_are_refused(
    fitted: tuple[IssueModels, pl.DataFrame],
) -> None:
    with pytest.raises(NotFittedError):
        IssueModels(FEATURES, load_model_config()).raw_score(pl.DataFrame({"a": [1.0]}), "eight050")
    model, frame = fitted
    with pytest.raises(ContractError, match="lacks 1 model features"):
        model.predict_proba(frame.drop("c"))


def test_every_use_of_an_unfitted_model_raises_not_fitted_not_attribute_error(
    fitted: tuple[IssueModels, pl.DataFrame], tmp_path: Path
) -> None:
    # before: predict_issue and evaluation read calibrators_ first (AttributeError)
    _, frame = fitted
    unfitted = IssueModels(FEATURES, load_model_config())
    uses = [
        lambda: unfitted.predict_issue(frame, "eight050"),
        lambda: unfitted.predict_proba(frame),
        lambda: unfitted.contributions(frame, "eight050"),
        lambda: unfitted.raw_score(frame, "eight050"),
        lambda: save_models(unfitted, tmp_path / "never"),
    ]
    for use in uses:
        with pytest.raises(NotFittedError, match="IssueModels instance is not fitted yet"):
            use()
    assert not (tmp_path / "never").exists()


def test_the_constructor_only_stores_and_fit_learns_attributes_ending_in_underscore(
    fitted: tuple[IssueModels, pl.DataFrame],
) -> None:
    config = load_model_config()
    features = ("a", "b", "nationality")  # refused by fit, not by the constructor
    m = IssueModels(features, config, version="v", meta={"k": 1})
    assert vars(m) == {"features": features, "config": config, "version": "v", "meta": {"k": 1}}
    model, _ = fitted
    learnt = sorted(k for k in vars(model) if k.endswith("_"))
    assert learnt == ["boosters_", "calibrators_"]


def test_an_unknown_issue_is_a_parameter_error_in_the_one_shape(
    fitted: tuple[IssueModels, pl.DataFrame],
) -> None:
    model, frame = fitted
    with pytest.raises(
        ParameterError,
        match=r"^The 'issue' parameter must be one of the contract's issue codes; got 'eight_050'$",
    ):
        model.raw_score(frame, "eight_050")


def _tiny_sets(n_features: int) -> tuple[dict[str, TrainSet], dict[str, TrainSet]]:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, n_features))
    y = (X[:, 0] > 1).astype(float)
    return (
        {i: TrainSet(X[:200], y[:200]) for i in ISSUES},
        {i: TrainSet(X[200:], y[200:]) for i in ISSUES},
    )


@pytest.mark.parametrize("protected", PROTECTED)
def test_protected_attributes_never_enter_a_model(
    protected: str, fitted: tuple[IssueModels, pl.DataFrame], tmp_path: Path
) -> None:
    assert protected not in model_inputs()
    with pytest.raises(ContractError, match="protected"):
        IssueModels(["a", protected], fast_config()).fit(*_tiny_sets(2))
    # nor through a model folder whose document names one
    model, _ = fitted
    save_models(model, tmp_path / "m")
    doc = json.loads((tmp_path / "m" / "model.json").read_text(encoding="utf-8"))
    doc["features"] = ["a", protected, "c"]
    (tmp_path / "m" / "model.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ContractError, match="protected"):
        load_models(tmp_path / "m")


def test_model_inputs_are_the_registry_features_flagged_as_inputs() -> None:
    flagged = [f.name for f in REGISTRY if f.model_input]
    assert model_inputs() == [f for f in flagged if f not in PROTECTED]
    assert "nationality" in [f.name for f in REGISTRY]  # it exists (for audits) and stays out
