"""Configuration: YAML files shipped inside the package, overridable by a folder, validated on load.

Each stage owns one file (``<stage>.yaml``: audit, checklist, features, model,
monitor, report, shortlist, synth, validation) and one pydantic model with a
``config_version``. Library code takes the validated model, or a folder, as an
argument; only the CLI decides which folder to read and only the CLI reads the
environment. :func:`load_config` is the one door: it finds the file, reads it,
validates it and raises :class:`~kizuki.errors.ConfigError` with the file, the field
path and what was expected (quoting the offending fragment of the config, which is
ours, never a record's value).

Where ``<name>.yaml`` is read from (the first that has the file):

1. ``directory``, the loader's argument (a command's own ``--config-dir``);
2. the session folder the CLI set with :func:`using_config_dir`:
   ``kizuki --config-dir DIR <command>``, else the ``KIZUKI_CONFIG_DIR`` environment
   variable (an option beats the environment);
3. the packaged defaults, ``kizuki/configs/`` inside the installed package, read with
   :mod:`importlib.resources` (an installed wheel needs no repository).

So an override folder holds only the files a municipality changes: a file it lacks
falls back to the packaged default *for that file* (``kizuki config export DIR``
copies every default to start from). Fallback never hides a mistake: an override
folder must exist and be a readable folder, and every ``*.yaml`` / ``*.yml`` in it
must be named after a known config (a misspelt ``shortlst.yaml`` is refused, not
silently ignored). Those refusals, and a file that is unreadable, not YAML or
invalid, are :class:`~kizuki.errors.ConfigRefused` (contract §6: exit 3), one line.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from contextvars import ContextVar
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, model_validator

from kizuki.errors import ConfigError, ConfigRefused
from kizuki.io.files import read_text, read_yaml

#: the package folder that holds the default ``<name>.yaml`` files
PACKAGED = "configs"

M = TypeVar("M", bound=BaseModel)

_session_dir: ContextVar[Path | None] = ContextVar("kizuki_config_dir", default=None)


#: validation context key: settings listed in a section's ``_why_required`` need a ``why:``
REQUIRE_WHY = "require_why"
#: the key of a section's reasons (``why: {setting: text}``); never part of :func:`config_hash`
WHY = "why"


class StrictModel(BaseModel):
    """Base for config sections: unknown keys are errors, values are immutable.

    A section with consequential settings declares ``why: dict[str, str] = {}`` and lists
    those settings in ``_why_required``. Every ``why`` key must name a setting of the
    section; on load (:func:`load_config` validates with ``{REQUIRE_WHY: True}``) each
    listed setting that is set (not null) must carry a non-empty reason, else the file is
    refused naming the section and the setting. Built in code (tests, a model file's copy
    of its config) the reasons are optional.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    _why_required: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _check_why(self, info: ValidationInfo) -> Any:
        why = getattr(self, WHY, None)
        if not isinstance(why, dict):
            return self
        fields = type(self).model_fields
        stray = [k for k in why if k not in fields or k == WHY]
        if stray:
            raise ValueError(f"why: '{stray[0]}' names no setting of this section")
        if info.context and info.context.get(REQUIRE_WHY):
            missing = [
                k
                for k in self._why_required
                if getattr(self, k, None) is not None and not str(why.get(k) or "").strip()
            ]
            if missing:
                raise ValueError(
                    f"setting '{missing[0]}' has no why: text; give its reason as "
                    f"why: {{{missing[0]}: \"...\"}} next to it (required for: "
                    f"{', '.join(self._why_required)})"
                )
        return self


def packaged_dir() -> Traversable:
    """The packaged defaults folder (``kizuki/configs/`` of the installed package)."""
    return files("kizuki").joinpath(PACKAGED)


def config_names() -> tuple[str, ...]:
    """Names of the known configs (the packaged ``<name>.yaml`` files), sorted."""
    return tuple(
        sorted(
            p.name.removesuffix(".yaml")
            for p in packaged_dir().iterdir()
            if p.name.endswith(".yaml") and p.is_file()
        )
    )


def packaged_text(name: str) -> str:
    """The packaged default ``<name>.yaml`` as text (ConfigError for an unknown name)."""
    if name not in config_names():
        raise ConfigError(f"no packaged config named '{name}'; known: {', '.join(config_names())}")
    return read_text(packaged_dir().joinpath(f"{name}.yaml"))


