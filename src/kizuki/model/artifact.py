"""The model as plain files: no pickle, readable and diffable.

A model folder holds (files written and read by :mod:`kizuki.io.model_files`):

- ``model_<issue>.txt``: one LightGBM text model per issue (best iteration only);
- ``model.json``: ``kind``, ``format_version``, ``features`` (input order),
  ``calibrators`` (per issue: isotonic knots or Platt coefficients), ``config``
  (configs/model.yaml as trained), ``meta`` (training metadata: as-of dates, config
  hash, input file hashes, evaluation summary).

This module owns saving and loading :class:`~kizuki.model.lgbm.IssueModels`; the
estimator module does not import it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kizuki.contract.schema import ISSUES
from kizuki.errors import ModelNotFound
from kizuki.io.model_files import read_booster_texts, read_model_document, write_model_files
from kizuki.model.calibration import Calibrator
from kizuki.model.config import ModelConfig
from kizuki.model.fitted import check_is_fitted
from kizuki.model.lgbm import IssueModels, check_model_inputs, load_lightgbm

KIND = "kizuki.IssueModels"
FORMAT_VERSION = 1


def save_models(model: IssueModels, folder: Path, meta: Mapping[str, Any] | None = None) -> Path:
    """Write the fitted ``model`` into ``folder`` (created if needed); returns ``folder``.

    ``meta`` is added to the model's own ``meta`` (its keys win)."""
    check_is_fitted(model)
    doc = {
        "kind": KIND,
        "format_version": FORMAT_VERSION,
        "features": list(model.features),
        "issues": list(ISSUES),
        "calibrators": {i: model.calibrators_[i].to_dict() for i in ISSUES},
        "config": model.config.model_dump(mode="json"),
        "meta": {**(model.meta or {}), **(meta or {})},
    }
    boosters = {i: model.boosters_[i].model_to_string() for i in ISSUES}
    return write_model_files(folder, boosters, doc)


def load_models(folder: Path, version: str = "local") -> IssueModels:
    """Inverse of :func:`save_models`: the fitted :class:`IssueModels` in ``folder``, with
    ``version`` (ModelNotFound when the folder holds no complete kizuki model)."""
    doc = read_model_document(folder)
    if doc.get("kind") != KIND:
        raise ModelNotFound(
            f"model.json in '{Path(folder).name}' is not a kizuki model (kind {doc.get('kind')!r})"
        )
    texts = read_booster_texts(folder, ISSUES)
    check_model_inputs(doc["features"])
    lgb = load_lightgbm()
    model = IssueModels(
        doc["features"],
        ModelConfig.model_validate(doc["config"]),
        version=version,
        meta=dict(doc.get("meta", {})),
    )
    model.boosters_ = {i: lgb.Booster(model_str=texts[i]) for i in ISSUES}
    model.calibrators_ = {i: Calibrator.from_dict(doc["calibrators"][i]) for i in ISSUES}
    return model
