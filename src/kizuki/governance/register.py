"""The algorithm-register record of a version, shaped after the UK Algorithmic Transparency
Recording Standard (ATRS): tier 1 (an overview for the public) and tier 2 (owner and
responsibility, description and rationale, deployment context, tool specification, risks).

:func:`register_record` fills every field it can from the model card and the configs;
a field only a person can write (contact, review body, 支援会議 arrangements, …) is
``{"to_be_written": true, "hint": …}`` in ``register.json`` and ``［要記入］`` /
``[to be written]`` in ``register.md``, so nothing unverified is published by default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kizuki.governance.pages import CARD, Doc, page_name
from kizuki.pages import words
from kizuki.pages.format import MISSING, fixed, integer
from kizuki.pages.words import issue_name

#: the standard followed (the record's ``standard`` field)
STANDARD = "UK Algorithmic Transparency Recording Standard (ATRS), tier 1 and tier 2 (shape followed)"

#: fields a person must write, per section (they are never filled from data)
TO_WRITE = {
    "tier_1": ("website", "contact", "phase"),
    "owner": ("team", "sro", "review_body"),
    "deployment": ("meeting", "training", "appeals"),
    "risks": ("impact",),
}


def _todo(w: Any, key: str) -> dict[str, Any]:
    return {"to_be_written": True, "hint": w(f"hint.{key}")}


def _mean(card: Mapping[str, Any], scorer: str) -> float | None:
    vals = [r["ap_cases"] for r in card["evaluation"] if r["scorer"] == scorer and r.get("ap_cases") is not None]
    return sum(vals) / len(vals) if vals else None


def _setting(card: Mapping[str, Any], file: str, key: str) -> Any:
    for s in card["settings"]:
        if s["file"] == file and s["key"] == key:
            return s["value"]
    return None


def _value(card: Mapping[str, Any], name: str, key: str) -> Any:
    """A config value from the card's snapshot (``model``, ``pu_alpha``), None if absent."""
    return (card.get("configs", {}).get(name) or {}).get(key)


def register_record(card: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """The register record of the card's version in ``lang``: ``standard``, ``lang``,
    ``version`` and per section (``tier_1``, ``owner``, ``rationale``, ``deployment``,
    ``tool``, ``risks``) a mapping field → text, or ``{"to_be_written": true, "hint"}``."""
    w = words("register", lang)
    m, data = card["model"], card["data"]
    muni = data.get("municipality")
    muni_text = (
        " ".join(str(v) for v in (muni.get("code"), muni.get("name")) if v)
        if isinstance(muni, Mapping)
        else None
    )
    share = _setting(card, "shortlist.yaml", "capacity.default.share")
    cap = MISSING if share is None else f"{100 * float(share):g}%"
    missing = ", ".join(data["missing_tables"]) or w.none
    sources = []
    for t in data["tables"]:
        basis = (
            f"{t['source']} / {t['purpose']} / {t['legal_basis']}"
            if t["declared"]
            else words("model_card", lang).undeclared
        )
        sources.append(f"{t['table']}: {basis}")
    rows = sum(int(t.get("rows_read") or 0) for t in data["tables"])
    dates = card["dates"]
    issues = sorted({r["issue"] for r in card["evaluation"]})
    record: dict[str, Any] = {
        "tier_1": {
            "name": w["text.name"],
            "description": w["text.description"],
            "website": _todo(w, "website"),
            "contact": _todo(w, "contact"),
            "organisation": muni_text or _todo(w, "organisation"),
            "function": w["text.function"],
            "phase": _todo(w, "phase"),
            "region": muni_text or _todo(w, "organisation"),
        },
        "owner": {
            "team": _todo(w, "team"),
            "sro": _todo(w, "sro"),
            "review_body": _todo(w, "review_body"),
            "supplier": w["text.supplier"],
        },
        "rationale": {
            "detailed": w(
                "text.detailed",
                n=_value(card, "model", "isotonic_min_positives") or MISSING,
                a=_value(card, "model", "pu_alpha") if _value(card, "model", "pu_alpha") is not None else MISSING,
                f=len(card["features"]),
            ),
            "scope": w(
                "text.scope",
                issues=", ".join(issue_name(i, lang) for i in issues),
                h=card["horizon_months"],
                cap=cap,
            ),
            "benefit": w("text.benefit", m=fixed(_mean(card, "model")), c=fixed(_mean(card, "checklist"))),
            "alternatives": w["text.alternatives"],
        },
        "deployment": {
            "integration": w["text.integration"],
            "provided": w["text.provided"],
            "frequency": w["text.frequency"],
            "human": w["text.human"],
            "meeting": _todo(w, "meeting"),
            "training": _todo(w, "training"),
            "appeals": _todo(w, "appeals"),
        },
        "tool": {
            "model_type": w["text.model_type"],
            "version": w("text.version", uri=m.get("uri") or MISSING, as_of=card["as_of"],
                         hash=m.get("config_hash") or MISSING),
            "performance": w("text.benefit", m=fixed(_mean(card, "model")), c=fixed(_mean(card, "checklist"))),
            "maintenance": w["text.maintenance"],
            "data_sources": "; ".join(sources) or MISSING,
            "data_period": w(
                "text.data_period",
                t=", ".join(dates.get("train", [])) or MISSING,
                c=", ".join(dates.get("calibration", [])) or MISSING,
                v=", ".join(dates.get("validation", [])) or MISSING,
            ),
            "data_quantities": w("text.data_quantities", rows=integer(rows)),
            "sensitive": w["text.sensitive"],
            "completeness": w("text.completeness", t=missing),
            "storage": w["text.storage"],
            "card": page_name(CARD, lang, "html"),
        },
        "risks": {
            "risks": w["text.risks"],
            "impact": _todo(w, "impact"),
        },
    }
    return {"standard": STANDARD, "lang": lang, "version": m["version"], **record}


def to_be_written(record: Mapping[str, Any]) -> list[str]:
    """``section.field`` of every field of ``record`` left for a person to write."""
    return [
        f"{s}.{k}"
        for s, fields in record.items()
        if isinstance(fields, Mapping)
        for k, v in fields.items()
        if isinstance(v, Mapping) and v.get("to_be_written")
    ]


def register_doc(record: Mapping[str, Any]) -> Doc:
    """The record as a document (one table per section: field, text)."""
    lang = record["lang"]
    w = words("register", lang)
    sections = []
    for sec in ("tier_1", "owner", "rationale", "deployment", "tool", "risks"):
        rows = []
        for key, value in record[sec].items():
            text = f"{w.todo} {value['hint']}" if isinstance(value, Mapping) else str(value)
            rows.append([w[f"field.{key}"], text])
        sections.append(
            {"id": sec, "heading": w[f"tier.{sec}"], "paras": [], "bullets": [],
             "tables": [{"caption": None, "headers": [w.col_field, w.col_text], "rows": rows,
                         "left": 2, "images": []}]}
        )
    return {
        "title": w("title", v=record["version"]),
        "meta": [record["standard"]],
        "links": [],
        "boxes": [{"kind": "warn", "text": w.standard}],
        "sections": sections,
    }
