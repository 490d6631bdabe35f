"""Small-cell suppression: no count under ``min_cell`` households is shown, nor can one be
worked out from what is shown.

A group's 2×2 table has cells tp, fp, fn, tn (listed / not listed × case / no case).
What the audit publishes for a group, and the counts each item is computed from:

==============  ==========================  =========================================
item            formula                     its own counts (each must be ≥ min_cell)
==============  ==========================  =========================================
n               tp + fp + fn + tn           n
recall (, FNR)  tp / (tp + fn)              tp, fn
selection_rate  (tp + fp) / n               listed = tp + fp, not listed = fn + tn
precision       tp / (tp + fp)              tp, fp
for             fn / (fn + tn)              fn, tn
prevalence      (tp + fn) / n               cases = tp + fn, non-cases = fp + tn
==============  ==========================  =========================================

1. **Own counts** (primary): an item is a candidate only when each of its own counts holds
   at least ``min_cell`` households (labels pending: outcome items are not candidates).
2. **Within a group**: items are added in priority order (n, recall, selection rate,
   precision, FOR, prevalence) only if, together with those already shown, they do not
   determine any count under ``min_cell`` (a count is determined when its vector lies in
   the row space of the shown items' linear equations — e.g. n, selection rate,
   prevalence and recall together give fp).
3. **Across groups** (secondary): a published total (the overall row of a dimension; a
   marginal group for the rows and columns of an intersection; a group's all-issues
   figure for its issues) lets a count be recovered by subtraction. For every count the
   total determines, the groups of that margin where the count is *not* determined must
   hold at least ``min_cell`` together (or be none); else items are removed from the
   group with the smallest such count until it no longer determines it.

Items removed by 2 or 3 are reported as ``protected``; items failing 1 as ``small`` ("<10").
Removal only ever shrinks what is shown, so the process ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

#: items in priority order (FNR is shown with recall: it is 1 − recall)
ITEMS = ("n", "recall", "selection_rate", "precision", "for", "prevalence")
LABEL_ITEMS = ("recall", "precision", "for", "prevalence")
#: counts as vectors over (tp, fp, fn, tn)
COUNTS: dict[str, tuple[int, int, int, int]] = {
    "tp": (1, 0, 0, 0),
    "fp": (0, 1, 0, 0),
    "fn": (0, 0, 1, 0),
    "tn": (0, 0, 0, 1),
    "listed": (1, 1, 0, 0),
    "not_listed": (0, 0, 1, 1),
    "cases": (1, 0, 1, 0),
    "non_cases": (0, 1, 0, 1),
    "n": (1, 1, 1, 1),
}
OWN: dict[str, tuple[str, ...]] = {
    "n": ("n",),
    "recall": ("tp", "fn"),
    "selection_rate": ("listed", "not_listed"),
    "precision": ("tp", "fp"),
    "for": ("fn", "tn"),
    "prevalence": ("cases", "non_cases"),
}
_NUM_DEN: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "recall": ((1, 0, 0, 0), (1, 0, 1, 0)),
    "selection_rate": ((1, 1, 0, 0), (1, 1, 1, 1)),
    "precision": ((1, 0, 0, 0), (1, 1, 0, 0)),
    "for": ((0, 0, 1, 0), (0, 0, 1, 1)),
    "prevalence": ((1, 0, 1, 0), (1, 1, 1, 1)),
}


def count_values(cells: np.ndarray) -> dict[str, int]:
    """Every count of :data:`COUNTS` for one group's cells (tp, fp, fn, tn)."""
    c = np.asarray(cells, dtype=np.int64)
    return {k: int(np.dot(v, c)) for k, v in COUNTS.items()}


def _equations(cells: np.ndarray, items: Iterable[str]) -> np.ndarray:
    """Linear equations the shown items put on (tp, fp, fn, tn): one row each (n is
    Σ cells; a rate q = num/den gives num − q·den = 0)."""
    c = np.asarray(cells, dtype=float)
    rows = []
    for item in items:
        if item == "n":
            rows.append(np.ones(4))
            continue
        num, den = (np.asarray(v, dtype=float) for v in _NUM_DEN[item])
        d = float(den @ c)
        if d <= 0:
            continue
        rows.append(num - (float(num @ c) / d) * den)
    return np.array(rows) if rows else np.zeros((0, 4))


