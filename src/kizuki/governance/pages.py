"""The model card and the methodology page as documents, rendered to HTML (page kit) and Markdown.

:func:`card_doc` and :func:`methodology_doc` turn a card (``model_card.json``, see
:mod:`kizuki.governance.card`) into a *document*: ``title``, ``meta`` lines, ``links``,
``boxes`` and ``sections`` (each with ``paras``, ``bullets`` and ``tables``: headers,
rows of text, images). :func:`render_html` renders a document with the page kit
(``templates/model_card.html`` and its look-alikes), :func:`markdown` as Markdown; the two
print the same words (``words/model_card.yaml``, ja and en).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kizuki.governance.settings import reason, shown
from kizuki.pages import Words, render_page, words
from kizuki.pages.format import MISSING, fixed, integer, pct
from kizuki.pages.words import issue_name

Doc = dict[str, Any]

#: file names of the pages next to each other (per language: ``.en`` before the suffix)
CARD, METHODOLOGY, REGISTER = "model_card", "methodology", "register"


def page_name(stem: str, lang: str, suffix: str) -> str:
    """``model_card.html`` (ja) or ``model_card.en.html`` (en)."""
    return f"{stem}{'.en' if lang == 'en' else ''}.{suffix}"


def plot_name(issue: str) -> str:
    """The file of an issue's shap summary plot."""
    return f"shap_beeswarm_{issue}.png"


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], caption: str | None = None,
           left: int = 1, images: Sequence[Mapping[str, str]] = ()) -> dict[str, Any]:
    return {
        "caption": caption,
        "headers": list(headers),
        "rows": [[MISSING if c is None else str(c) for c in r] for r in rows],
        "left": left,
        "images": list(images),
    }


