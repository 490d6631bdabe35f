"""Writing a version's governance files, and reading them back from a model folder.

- :func:`write_model_card` writes a card's pages into a folder (for the registry's
  ``model/governance/`` artifacts, ``kizuki model card URI`` and the folder next to the
  runs that use the version): ``model_card.json``, ``model_card.html`` / ``.md`` (ja)
  and ``model_card.en.html`` / ``.en.md``, ``methodology(.en).html`` / ``.md``,
  ``register.json`` (ja and en) and ``register(.en).md`` / ``.html``, and the shap
  summary plots ``shap_beeswarm_<issue>.png``;
- :func:`write_version_record` is what ``kizuki train`` calls after registering: the
  global explanation (the same sample as the run's ``explanations/``), the configs with
  their reasons, the card, and the pages, into one folder;
- :func:`read_card` / :func:`previous_snapshot` read ``governance/`` of a downloaded model
  folder.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import polars as pl
from pydantic import BaseModel

from kizuki.errors import ModelArtifactsMissing
from kizuki.features.registry import feature_items, feature_specs
from kizuki.governance.card import build_card, feature_records, item_texts, table_records
from kizuki.governance.pages import (
    CARD,
    METHODOLOGY,
    REGISTER,
    card_doc,
    markdown,
    methodology_doc,
    page_name,
    plot_name,
    render_html,
)
from kizuki.governance.register import register_doc, register_record
from kizuki.governance.settings import load_snapshot
from kizuki.io.atomic import write_bytes, write_text
from kizuki.io.files import read_bytes, read_text

#: the folder of a model (``model/`` artifacts) that holds its governance files
FOLDER = "governance"
#: the configs the version was trained with, reasons included (for the next version's diff)
CONFIGS = "configs.json"
LANGS = ("ja", "en")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n"


def write_model_card(
    folder: Path, card: Mapping[str, Any], langs: Sequence[str] = LANGS
) -> dict[str, Path]:
    """Write the card's files into ``folder`` (created); return name → path.

    In: a card (:func:`kizuki.governance.card.build_card`, or :func:`read_card`), the
    languages of the pages (``model_card.json`` and ``register.json`` always hold
    everything; ``register.json`` maps ``ja`` / ``en`` to the record)."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}

    def put(name: str, text: str) -> None:
        out[name] = write_text(folder / name, text)

    put(f"{CARD}.json", _json(card))
    for issue, png in card["explanations"]["plots"].items():
        name = plot_name(issue)
        out[name] = write_bytes(folder / name, base64.b64decode(png))
    records = {lang: register_record(card, lang) for lang in LANGS}
    put(f"{REGISTER}.json", _json(records))
    for lang in langs:
        doc = card_doc(card, lang)
        put(page_name(CARD, lang, "html"), render_html(doc, lang, "model_card.html"))
        put(page_name(CARD, lang, "md"), markdown(doc))
        doc = methodology_doc(card, lang)
        put(page_name(METHODOLOGY, lang, "html"), render_html(doc, lang, "methodology.html"))
        put(page_name(METHODOLOGY, lang, "md"), markdown(doc))
        doc = register_doc(records[lang])
        put(page_name(REGISTER, lang, "html"), render_html(doc, lang, "register.html"))
        put(page_name(REGISTER, lang, "md"), markdown(doc))
    return out


def read_card(model_folder: Path) -> dict[str, Any]:
    """The card kept in a (downloaded) model folder's ``governance/model_card.json``.

    ModelArtifactsMissing (exit 3) when the version carries none (registered before
    model cards existed, or its files are incomplete)."""
    path = Path(model_folder) / FOLDER / f"{CARD}.json"
    if not path.is_file():
        raise ModelArtifactsMissing(
            f"model folder '{Path(model_folder).name}' carries no model card "
            f"({FOLDER}/{CARD}.json missing: registered before model cards, or incomplete); "
            "train it again with `kizuki train` to make one"
        )
    try:
        card = json.loads(read_text(path))
    except (OSError, ValueError) as exc:
        raise ModelArtifactsMissing(
            f"the model card of '{Path(model_folder).name}' cannot be read ({type(exc).__name__})"
        ) from None
    if not isinstance(card, dict) or "card_version" not in card:
        raise ModelArtifactsMissing(f"{FOLDER}/{CARD}.json of '{Path(model_folder).name}' is not a model card")
    return card