def check_config_dir(directory: Path) -> Path:
    """Check an override folder; return it unchanged.

    In: a folder given by the operator. Raises ConfigRefused (one line) when it does not
    exist, is not a folder, cannot be listed, or holds a ``*.yaml`` / ``*.yml`` file not
    named after a known config.
    """
    if not directory.exists():
        raise ConfigRefused(f"config folder not found: {directory}")
    if not directory.is_dir():
        raise ConfigRefused(f"config folder is not a folder: {directory}")
    try:
        if not os.access(directory, os.R_OK | os.X_OK):
            raise PermissionError(directory)
        entries = sorted(p.name for p in directory.iterdir())
    except OSError as exc:
        raise ConfigRefused(
            f"config folder cannot be read: {directory} ({type(exc).__name__})"
        ) from exc
    known = config_names()
    stray = [
        e for e in entries if e.endswith((".yaml", ".yml")) and e.removesuffix(".yaml") not in known
    ]
    if stray:
        raise ConfigRefused(
            f"config folder {directory}: '{stray[0]}' is not a kizuki config "
            f"(known: {', '.join(f'{n}.yaml' for n in known)}); rename or move it"
        )
    return directory


@contextlib.contextmanager
def using_config_dir(directory: Path | None) -> Iterator[Path | None]:
    """Within the block, loaders without a ``directory`` argument read from ``directory``
    first (see the module docstring). ``None`` leaves the defaults alone. The CLI enters
    this for the whole command; the folder is checked first (:func:`check_config_dir`)."""
    checked = None if directory is None else check_config_dir(directory)
    token = _session_dir.set(checked)
    try:
        yield checked
    finally:
        _session_dir.reset(token)


def session_config_dir() -> Path | None:
    """The folder set by :func:`using_config_dir`, or None."""
    return _session_dir.get()


def config_path(name: str, directory: Path | None = None) -> Traversable:
    """Where ``<name>.yaml`` is read from: the first of ``directory``, the session folder
    and the packaged defaults that has it (a ``pathlib.Path`` for an override file).

    Raises ConfigRefused for an override folder that :func:`check_config_dir` refuses,
    ConfigError for a name that is neither overridden nor packaged.
    """
    for folder in (directory, session_config_dir()):
        if folder is None:
            continue
        candidate = check_config_dir(folder) / f"{name}.yaml"
        if candidate.exists():
            return candidate
    packaged = packaged_dir().joinpath(f"{name}.yaml")
    if not packaged.is_file():
        raise ConfigError(f"config file not found: {name}.yaml (not overridden, not packaged)")
    return packaged


def is_packaged(path: Traversable) -> bool:
    """Whether ``path`` (from :func:`config_path`) is a packaged default."""
    return not isinstance(path, Path) or path.parent == Path(str(packaged_dir()))


def load_config(model: type[M], name: str, directory: Path | None = None) -> M:
    """Find ``<name>.yaml`` (:func:`config_path`), read it and validate it into ``model``.

    In: the pydantic model class, the config name, an optional override folder.
    Out: a validated, frozen instance. Raises ConfigRefused naming file (and field).
    """
    path = config_path(name, directory)
    try:
        raw = read_yaml(path)
    except OSError as exc:
        raise ConfigRefused(f"config file cannot be read: {path} ({type(exc).__name__})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigRefused(f"config file {path} is not UTF-8 text") from exc
    except yaml.YAMLError as exc:
        raise ConfigRefused(f"config file {path} is not valid YAML: {exc}") from exc
    try:
        return validate_config(model, raw or {}, source=str(path), require_why=True)
    except ConfigError as exc:
        raise ConfigRefused(str(exc)) from exc.__cause__


def validate_config(
    model: type[M], raw: object, source: str = "<config>", *, require_why: bool = False
) -> M:
    """Validate an already-parsed mapping into ``model`` (ConfigError on failure);
    ``require_why``: refuse a consequential setting without its ``why:`` (as on load)."""
    try:
        return model.model_validate(raw, context={REQUIRE_WHY: require_why})
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


def without_why(value: Any) -> Any:
    """A config dump with every section's ``why`` mapping left out (recursively)."""
    if isinstance(value, dict):
        return {k: without_why(v) for k, v in value.items() if k != WHY or not isinstance(v, dict)}
    if isinstance(value, list):
        return [without_why(v) for v in value]
    return value


def config_hash(*models: BaseModel) -> str:
    """A short, stable hash of one or more validated configs (for manifests and MLflow).

    The ``why:`` reasons are not part of it: rewording a reason changes no result, so a
    run done before stays "already done"."""
    payload = json.dumps(
        [without_why(m.model_dump(mode="json")) for m in models], sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