def _section(sid: str, heading: str, paras: Sequence[str] = (), bullets: Sequence[str] = (),
             tables: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    return {"id": sid, "heading": heading, "paras": list(paras), "bullets": list(bullets),
            "tables": list(tables)}


def _scorer(name: str, w: Words) -> str:
    if name.startswith("single:"):
        return w("scorer.single", f=name.removeprefix("single:"))
    return w.get(f"scorer.{name}", name)


def _item(card: Mapping[str, Any], item: str | None, lang: str, w: Words) -> str:
    if item is None or item == "_other":
        return w.other_item
    text = card.get("items", {}).get(item)
    return item if text is None else f"{text[lang]} ({item})"


def _municipality(m: Any) -> str:
    if isinstance(m, Mapping):
        return " ".join(str(v) for v in (m.get("code"), m.get("name")) if v)
    return MISSING if m is None else str(m)


def _short(h: str | None) -> str:
    return MISSING if not h else h[:16]


def settings_tables(card: Mapping[str, Any], lang: str, w: Words) -> list[dict[str, Any]]:
    """The settings (file, key, value, reason) and the changes since the previous champion."""
    rows = [
        [f"{s['file']}: {s['key']}", shown(s["value"]), reason(s["why"], lang)]
        for s in card["settings"]
    ]
    out = [_table([w["col.file_key"], w["col.value"], w["col.why"]], rows, left=3)]
    return out


def changes_section(card: Mapping[str, Any], lang: str, w: Words) -> dict[str, Any]:
    """What changed since the previous champion, as a section."""
    ch = card["changes"]
    if not ch["compared"]:
        return _section("changes", w["sec.changes"], [w.no_previous])
    if not ch["items"]:
        return _section("changes", w["sec.changes"], [w("no_changes", v=ch["previous_version"])])
    rows = [
        [
            f"{c['file']}: {c['key']}",
            w[f"kind.{c['kind']}"],
            reason(str(c["before"]), lang) if c["kind"] == "why" else shown(c["before"]),
            reason(str(c["after"]), lang) if c["kind"] == "why" else shown(c["after"]),
        ]
        for c in ch["items"]
    ]
    return _section(
        "changes",
        w["sec.changes"],
        [w("changes_intro", v=ch["previous_version"])],
        tables=[_table([w["col.file_key"], w["col.change"], w["col.before"], w["col.after"]], rows, left=4)],
    )


def card_doc(card: Mapping[str, Any], lang: str) -> Doc:
    """The model card as a document in ``lang`` (ja or en)."""
    w = words("model_card", lang)
    m = card["model"]
    data = card["data"]
    synthetic = any(r.get("ap_need") is not None for r in card["evaluation"])
    boxes = [{"kind": "bad", "text": w["not_use.i4"]}]
    champion = m.get("champion") or {}
    if champion:
        boxes.append({"kind": "info", "text": w.champion_moved if champion.get("moved") else w.champion_kept})
    if synthetic:
        boxes.append({"kind": "warn", "text": w.synthetic})
    sections = [
        _section("use", w["sec.use"], bullets=list(w.section("use").values())),
        _section("not_use", w["sec.not_use"], bullets=list(w.section("not_use").values())),
    ]
    # data: tables, periods, hashes, declared basis
    trows = []
    for t in data["tables"]:
        trows.append(
            [
                t["table"],
                t.get("file"),
                _short(t.get("sha256")),
                t["source"] if t["declared"] else w.undeclared,
                t["purpose"] if t["declared"] else w.undeclared,
                t["legal_basis"] if t["declared"] else w.undeclared,
                f"{t.get('known_from') or MISSING} – {t.get('known_to') or MISSING}",
                integer(t.get("rows_read")),
                integer(t.get("rows_rejected")),
            ]
        )
    paras = [
        w(
            "data_meta",
            m=_municipality(data.get("municipality")),
            e=data.get("extracted_on") or MISSING,
            s=_short(data.get("drop_yaml_sha256")),
        )
    ]
    if data["missing_tables"]:
        paras.append(w("data_missing", t=", ".join(data["missing_tables"])))
    sections.append(
        _section(
            "data",
            w["sec.data"],
            paras,
            tables=[
                _table(
                    [w[f"col.{k}"] for k in ("table", "file", "sha256", "source", "purpose",
                                            "legal_basis", "known", "rows", "rejected")],
                    trows,
                    left=7,
                )
            ],
        )
    )
    # features
    frows = [
        [f["name"], _item(card, f.get("item"), lang, w), f.get("window"), ", ".join(f.get("tables") or []),
         f.get(f"description_{lang}")]
        for f in card["features"]
    ]
    sections.append(
        _section("features", w["sec.features"], tables=[
            _table([w[f"col.{k}"] for k in ("feature", "item", "window", "tables", "description")], frows, left=5)
        ])
    )
    # temporal design
    drows = [[w[f"period.{k}"], ", ".join(v)] for k, v in card["dates"].items()]
    crows = [[issue_name(i, lang), integer(n)] for i, n in card["training_cases"].items()]
    sections.append(
        _section("time", w["sec.time"], [w("time_text", h=card["horizon_months"])], tables=[
            _table([w["col.period"], w["col.dates"]], drows, left=2),
            _table([w["col.issue"], w["col.cases"]], crows),
        ])
    )
    # metrics beside the baselines
    keys = ["cohort", "cases", "k", "ap_cases", "precision_at_k", "recall_at_k", "brier"]
    heads = ["scorer", "cohort", "val_cases", "k", "ap", "precision", "recall", "brier"]
    if synthetic:
        keys += ["ap_need", "need_recall_at_k"]
        heads += ["ap_need", "need_recall"]
    mtables = []
    for issue in dict.fromkeys(r["issue"] for r in card["evaluation"]):
        rows = [
            [_scorer(r["scorer"], w)]
            + [integer(r.get(k)) if k in ("cohort", "cases", "k") else fixed(r.get(k)) for k in keys]
            for r in card["evaluation"]
            if r["issue"] == issue
        ]
        mtables.append(_table([w[f"col.{h}"] for h in heads], rows, caption=issue_name(issue, lang)))
    sections.append(
        _section("metrics", w["sec.metrics"],
                 [w.metrics_text] + ([w.metrics_truth] if synthetic else []), tables=mtables)
    )
    sections.append(_section("groups", w["sec.groups"], [w("groups_text", page=card["groups"]["audit_page"])]))
    # calibration
    ctables = [
        _table(
            [w["col.decile"], w["col.n"], w["col.predicted"], w["col.observed"]],
            [[r["decile"], integer(r["n"]), pct(r["mean_predicted"], 2, fine=True),
              pct(r["observed"], 2, fine=True)] for r in rows],
            caption=issue_name(issue, lang),
        )
        for issue, rows in card["reliability"].items()
    ]
    sections.append(_section("calibration", w["sec.calibration"], [w.calibration_text], tables=ctables))
    # blind spots
    blind = [w["blind.records"], w["blind.noticed"], w["blind.thin"], w["blind.unregistered"]]
    for it in card["items"].values():
        if it.get("blind_spot"):
            blind.append(w("blind.item", t=it[lang], g=it[f"group_{lang}"]))
    if data["missing_tables"]:
        blind.append(w("data_missing", t=", ".join(data["missing_tables"])))
    sections.append(_section("blind", w["sec.blind"], bullets=blind))
    # global explanations
    imp = card["explanations"]["item_importance"]
    n = max((r["households"] for r in imp), default=0)
    etables = []
    for issue in dict.fromkeys(r["issue"] for r in imp):
        rows = [
            [r["rank"], _item(card, r["item"], lang, w), fixed(r["mean_abs_contribution"], 4), pct(r["share"])]
            for r in imp
            if r["issue"] == issue
        ]
        png = card["explanations"]["plots"].get(issue)
        images = [] if png is None else [
            {"data": png, "alt": w("plot_alt", i=issue_name(issue, lang)), "file": plot_name(issue)}
        ]
        etables.append(
            _table([w["col.rank"], w["col.item"], w["col.mean_abs"], w["col.share"]], rows,
                   caption=issue_name(issue, lang), left=2, images=images)
        )
    sections.append(_section("explain", w["sec.explain"], [w("explain_text", n=integer(n))], tables=etables))
    # design decisions
    sections.append(
        _section("settings", w["sec.settings"], [w.settings_text], tables=settings_tables(card, lang, w))
    )
    sections.append(changes_section(card, lang, w))
    if card.get("notes"):
        sections.append(_section("notes", w["sec.notes"], bullets=list(card["notes"])))
    return {
        "title": w("title", v=m["version"]),
        "meta": [
            w("meta", uri=m.get("uri") or MISSING, as_of=card["as_of"], h=card["horizon_months"],
              code=m.get("code_version"), hash=m.get("config_hash") or MISSING)
        ],
        "links": [
            (w.methodology_link, page_name(METHODOLOGY, lang, "html")),
            (w.register_link, page_name(REGISTER, lang, "md")),
        ],
        "boxes": boxes,
        "sections": sections,
    }


def methodology_doc(card: Mapping[str, Any], lang: str) -> Doc:
    """The methodology page: how the list is made, then every setting with its value and
    reason, and what changed since the previous champion."""
    w = words("model_card", lang)
    v = card["model"]["version"]
    return {
        "title": w("methodology.title", v=v),
        "meta": [],
        "links": [(w["methodology.card_link"], page_name(CARD, lang, "html"))],
        "boxes": [{"kind": "bad", "text": w["not_use.i4"]}, {"kind": "bad", "text": w["not_use.i5"]}],
        "sections": [
            _section("how", w["methodology.how"], [w["methodology.intro"]],
                     bullets=list(w.section("methodology.steps").values())),
            _section("settings", w["sec.settings"], [w["methodology.settings_intro"]],
                     tables=settings_tables(card, lang, w)),
            changes_section(card, lang, w),
        ],
    }


def render_html(doc: Doc, lang: str, template: str = "model_card.html") -> str:
    """A document as one self-contained page of the page kit."""
    return render_page(template, words("model_card", lang), doc=doc)


def _md_cell(c: Any) -> str:
    return str(c).replace("|", "\\|").replace("\n", " ")


def markdown(doc: Doc) -> str:
    """A document as Markdown (images by file name: the PNGs sit next to the file)."""
    out = [f"# {doc['title']}", ""]
    out += [f"{m}  " for m in doc["meta"]]
    if doc.get("links"):
        out += ["", " · ".join(f"[{name}]({href.replace('.html', '.md')})" for name, href in doc["links"])]
    out.append("")
    for b in doc.get("boxes", []):
        out += [f"> {b['text']}", ""]
    for s in doc["sections"]:
        out += [f"## {s['heading']}", ""]
        for p in s["paras"]:
            out += [p, ""]
        if s["bullets"]:
            out += [f"- {b}" for b in s["bullets"]] + [""]
        for t in s["tables"]:
            if t["caption"]:
                out += [f"### {t['caption']}", ""]
            out.append("| " + " | ".join(_md_cell(h) for h in t["headers"]) + " |")
            out.append("|" + "---|" * len(t["headers"]))
            out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in t["rows"]]
            out.append("")
            for img in t["images"]:
                out += [f"![{img['alt']}]({img['file']})", ""]
    return "\n".join(out).rstrip() + "\n"