def determined(cells: np.ndarray, items: Iterable[str]) -> set[str]:
    """The counts that the shown ``items`` pin down for a group with these cells."""
    a = _equations(cells, items)
    if a.shape[0] == 0:
        return set()
    rank = np.linalg.matrix_rank(a)
    out = set()
    for name, vec in COUNTS.items():
        if np.linalg.matrix_rank(np.vstack([a, np.asarray(vec, dtype=float)])) == rank:
            out.add(name)
    return out


def choose(cells: np.ndarray, min_cell: int, labels_known: bool, allowed: Iterable[str] = ITEMS) -> tuple[set[str], set[str]]:
    """Rules 1 and 2 for one group. Out: (candidates passing their own counts, items shown)."""
    counts = count_values(cells)
    small = {k for k, v in counts.items() if v < min_cell}
    allowed = set(allowed)
    candidates = {
        item
        for item in ITEMS
        if item in allowed
        and (labels_known or item not in LABEL_ITEMS)
        and all(counts[k] >= min_cell for k in OWN[item])
    }
    shown: list[str] = []
    for item in ITEMS:
        if item in candidates and not (determined(cells, [*shown, item]) & small):
            shown.append(item)
    return candidates, set(shown)


@dataclass
class Entry:
    """One published group: its cells, the items that passed rule 1, and those shown."""

    cells: np.ndarray
    candidates: set[str]
    shown: set[str]
    _det: set[str] | None = field(default=None, repr=False)

    def det(self) -> set[str]:
        """Counts the shown items determine (cached until :meth:`drop_for`)."""
        if self._det is None:
            self._det = determined(self.cells, self.shown)
        return self._det

    def drop_for(self, count: str) -> None:
        """Remove shown items, lowest priority first, until ``count`` is no longer determined."""
        for item in reversed(ITEMS):
            if count not in self.det():
                return
            if item in self.shown:
                self.shown.discard(item)
                self._det = None

    def status(self, item: str, labels_known: bool) -> str:
        """``shown``, ``small`` (rule 1), ``protected`` (rules 2–3) or ``pending``."""
        if item in self.shown:
            return "shown"
        if item in LABEL_ITEMS and not labels_known:
            return "pending"
        return "protected" if item in self.candidates else "small"


def make_entries(cells: np.ndarray, min_cell: int, labels_known: bool, omitted: Sequence[bool] | None = None) -> list[Entry]:
    """Entries (rules 1–2) for every group of a table ``(groups, 4)``; ``omitted`` groups show nothing."""
    out = []
    for g, c in enumerate(np.asarray(cells, dtype=np.int64)):
        if omitted is not None and omitted[g]:
            out.append(Entry(c, set(), set()))
            continue
        cand, shown = choose(c, min_cell, labels_known)
        out.append(Entry(c, cand, shown))
    return out


def protect(total: Entry, parts: Sequence[Entry], min_cell: int) -> bool:
    """Rule 3 for one margin: ``total`` is the published sum of ``parts``. True if anything
    was removed."""
    changed = False
    for count in sorted(total.det()):
        while True:
            hidden = [p for p in parts if count not in p.det()]
            if not hidden or len(hidden) == len(parts):
                break
            if sum(count_values(p.cells)[count] for p in hidden) >= min_cell:
                break
            visible = [p for p in parts if count in p.det()]
            victim = min(visible, key=lambda p: count_values(p.cells)[count])
            victim.drop_for(count)
            changed = True
    return changed


def suppress(margins: Sequence[tuple[Entry, Sequence[Entry]]], min_cell: int) -> None:
    """Apply rule 3 to every (total, parts) margin until nothing changes."""
    while True:
        changed = False
        for total, parts in margins:
            changed |= protect(total, parts, min_cell)
        if not changed:
            return