def previous_snapshot(model_folder: Path) -> dict[str, Any] | None:
    """The configs a (downloaded) model version was trained with: ``governance/configs.json``,
    else the model config kept in ``model.json`` alone (``{"model": …}``), else None."""
    folder = Path(model_folder)
    for path, pick in ((folder / FOLDER / CONFIGS, None), (folder / "model.json", "config")):
        if path.is_file():
            try:
                doc = json.loads(read_text(path))
            except (OSError, ValueError):
                continue
            if pick is None and isinstance(doc, dict):
                return doc
            if isinstance(doc, dict) and isinstance(doc.get(pick), dict):
                return {"model": doc[pick]}
    return None


def global_explanation(
    model: Any, X: pl.DataFrame, folder: Path, items: Mapping[str, str | None]
) -> tuple[pl.DataFrame, dict[str, bytes]]:
    """Mean |contribution| per (issue, 気づき item) and the shap summary PNG per issue,
    computed as ``kizuki train``'s ``explanations/`` (same sample, same seed) and written
    into ``folder`` as :func:`kizuki.explain.global_.write_global_explanations` does.
    Out: (the item-importance table, issue → PNG bytes)."""
    from kizuki.explain.global_ import (
        beeswarm_png,
        explain_issues,
        item_importance,
        item_importance_markdown,
        sample_households,
    )
    from kizuki.io.csv_safe import write_csv

    folder.mkdir(parents=True, exist_ok=True)
    explanations = explain_issues(model, sample_households(X))
    table = item_importance(explanations, items)
    write_csv(folder / "item_importance.csv", table, bom=False)
    write_text(folder / "item_importance.md", item_importance_markdown(table))
    plots = {i: read_bytes(beeswarm_png(e, folder / plot_name(i))) for i, e in explanations.items()}
    return table, plots


class Explainable(Protocol):
    """The part of ``kizuki.model.IssueModels`` the card needs (contributions; meta)."""

    features: Sequence[str]
    meta: dict[str, Any] | None

    def contributions(self, X: pl.DataFrame, issue: str) -> Any:
        """(n × f contributions, base value, f feature names), raw margin space."""
        ...


def write_version_record(
    folder: Path,
    *,
    model: Explainable,
    validation_X: pl.DataFrame,
    evaluation: pl.DataFrame,
    reliability: Mapping[str, pl.DataFrame],
    dates: Mapping[str, Sequence[str]],
    as_of: str,
    horizon_months: int,
    loaded: Any,
    configs: Mapping[str, BaseModel | None],
    feature_config: Any,
    checklist_config: Any,
    version: str,
    uri: str | None,
    run_id: str | None,
    config_hash: str | None = None,
    previous: Mapping[str, Any] | None = None,
    previous_version: str | None = None,
    champion: Mapping[str, Any] | None = None,
    notes: Sequence[str] = (),
) -> Path:
    """Everything governance keeps for one registered version, into ``folder``; returns it.

    In: the fitted model and the validation date's feature frame (the global explanation
    uses the same seeded sample as ``kizuki train``'s ``explanations/``), the evaluation
    table and reliability, the schedule, the as-of date and horizon, the loaded drop
    (:class:`kizuki.io.drop.LoadedDrop`: table reports, declaration, absent tables), the
    configs the version was trained with by name (``model``, ``features``, ``checklist``,
    ``shortlist``; the others are read from the config folders), the version, URI, run,
    config hash, the previous champion's config snapshot and version, the champion
    decision and notes. Out: ``folder`` with ``configs.json``, ``explanations/`` and the
    files of :func:`write_model_card`.
    """
    folder.mkdir(parents=True, exist_ok=True)
    importance, plots = global_explanation(
        model, validation_X, folder / "explanations", feature_items(feature_config)
    )
    snapshot, read_notes = load_snapshot(configs)
    write_text(folder / CONFIGS, _json(snapshot))
    meta = dict(model.meta or {})
    card = build_card(
        version=version,
        uri=uri,
        run_id=run_id,
        as_of=as_of,
        horizon_months=horizon_months,
        dates=dates,
        training_cases=meta.get("training_cases"),
        evaluation=evaluation,
        reliability=reliability,
        tables=table_records(loaded.sources, loaded.declaration),
        declaration=loaded.declaration,
        missing_tables=list(getattr(loaded, "missing_tables", []) or []),
        features=feature_records(feature_specs(feature_config), list(model.features)),
        items=item_texts(checklist_config),
        importance=importance,
        plots=plots,
        snapshot=snapshot,
        previous=previous,
        previous_version=previous_version,
        config_hash=config_hash,
        champion=champion,
        notes=[*notes, *read_notes],
    )
    write_model_card(folder, card)
    return folder
