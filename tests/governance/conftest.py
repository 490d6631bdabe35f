"""Two versions trained on a small ashiya-shaped synthetic town, into a temporary store.

v1 is trained with the packaged configs (it becomes the champion); v2 with ``pu_alpha``
changed and the reason of ``explore_share`` reworded, so its card has something to say
about what changed since the previous champion.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kizuki.checklist import ChecklistConfig, load_checklist_config
from kizuki.features.config import FeatureConfig, load_feature_config
from kizuki.model.config import ModelConfig, load_model_config
from kizuki.shortlist import load_shortlist_config
from kizuki.synth.generate import generate
from kizuki.synth.presets import make_spec
from kizuki.synth.write import write_drop

AS_OF = dt.date(2026, 9, 30)
ENV = "KIZUKI_TRACKING_URI"


def fast_model_config(**changes: object) -> ModelConfig:
    """configs/model.yaml (reasons included) with few rounds and two training dates."""
    raw = load_model_config().model_dump(mode="json")
    raw["lightgbm"] |= {"max_rounds": 20, "early_stopping_rounds": 5}
    return ModelConfig.model_validate(raw | {"max_train_dates": 2} | changes)


@dataclass
class Trained:
    """The store, the drop, both train results and the configs of v2."""

    store: str
    drop: Path
    v1: object
    v2: object
    cfg2: ModelConfig
    features: FeatureConfig
    checklist: ChecklistConfig


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trained]:
    from kizuki.pipeline.train import run_train

    root = tmp_path_factory.mktemp("gov")
    drop = root / "drop"
    write_drop(generate(make_spec("ashiya", 1500, 36, 5)), drop, "parquet")
    store = f"sqlite:///{root / 'mlflow.db'}"
    old = os.environ.get(ENV)
    os.environ[ENV] = store
    try:
        feats, checklist = load_feature_config(), load_checklist_config()
        common = dict(
            feature_config=feats, checklist_config=checklist, shortlist_config=load_shortlist_config()
        )
        cfg1 = fast_model_config()
        v1 = run_train(drop, AS_OF, model_config=cfg1, **common)
        why = dict(cfg1.why) | {"explore_share": "reworded for the test. EN: reworded for the test."}
        cfg2 = fast_model_config(pu_alpha=0.7, why=why)
        v2 = run_train(drop, AS_OF, model_config=cfg2, **common)
    finally:
        if old is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = old
    yield Trained(store, drop, v1, v2, cfg2, feats, checklist)


@pytest.fixture
def store(trained: Trained, monkeypatch: pytest.MonkeyPatch) -> str:
    """The trained store as KIZUKI_TRACKING_URI for one test."""
    monkeypatch.setenv(ENV, trained.store)
    return trained.store
