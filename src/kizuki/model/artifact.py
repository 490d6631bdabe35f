"""The model as plain files: no pickle, readable and diffable.

A model folder holds:

- ``model_<issue>.txt``: one LightGBM text model per issue (best iteration only);
- ``model.json``: ``kind``, ``format_version``, ``features`` (input order),
  ``calibrators`` (per issue: isotonic knots or Platt coefficients), ``config``
  (configs/model.yaml as trained), ``meta`` (training metadata: as-of dates, config
  hash, input file hashes, evaluation summary).

Every file is written atomically (:mod:`kizuki.io.atomic`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kizuki.contract.schema import ISSUES
from kizuki.errors import ModelNotFound
from kizuki.io.atomic import write_text

if TYPE_CHECKING:
    from kizuki.model.lgbm import IssueModels

KIND = "kizuki.IssueModels"
FORMAT_VERSION = 1


def save_models(model: IssueModels, folder: Path, meta: Mapping[str, Any] | None = None) -> Path:
    """Write ``model`` into ``folder`` (created if needed); returns ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for issue in ISSUES:
        write_text(folder / f"model_{issue}.txt", model.boosters_[issue].model_to_string())
    doc = {
        "kind": KIND,
        "format_version": FORMAT_VERSION,
        "features": list(model.features),
        "issues": list(ISSUES),
        "calibrators": {i: model.calibrators_[i].to_dict() for i in ISSUES},
        "config": model.config.model_dump(mode="json"),
        "meta": dict(meta or {}),
    }
    write_text(folder / "model.json", json.dumps(doc, ensure_ascii=False, indent=2, default=str))
    return folder


def read_manifest(folder: Path) -> dict[str, Any]:
    """The parsed ``model.json`` of a model folder (ModelNotFound when absent or foreign)."""
    path = Path(folder) / "model.json"
    if not path.is_file():
        raise ModelNotFound(f"no kizuki model in folder '{Path(folder).name}' (model.json missing)")
    doc = json.loads(path.read_text(encoding="utf-8"))
    if doc.get("kind") != KIND:
        raise ModelNotFound(
            f"model.json in '{Path(folder).name}' is not a kizuki model (kind {doc.get('kind')!r})"
        )
    missing = [i for i in ISSUES if not (Path(folder) / f"model_{i}.txt").is_file()]
    if missing:
        raise ModelNotFound(
            f"kizuki model folder '{Path(folder).name}' lacks {len(missing)} issue models"
        )
    return doc


def load_models(folder: Path, version: str = "local") -> IssueModels:
    """Inverse of :func:`save_models`: the fitted :class:`IssueModels` in ``folder``."""
    import lightgbm as lgb

    from kizuki.model.calibration import Calibrator
    from kizuki.model.config import ModelConfig
    from kizuki.model.lgbm import IssueModels

    doc = read_manifest(folder)
    model = IssueModels(doc["features"], ModelConfig.model_validate(doc["config"]), version=version)
    model.boosters_ = {
        i: lgb.Booster(model_str=(Path(folder) / f"model_{i}.txt").read_text(encoding="utf-8"))
        for i in ISSUES
    }
    model.calibrators_ = {i: Calibrator.from_dict(doc["calibrators"][i]) for i in ISSUES}
    model.meta = dict(doc.get("meta", {}))
    return model
