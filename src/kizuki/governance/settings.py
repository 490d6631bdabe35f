"""The design decisions with their reasons: every configured setting that carries a ``why:``.

A section of a config (``configs/<name>.yaml``) lists its consequential settings in its
model's ``_why_required`` and gives each a reason in a ``why:`` mapping beside it (see
:class:`kizuki.config.StrictModel`). This module walks the validated configs and lists,
per reason, the file, the key path, the value and the reason (:class:`Setting`), and
compares two snapshots of the configs (this version's against the previous champion's,
:func:`changes`).

A reason is written ``"日本語。 EN: English."``; :func:`reason` gives the part of one
language (the whole text when it has no ``EN:`` part).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kizuki.config import WHY, config_names, config_path, load_config, without_why
from kizuki.errors import ConfigError
from kizuki.io.files import read_yaml

#: config name -> (module, model class) of the configs whose models this package knows
MODELS: dict[str, tuple[str, str]] = {
    "audit": ("kizuki.audit.config", "AuditConfig"),
    "checklist": ("kizuki.checklist.items", "ChecklistConfig"),
    "community": ("kizuki.community.config", "CommunityConfig"),
    "features": ("kizuki.features.config", "FeatureConfig"),
    "model": ("kizuki.model.config", "ModelConfig"),
    "monitor": ("kizuki.monitor.config", "MonitorConfig"),
    "report": ("kizuki.report.config", "ReportConfig"),
    "shortlist": ("kizuki.shortlist.config", "ShortlistConfig"),
    "synth": ("kizuki.synth.presets", "SynthConfig"),
    "validation": ("kizuki.config.validation", "ValidationConfig"),
}

#: where a reason's English part starts
EN_MARK = " EN: "


@dataclass(frozen=True)
class Setting:
    """One consequential setting: ``file`` (``shortlist.yaml``), ``key``
    (``capacity.default.share``), ``value`` (JSON-ready) and ``why`` (its reason)."""

    file: str
    key: str
    value: Any
    why: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


@dataclass(frozen=True)
class Change:
    """A difference between two config snapshots: ``kind`` is ``value`` (the value
    changed), ``why`` (only its reason changed), ``added`` or ``removed``."""

    file: str
    key: str
    kind: str
    before: Any
    after: Any

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


def reason(text: str, lang: str) -> str:
    """The ``lang`` part of a reason written ``"日本語。 EN: English."``."""
    if EN_MARK.strip() not in text:
        return text.strip()
    ja, _, en = text.partition(EN_MARK.strip())
    return (en if lang == "en" else ja).strip()


def _model_class(name: str) -> type[BaseModel] | None:
    spec = MODELS.get(name)
    if spec is None:
        return None
    try:
        cls = getattr(importlib.import_module(spec[0]), spec[1])
    except (ImportError, AttributeError):
        return None
    return cls if isinstance(cls, type) and issubclass(cls, BaseModel) else None


def load_snapshot(
    given: Mapping[str, BaseModel | None] | None = None, directory: Path | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Every known config as JSON (``name -> dump``, reasons included) and notes.

    In: configs already validated by the caller (they win over the files: the ones a
    model was trained with), an optional override folder (else the session's / packaged
    files, :func:`kizuki.config.config_path`). A config the package has no model for
    (a stage added later) is read as plain YAML. A file that cannot be loaded is left
    out with a note naming it (never a value). Out: (snapshot, notes).
    """
    given = dict(given or {})
    snapshot: dict[str, Any] = {}
    notes: list[str] = []
    for name in config_names():
        model = given.get(name)
        try:
            if model is not None:
                snapshot[name] = model.model_dump(mode="json")
                continue
            cls = _model_class(name)
            if cls is not None:
                snapshot[name] = load_config(cls, name, directory).model_dump(mode="json")
            else:
                snapshot[name] = read_yaml(config_path(name, directory)) or {}
        except (ConfigError, OSError) as exc:
            notes.append(f"{name}.yaml not read: {str(exc)[:200]}")
    return snapshot, notes


def _walk(value: Any, path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(path of the mapping, mapping) for every mapping that holds a ``why``."""
    if isinstance(value, Mapping):
        if isinstance(value.get(WHY), Mapping):
            yield path, value
        for k, v in value.items():
            if k != WHY:
                yield from _walk(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}[{i}]")


def settings(snapshot: Mapping[str, Any]) -> list[Setting]:
    """Every setting that carries a reason, per config file in name order, then in the
    file's order. In: a snapshot (:func:`load_snapshot`). Out: :class:`Setting` s."""
    out: list[Setting] = []
    for name in sorted(snapshot):
        for path, mapping in _walk(snapshot[name], ""):
            for key, text in mapping[WHY].items():
                out.append(
                    Setting(
                        file=f"{name}.yaml",
                        key=f"{path}.{key}" if path else str(key),
                        value=mapping.get(key),
                        why=str(text),
                    )
                )
    return out


def _flat(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping) and value:
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flat(v, f"{path}.{k}" if path else str(k)))
        return out
    return {path: value}


def changes(current: Mapping[str, Any], previous: Mapping[str, Any] | None) -> list[Change]:
    """What changed from ``previous`` to ``current`` (two snapshots): every setting whose
    value changed (reasons aside), was added or removed, then every reason that changed
    with its value kept. ``previous`` None: nothing to compare (empty list)."""
    if previous is None:
        return []
    out: list[Change] = []
    for name in sorted(set(current) | set(previous)):
        if name not in previous:  # a config the previous version did not record: not a change
            continue
        now = _flat(without_why(current.get(name, {})))
        before = _flat(without_why(previous.get(name, {})))
        for key in sorted(set(now) | set(before)):
            if key not in before:
                out.append(Change(f"{name}.yaml", key, "added", None, now[key]))
            elif key not in now:
                out.append(Change(f"{name}.yaml", key, "removed", before[key], None))
            elif json.dumps(now[key], sort_keys=True) != json.dumps(before[key], sort_keys=True):
                out.append(Change(f"{name}.yaml", key, "value", before[key], now[key]))
    old = {(s.file, s.key): s.why for s in settings(previous)}
    valued = {(c.file, c.key) for c in out}
    for s in settings(current):
        if (s.file, s.key) in old and old[(s.file, s.key)] != s.why and (s.file, s.key) not in valued:
            out.append(Change(s.file, s.key, "why", old[(s.file, s.key)], s.why))
    return out


def shown(value: Any, limit: int = 400) -> str:
    """A setting's value as one short line of text (lists joined, long values cut)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        text = ", ".join(shown(v, limit) for v in value)
    elif isinstance(value, (dict,)):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
