"""Risk models: labels and cohorts, temporal training data, per-issue LightGBM with
calibration, baselines, selective-label handling, metrics and plain-file artifacts.

Loading a *registered* model (``models:/kizuki@champion``) is the tracking store's:
:func:`kizuki.tracking.load_model`.
"""

from __future__ import annotations

from kizuki.model.artifact import load_models, save_models
from kizuki.model.lgbm import IssueModels

__all__ = ["IssueModels", "load_models", "save_models"]
