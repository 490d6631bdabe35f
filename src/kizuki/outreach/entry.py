"""The entry sheet's columns (記入用, contract §8): what the team is handed and fills in.

One row per listed household. Filled in by kizuki (and locked on the sheet): ``run_id``,
``household_id``, and for the team's orientation ``district``, ``priority``,
``listed_issues`` and ``followup`` (new / listed again / the last visit's result; empty
outside a history), never imported back. Filled in by the team: ``visited_on``,
``result`` (a drop-down of the §8 codes by their Japanese labels), one mark column per
issue for the confirmed issues (a drop-down holding one mark: a list of issues in one
cell does not survive a drop-down, one column per issue does), and ``team`` (a
pseudonymous code). The CSV template ``entry.csv`` has the same columns.

:func:`entry_frame` gives the sheet's rows; :func:`header_map` maps every header
spelling kizuki accepts back to its column (the §8 names and aliases, the sheet's
Japanese and English headers).
"""

from __future__ import annotations

import polars as pl

from kizuki.contract.parse import nfkc
from kizuki.contract.schema import ISSUE_NAMES_EN, ISSUE_NAMES_JA, ISSUES
from kizuki.outreach.config import RESULTS

#: columns kizuki fills (locked on the sheet)
FILLED = ("run_id", "household_id", "district", "priority", "listed_issues", "followup")
#: columns shown for orientation only: never imported
SHOWN_ONLY = ("district", "priority", "listed_issues", "followup")
#: the mark columns, one per issue: ``confirmed:<issue>``
MARK_PREFIX = "confirmed:"
MARK_COLUMNS = tuple(f"{MARK_PREFIX}{i}" for i in ISSUES)
#: columns the team fills
INPUTS = ("visited_on", "result", *MARK_COLUMNS, "team")
#: every column of the sheet and of entry.csv, in order
ENTRY_COLUMNS = (*FILLED, *INPUTS)
#: the §8 columns that must be present in a returned file
REQUIRED = ("run_id", "household_id", "visited_on", "result")

#: the Japanese label offered in the drop-down for each result (all are §8 aliases)
RESULT_LABELS_JA = {
    "need_confirmed": "支援につながった",
    "no_need": "課題なし",
    "declined": "拒否",
    "not_reached": "不在",
    "moved": "転居",
}
#: every accepted spelling of a result (§8 codes and aliases), NFKC-folded, lower case
RESULT_ALIASES: dict[str, str] = {
    **{r: r for r in RESULTS},
    "支援につながった": "need_confirmed",
    "課題あり": "need_confirmed",
    "課題なし": "no_need",
    "問題なし": "no_need",
    "拒否": "declined",
    "訪問拒否": "declined",
    "不在": "not_reached",
    "会えず": "not_reached",
    "転居": "moved",
    "転出": "moved",
}
#: the mark offered in an issue column's drop-down
MARK = "○"
#: spellings of a set mark (after NFKC, lower case); a blank cell is "not confirmed"
MARK_TRUE = frozenset({"○", "◯", "〇", "●", "✓", "✔", "1", "true", "yes", "あり", "はい", "有"})
MARK_FALSE = frozenset({"0", "false", "no", "なし", "いいえ", "無", "-", "×"})

_HEADERS_JA = {
    "run_id": "実行ID",
    "household_id": "世帯ID",
    "district": "地区",
    "priority": "優先順位",
    "listed_issues": "候補の課題",
    "followup": "これまで",
    "visited_on": "訪問日",
    "result": "訪問結果",
    "team": "チーム",
    **{f"{MARK_PREFIX}{i}": f"確認：{ISSUE_NAMES_JA[i]}" for i in ISSUES},
}
_HEADERS_EN = {
    "run_id": "Run ID",
    "household_id": "Household ID",
    "district": "District",
    "priority": "Priority",
    "listed_issues": "Listed for",
    "followup": "So far",
    "visited_on": "Visit date",
    "result": "Result",
    "team": "Team",
    **{f"{MARK_PREFIX}{i}": f"Confirmed: {ISSUE_NAMES_EN[i]}" for i in ISSUES},
}
#: further header spellings of §8 and the contract's aliases
_HEADER_ALIASES = {
    "実行id": "run_id",
    "世帯id": "household_id",
    "訪問日": "visited_on",
    "訪問年月日": "visited_on",
    "結果": "result",
    "訪問結果": "result",
    "confirmed_issues": "confirmed_issues",
    "確認された課題": "confirmed_issues",
    "確認課題": "confirmed_issues",
    "チーム": "team",
    "チームコード": "team",
}


def headers(lang: str) -> dict[str, str]:
    """Column -> header text of the sheet and entry.csv in ``lang`` (ja unless ``en``)."""
    return dict(_HEADERS_EN if lang == "en" else _HEADERS_JA)


def fold_header(name: str) -> str:
    """A header as compared: NFKC, BOM and surrounding space removed, lower case,
    inner spaces removed."""
    return "".join(nfkc(name.replace("\ufeff", "")).lower().split())


def header_map() -> dict[str, str]:
    """Every accepted header spelling (folded, see :func:`fold_header`) -> column."""
    out: dict[str, str] = {}
    for col in (*ENTRY_COLUMNS, "confirmed_issues"):
        out[fold_header(col)] = col
    for table in (_HEADERS_JA, _HEADERS_EN):
        for col, text in table.items():
            out[fold_header(text)] = col
    for i in ISSUES:
        out[fold_header(i)] = f"{MARK_PREFIX}{i}"
        out[fold_header(ISSUE_NAMES_JA[i])] = f"{MARK_PREFIX}{i}"
    for text, col in _HEADER_ALIASES.items():
        out[fold_header(text)] = col
    return out


def result_choices(lang: str) -> list[str]:
    """The drop-down values of the result column (Japanese labels, or the codes)."""
    return [RESULT_LABELS_JA[r] for r in RESULTS] if lang != "en" else list(RESULTS)


def entry_frame(
    shortlist: pl.DataFrame,
    run_id: str,
    lang: str = "ja",
    followup: dict[str, str] | None = None,
) -> pl.DataFrame:
    """The entry sheet's rows: one per listed household, in the shortlist's order
    (district, priority), kizuki's columns filled, the team's columns empty (null).

    In: the shortlist (household_id, district, priority, issues), the run id, the
    language of the listed-issue names, and the follow-up text per household (None:
    the column stays empty). Out: the :data:`ENTRY_COLUMNS`, all strings but
    ``priority`` (Int64).
    """
    names = ISSUE_NAMES_EN if lang == "en" else ISSUE_NAMES_JA
    sep = ", " if lang == "en" else "、"
    sl = shortlist.sort("district", "priority")
    listed = [sep.join(names.get(i, i) for i in issues or []) for issues in sl["issues"].to_list()]
    return pl.DataFrame(
        {
            "run_id": [run_id] * sl.height,
            "household_id": sl["household_id"].cast(pl.String),
            "district": sl["district"].cast(pl.String),
            "priority": sl["priority"].cast(pl.Int64),
            "listed_issues": pl.Series(listed, dtype=pl.String),
            "followup": pl.Series(
                [(followup or {}).get(h) for h in sl["household_id"].to_list()], dtype=pl.String
            ),
            **{c: pl.Series([None] * sl.height, dtype=pl.String) for c in INPUTS},
        }
    ).select(ENTRY_COLUMNS)
