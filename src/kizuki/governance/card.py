"""The model card of one registered version (contract §10): its data, as JSON, gathered once.

:func:`build_card` takes what training knows (dates, evaluation beside the baselines,
reliability, the drop's tables and their declared basis, the features, the global
explanation per 気づき item with its shap summary plots, the configs with their reasons
and what changed since the previous champion) and returns one JSON-ready mapping, the
``model_card.json``. Everything a reader sees in ``model_card.html`` / ``.md`` is
rendered from that mapping (:mod:`kizuki.governance.pages`), in Japanese or English, so
the card can be rendered again later (``kizuki model card URI``) without the drop.

Only aggregates and file hashes are kept: no household's values, no household IDs.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from kizuki import __version__
from kizuki.governance.settings import Change, Setting, changes, settings

#: the card's own format version (``card_version`` in model_card.json)
CARD_VERSION = 1

#: where, relative to a scoring-run folder, the audit of that run's list is written
AUDIT_PAGE = "audit/audit.html"


def _rows(frame: pl.DataFrame | None) -> list[dict[str, Any]]:
    return [] if frame is None else [dict(r) for r in frame.iter_rows(named=True)]


def table_records(sources: Mapping[str, Any], declaration: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Per table read: file, sha256, rows read/kept/rejected, knowledge-date range and its
    declared source, purpose and legal basis (``undeclared`` when drop.yaml has none).

    In: the drop's table reports (:attr:`kizuki.io.drop.LoadedDrop.sources`: objects with
    ``file``, ``sha256``, ``rows_read`` …) and its declaration record
    (:attr:`kizuki.io.drop.LoadedDrop.declaration`, or None)."""
    declared = (declaration or {}).get("tables") or {}
    out = []
    for name, t in sources.items():
        basis = declared.get(name, "undeclared")
        entry = basis if isinstance(basis, Mapping) else {}
        out.append(
            {
                "table": name,
                "file": getattr(t, "file", None),
                "sha256": getattr(t, "sha256", None),
                "rows_read": getattr(t, "rows_read", None),
                "rows_kept": getattr(t, "rows_kept", None),
                "rows_rejected": getattr(t, "rows_rejected", None),
                "known_from": getattr(t, "known_from", None),
                "known_to": getattr(t, "known_to", None),
                "declared": isinstance(basis, Mapping),
                "source": entry.get("source"),
                "purpose": entry.get("purpose"),
                "legal_basis": entry.get("legal_basis"),
            }
        )
    return out


def feature_records(specs: Sequence[Any], used: Sequence[str]) -> list[dict[str, Any]]:
    """The model's inputs in input order: name, 気づき item, window, tables read, description
    (ja, en). In: feature specs (:func:`kizuki.features.registry.feature_specs`), the
    model's feature names."""
    by_name = {f.name: f for f in specs}
    out = []
    for name in used:
        f = by_name.get(name)
        out.append(
            {
                "name": name,
                "item": None if f is None else f.item,
                "window": None if f is None else f.window,
                "tables": [] if f is None else sorted({t for t, _ in f.sources}),
                "description_ja": None if f is None else f.description_ja,
                "description_en": None if f is None else f.description_en,
            }
        )
    return out


def item_texts(checklist: Any) -> dict[str, dict[str, Any]]:
    """Per 気づき item id: its group, texts (ja, en) and whether it is a blind spot (no
    record shows it). In: a :class:`kizuki.checklist.ChecklistConfig`."""
    groups = {k: {"ja": g.ja, "en": g.en} for k, g in checklist.groups.items()}
    return {
        it.id: {
            "group": it.group,
            "group_ja": groups.get(it.group, {}).get("ja", it.group),
            "group_en": groups.get(it.group, {}).get("en", it.group),
            "ja": it.ja,
            "en": it.en,
            "blind_spot": bool(it.blind_spot),
        }
        for it in checklist.items
    }


def build_card(
    *,
    version: str,
    uri: str | None,
    run_id: str | None,
    as_of: str,
    horizon_months: int,
    dates: Mapping[str, Sequence[str]],
    training_cases: Mapping[str, int] | None,
    evaluation: pl.DataFrame,
    reliability: Mapping[str, pl.DataFrame],
    tables: Sequence[Mapping[str, Any]],
    declaration: Mapping[str, Any] | None,
    missing_tables: Mapping[str, str] | Sequence[str],
    features: Sequence[Mapping[str, Any]],
    items: Mapping[str, Mapping[str, Any]],
    importance: pl.DataFrame,
    plots: Mapping[str, bytes],
    snapshot: Mapping[str, Any],
    previous: Mapping[str, Any] | None = None,
    previous_version: str | None = None,
    config_hash: str | None = None,
    champion: Mapping[str, Any] | None = None,
    notes: Sequence[str] = (),
) -> dict[str, Any]:
    """The model card of one version as a JSON-ready mapping (``model_card.json``).

    In: the version and its registry URI and run, the training as-of date, horizon and
    schedule (``train`` / ``calibration`` / ``validation`` dates), training cases per
    issue, the evaluation table (one row per issue and scorer: the model beside the
    checklist and the best single feature), reliability deciles per issue, the table
    records (:func:`table_records`) and the drop's declaration record, the absent
    optional tables, the feature records (:func:`feature_records`), the 気づき item
    texts (:func:`item_texts`), the mean |contribution| per item and issue
    (:func:`kizuki.explain.global_.item_importance`), one shap summary PNG per issue,
    the config snapshot (:func:`kizuki.governance.settings.load_snapshot`) and the
    previous champion's (None: none), its version, the config hash, the champion
    decision and notes. Out: the card mapping.
    """
    decl = dict(declaration or {})
    sets: list[Setting] = settings(snapshot)
    diff: list[Change] = changes(snapshot, previous)
    return {
        "card_version": CARD_VERSION,
        "model": {
            "name": "kizuki",
            "version": version,
            "uri": uri,
            "run_id": run_id,
            "code_version": __version__,
            "config_hash": config_hash,
            "champion": dict(champion or {}),
        },
        "as_of": as_of,
        "horizon_months": horizon_months,
        "dates": {k: list(v) for k, v in dates.items()},
        "training_cases": dict(training_cases or {}),
        "data": {
            "municipality": decl.get("municipality"),
            "extracted_on": decl.get("extracted_on"),
            "drop_yaml_sha256": decl.get("sha256"),
            "contract_version": decl.get("contract_version"),
            "accepted_undeclared": decl.get("accepted_undeclared"),
            "tables": [dict(t) for t in tables],
            "missing_tables": sorted(missing_tables),
        },
        "features": [dict(f) for f in features],
        "items": {k: dict(v) for k, v in items.items()},
        "evaluation": _rows(evaluation),
        "reliability": {issue: _rows(frame) for issue, frame in reliability.items()},
        "groups": {"audit_page": AUDIT_PAGE},
        "explanations": {
            "item_importance": _rows(importance),
            "plots": {i: base64.b64encode(png).decode("ascii") for i, png in plots.items()},
        },
        "settings": [s.as_dict() for s in sets],
        "changes": {
            "previous_version": previous_version,
            "compared": previous is not None,
            "items": [c.as_dict() for c in diff],
        },
        "configs": dict(snapshot),
        "notes": list(notes),
    }
