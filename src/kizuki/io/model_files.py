"""A model folder's files: one text per booster and one JSON document.

The layout (what the files mean is :mod:`kizuki.model.artifact`'s business):

- ``model_<issue>.txt``: one LightGBM text model per issue;
- ``model.json``: the model document (UTF-8 JSON).

Every file is written atomically (:mod:`kizuki.io.atomic`), the document last, so a
folder with a ``model.json`` has all its booster files.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kizuki.errors import ModelNotFound
from kizuki.io.atomic import write_text

#: the model document of a model folder
DOCUMENT = "model.json"


def booster_file(issue: str) -> str:
    """File name of one issue's booster text in a model folder."""
    return f"model_{issue}.txt"


def write_model_files(
    folder: Path, boosters: Mapping[str, str], document: Mapping[str, Any]
) -> Path:
    """Write ``boosters`` (issue → model text) and ``document`` into ``folder`` (created if
    needed); returns ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for issue, text in boosters.items():
        write_text(folder / booster_file(issue), text)
    write_text(
        folder / DOCUMENT, json.dumps(document, ensure_ascii=False, indent=2, default=str)
    )
    return folder


def read_model_document(folder: Path) -> dict[str, Any]:
    """The parsed ``model.json`` of ``folder`` (ModelNotFound when it is absent)."""
    path = Path(folder) / DOCUMENT
    if not path.is_file():
        raise ModelNotFound(f"no kizuki model in folder '{Path(folder).name}' ({DOCUMENT} missing)")
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def read_booster_texts(folder: Path, issues: Sequence[str]) -> dict[str, str]:
    """issue → booster model text of ``folder`` (ModelNotFound when any file is absent)."""
    folder = Path(folder)
    missing = [i for i in issues if not (folder / booster_file(i)).is_file()]
    if missing:
        raise ModelNotFound(
            f"kizuki model folder '{folder.name}' lacks {len(missing)} issue models"
        )
    return {i: (folder / booster_file(i)).read_text(encoding="utf-8") for i in issues}
