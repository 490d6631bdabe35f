"""Configuration: committed YAML files under ``configs/``, validated on load.

Each stage owns one file (``configs/<stage>.yaml``) and one pydantic model with a
``config_version``. Library code takes the validated model as an argument; only the
CLI decides which file to read. :func:`load_config` is the one door: it reads the
file, validates it and raises :class:`~kizuki.errors.ConfigError` with the file,
the field path and what was expected (quoting the offending fragment of the
config, which is ours, never a record's value).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from kizuki.errors import ConfigError

#: the repository's ``configs/`` folder (also shipped inside the wheel as package data)
CONFIG_DIR = Path(__file__).resolve().parents[3] / "configs"

M = TypeVar("M", bound=BaseModel)


class StrictModel(BaseModel):
    """Base for config sections: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def config_path(name: str, directory: Path | None = None) -> Path:
    """Path of ``configs/<name>.yaml`` (or inside ``directory`` when given)."""
    return (directory or CONFIG_DIR) / f"{name}.yaml"


def load_config(model: type[M], name: str, directory: Path | None = None) -> M:
    """Read ``configs/<name>.yaml`` and validate it into ``model``.

    In: the pydantic model class, the config name, an optional folder.
    Out: a validated, frozen instance. Raises ConfigError naming file and field.
    """
    path = config_path(name, directory)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from exc
    return validate_config(model, raw or {}, source=str(path))


def validate_config(model: type[M], raw: object, source: str = "<config>") -> M:
    """Validate an already-parsed mapping into ``model`` (ConfigError on failure)."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        got = json.dumps(first.get("input"), ensure_ascii=False, default=str)
        if len(got) > 80:
            got = got[:77] + "..."
        n = exc.error_count()
        more = f" (and {n - 1} more problem{'s' if n > 2 else ''})" if n > 1 else ""
        raise ConfigError(
            f"{source}: field '{where}': {first['msg']}; got {got}{more}"
        ) from exc


def config_hash(*models: BaseModel) -> str:
    """A short, stable hash of one or more validated configs (for manifests and MLflow)."""
    payload = json.dumps(
        [m.model_dump(mode="json") for m in models], sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
