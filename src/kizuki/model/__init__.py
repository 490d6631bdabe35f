"""Risk models: labels and cohorts, temporal training data, per-issue LightGBM with
calibration, baselines, selective-label handling, metrics and plain-file artifacts."""

from __future__ import annotations

from kizuki.model.lgbm import IssueModels


def load_model(uri: str | None = None) -> IssueModels:
    """Load a model from a registry URI (``models:/kizuki@champion``, ``models:/kizuki/3``),
    a local model folder, or (None) the registered champion. The version is set from the
    registry (``local:<folder>`` for a folder)."""
    from kizuki import tracking

    folder, version = tracking.download_model(uri)
    return IssueModels.load(folder, version=version)


__all__ = ["IssueModels", "load_model"]
