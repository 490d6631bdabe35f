"""Check that every reason on a shortlist is true of its household, reading a run folder
as an outside reader would.

Usage::

    uv run python benchmarks/check_reasons.py RUN_DIR [--checklist PATH]

Reads ``RUN_DIR/shortlist.parquet`` (the ``reasons`` of each listed household) and
``RUN_DIR/features.parquet`` (the household's features as of the run's date), joined
by ``household_id``, and the 気づき checklist's rules from ``checklist.yaml`` (the one
shipped in the installed kizuki package unless ``--checklist`` names another), which it
evaluates itself on the features (operators ``>=, >, <=, <, ==, is_true``; a null never
meets a condition; ``all`` conditions and at least one of ``any``). Counted:

- **false assertions**: reasons written in the item's own wording (the label, or the
  text starting with it, in Japanese or English) for a household whose rule does not hold;
- **minus signs**: texts with a minus sign in front of a number (a change is written with
  a sign word: 増加 / 減少, up / down, never 「-7,295円増加」);
- **contradicted signs**: texts whose sign word for a change (the unpaid water balance,
  water use against last year or usual, absence against the child's own past)
  disagrees with the sign of the household's value of that feature;
- **holds mismatches**: reasons whose ``holds`` field (when the run has one) disagrees
  with the rule.

Prints counts only (never a household's id or values). Exit 0 when nothing is violated,
1 when anything is, 2 when the folder cannot be read.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import polars as pl
import yaml

#: a minus sign in front of a number or a yen amount ("40-64" is a range, not a sign)
MINUS = re.compile(r"(?<![0-9A-Za-z])[-−‐]\s*[¥\d]")

#: (feature, language, pattern with groups (number, word) or (word, number), rise word)
SIGNED = (
    (
        "unpaid_growth_3m",
        "ja",
        re.compile(r"未納が\d+か月で(?P<n>-?[\d,]+)円(?P<w>増加|減少)"),
        "増加",
    ),
    ("unpaid_growth_3m", "en", re.compile(r"unpaid (?P<w>up|down) ¥(?P<n>-?[\d,]+) in"), "up"),
    ("water_change_yoy", "ja", re.compile(r"前年同期比(?P<n>-?\d+)%(?P<w>増|減)"), "増"),
    ("water_change_yoy", "en", re.compile(r"vs a year ago (?P<w>up|down) (?P<n>-?\d+)%"), "up"),
    (
        "water_last_vs_median",
        "ja",
        re.compile(r"最新月の水道使用量がふだんより(?P<n>-?\d+)%(?P<w>増|減)"),
        "増",
    ),
    (
        "water_last_vs_median",
        "en",
        re.compile(r"latest water use vs usual (?P<w>up|down) (?P<n>-?\d+)%"),
        "up",
    ),
    ("absence_trend", "ja", re.compile(r"欠席率がふだんより(?P<n>-?\d+)%(?P<w>上昇|低下)"), "上昇"),
    (
        "absence_trend",
        "en",
        re.compile(r"absence (?P<w>up|down) (?P<n>-?\d+)% on the child's own past"),
        "up",
    ),
)


@dataclass
class Counts:
    """What :func:`check_run` counted (see the module docstring)."""

    households: int = 0
    reasons: int = 0
    asserting: int = 0
    false_assertions: int = 0
    minus_signs: int = 0
    signs_checked: int = 0
    contradicted_signs: int = 0
    has_holds: bool = False
    holds_mismatches: int = 0
    by_item: Counter[str] = field(default_factory=Counter)

    @property
    def violations(self) -> int:
        """All violations together."""
        return (
            self.false_assertions
            + self.minus_signs
            + self.contradicted_signs
            + self.holds_mismatches
        )

    def lines(self) -> list[str]:
        """The counts as printable lines (counts and item ids only)."""
        out = [
            f"households listed: {self.households}",
            f"reasons: {self.reasons}",
            f"reasons in their item's own wording (asserting its condition): {self.asserting}",
            f"  ... for a household that does not meet the condition: {self.false_assertions}",
            f"texts with a minus sign before a number: {self.minus_signs}",
            f"changes written with a sign word: {self.signs_checked}; "
            f"sign word contradicting the household's value: {self.contradicted_signs}",
            "holds field disagreeing with the rule: "
            + (str(self.holds_mismatches) if self.has_holds else "(no holds field in this run)"),
        ]
        if self.by_item:
            out.append(
                "false assertions by item: "
                + ", ".join(
                    f"{i} {n}"
                    for i, n in sorted(self.by_item.items(), key=lambda kv: (-kv[1], kv[0]))
                )
            )
        out.append(f"violations: {self.violations}")
        return out


def packaged_checklist() -> Path:
    """The checklist.yaml shipped in the installed kizuki package."""
    return Path(str(files("kizuki") / "configs" / "checklist.yaml"))


def _condition(c: dict) -> pl.Expr:
    col, op, v = pl.col(c["feature"]), c["op"], c.get("value")
    if op == "is_true":
        e = col.cast(pl.Boolean)
    elif op == ">=":
        e = col >= v
    elif op == ">":
        e = col > v
    elif op == "<=":
        e = col <= v
    elif op == "<":
        e = col < v
    elif op == "==":
        e = col == v
    else:
        raise ValueError(f"checklist: unknown operator {op!r}")
    return e.fill_null(False)


def rules(checklist: Path) -> dict[str, tuple[str, str, pl.Expr]]:
    """item id -> (ja text, en text, rule) from a checklist.yaml (blind spots never hold)."""
    doc = yaml.safe_load(checklist.read_text(encoding="utf-8"))
    out = {}
    for item in doc["items"]:
        if item.get("blind_spot"):
            rule = pl.lit(False)
        else:
            rule = pl.lit(True)
            for c in item.get("all", []):
                rule = rule & _condition(c)
            if item.get("any"):
                rule = rule & pl.any_horizontal([_condition(c) for c in item["any"]])
        out[item["id"]] = (item["ja"], item["en"], rule)
    return out


def _asserts(label: str | None, text: str | None, own: str, lang: str) -> bool:
    opener = "（" if lang == "ja" else " ("
    return label == own or text == own or (text or "").startswith(own + opener)


def _number(s: str) -> float:
    return float(s.replace(",", ""))


def check_run(run: Path, checklist: Path | None = None) -> Counts:
    """Count the violations of one run folder's reasons (module docstring)."""
    shortlist = pl.read_parquet(run / "shortlist.parquet")
    features = pl.read_parquet(run / "features.parquet")
    items = rules(checklist or packaged_checklist())
    counts = Counts(households=shortlist.height)
    reasons = (
        shortlist.select("household_id", "reasons")
        .explode("reasons")
        .drop_nulls("reasons")
        .unnest("reasons")
    )
    counts.reasons = reasons.height
    counts.has_holds = "holds" in reasons.columns
    if reasons.height == 0:
        return counts

    listed = features.join(reasons.select("household_id").unique(), on="household_id", how="semi")
    known = [i for i in items if all(c in listed.columns for c in _columns(items[i][2]))]
    met = listed.select("household_id", *[items[i][2].alias(f"__rule_{i}") for i in known]).unpivot(
        index="household_id", variable_name="item", value_name="met"
    )
    met = met.with_columns(pl.col("item").str.strip_prefix("__rule_"))
    signed = sorted({f for f, *_ in SIGNED if f in listed.columns})
    joined = reasons.join(met, on=["household_id", "item"], how="left").join(
        listed.select("household_id", *signed), on="household_id", how="left"
    )

    for row in joined.iter_rows(named=True):
        item = row["item"]
        met_rule = bool(row["met"])
        own = items.get(item)
        if own is not None:
            asserting = _asserts(row.get("label_ja"), row.get("text_ja"), own[0], "ja") or _asserts(
                row.get("label_en"), row.get("text_en"), own[1], "en"
            )
            if asserting:
                counts.asserting += 1
                if not met_rule:
                    counts.false_assertions += 1
                    counts.by_item[item] += 1
        if counts.has_holds and own is not None and bool(row["holds"]) != met_rule:
            counts.holds_mismatches += 1
        for lang in ("ja", "en"):
            text = row.get(f"text_{lang}") or ""
            if MINUS.search(text):
                counts.minus_signs += 1
            for feature, plang, pattern, rise in SIGNED:
                if plang != lang or feature not in row:
                    continue
                for m in pattern.finditer(text):
                    counts.signs_checked += 1
                    value = row[feature]
                    written = _number(m.group("n"))
                    says_up = m.group("w") == rise
                    if value is None or value == 0 or written < 0 or says_up != (value > 0):
                        counts.contradicted_signs += 1
    return counts


def _columns(e: pl.Expr) -> list[str]:
    return e.meta.root_names()


def main(argv: list[str] | None = None) -> int:
    """Command line: print the counts, exit 1 on any violation."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "run", type=Path, help="a scoring run folder (shortlist.parquet, features.parquet)"
    )
    ap.add_argument(
        "--checklist", type=Path, default=None, help="checklist.yaml (default: the packaged one)"
    )
    args = ap.parse_args(argv)
    try:
        counts = check_run(args.run, args.checklist)
    except (OSError, pl.exceptions.PolarsError, KeyError, ValueError) as e:
        print(f"cannot check {args.run}: {type(e).__name__}", file=sys.stderr)
        return 2
    for line in counts.lines():
        print(line)
    return 1 if counts.violations else 0


if __name__ == "__main__":
    sys.exit(main())
