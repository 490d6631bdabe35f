"""Bins frozen from the reference run, and bin counts of any sample under them.

Numeric columns: quantile edges of the reference's non-missing values (``bins`` equal
shares; edges that coincide merge, so a 0/1 column gets two bins); bins are the
intervals ``(-inf, e1], (e1, e2], ..., (ek, +inf)``, then one bin for missing values
(null or NaN). Categorical columns (strings, booleans, enums): one bin per reference
category (sorted), one for missing, one for "unseen" (values absent from the
reference). Bin labels never carry a value from the data: numeric bins are labelled
by the reference percentile range they cover.

Features and scores move those quantile edges off the reference's own values, because
a quantile edge *is* a reference value and a block of tied households sitting on it
crosses it at the smallest change:

- scores (:func:`fit` with ``min_width``): log-odds bins at least ``min_width`` wide,
  edges midway between neighbouring distinct values;
- features (:func:`fit_feature`): edges midway between neighbouring distinct reference
  values; a feature whose values lie on a lattice (:func:`lattice_step`: integer
  counts, or ratios of small integers such as absent days / school days) gets its edges
  on the half-steps of the COARSER of the two runs' lattices instead. A rate of k/54
  one month is k/51 the next when the month has fewer school days: nothing about the
  household changed, but every k/54 of the reference has moved. On the half-steps of the
  coarser lattice each household's value stays in the bin of its lattice point
  (exact zero keeps a bin of its own), so a change of denominator is not a shift,
  while a real change (a rate up by a step or more) still crosses edges.

Work happens on numpy arrays: a column pair is encoded once (:func:`encode_pair`:
floats with NaN, or integer codes into a vocabulary shared by both runs, -1 missing);
slices of the encoded arrays (e.g. one district) are binned without touching polars.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import polars as pl

MISSING = "missing"
UNSEEN = "unseen"


@dataclass(frozen=True)
class Encoded:
    """One run's column as numpy: float64 with NaN for missing (numeric), or int64 codes
    into ``vocab`` with -1 for missing (categorical)."""

    kind: Literal["numeric", "categorical"]
    values: np.ndarray
    vocab: tuple[str, ...] = ()

    def take(self, index: np.ndarray | slice) -> Encoded:
        """The rows at ``index`` (same kind and vocabulary)."""
        return Encoded(self.kind, self.values[index], self.vocab)

    def __len__(self) -> int:
        return int(self.values.shape[0])


@dataclass(frozen=True)
class Bins:
    """Frozen bins of one column.

    ``edges``: inner edges (numeric). ``categories``: reference categories
    (categorical), ``lookup``: vocabulary code -> bin number.
    """

    kind: Literal["numeric", "categorical"]
    edges: tuple[float, ...] = ()
    categories: tuple[str, ...] = ()
    lookup: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), compare=False)

    @property
    def size(self) -> int:
        """Number of bins (including missing, and unseen for categorical)."""
        if self.kind == "numeric":
            return len(self.edges) + 2
        return len(self.categories) + 2

    def labels(self, ref_counts: np.ndarray | None = None) -> list[str]:
        """Bin labels: categories as they are; numeric bins as the reference percentile
        range they hold (``"0–10%"``; ``"above"`` for an empty top bin), computed from
        ``ref_counts`` (``"bin 3"`` without them)."""
        if self.kind == "categorical":
            return [*self.categories, MISSING, UNSEEN]
        k = len(self.edges) + 1
        present = None if ref_counts is None else np.asarray(ref_counts[:k], dtype=float)
        if present is None or present.sum() <= 0:
            return [f"bin {i + 1}" for i in range(k)] + [MISSING]
        cum = np.concatenate([[0.0], np.cumsum(present) / present.sum()]) * 100
        out = [
            "above" if present[i] == 0 and i == k - 1 else f"{cum[i]:.0f}–{cum[i + 1]:.0f}%"
            for i in range(k)
        ]
        return [*out, MISSING]


def is_categorical(dtype: pl.DataType) -> bool:
    """Whether a column of this dtype is binned by category."""
    return dtype in (pl.String, pl.Boolean, pl.Categorical) or isinstance(dtype, pl.Enum)


def _text(s: pl.Series) -> pl.Series:
    return s if s.dtype == pl.String else s.cast(pl.String)


def encode_pair(reference: pl.Series, current: pl.Series) -> tuple[Encoded, Encoded]:
    """Encode one column of both runs (categorical when either run's dtype is)."""
    if is_categorical(reference.dtype) or is_categorical(current.dtype):
        ref_t, cur_t = _text(reference), _text(current)
        vocab = (
            pl.concat([ref_t.drop_nulls().unique(), cur_t.drop_nulls().unique()]).unique().sort()
        )
        codes = pl.Series("c", range(vocab.len()), dtype=pl.Int64)

        def enc(s: pl.Series) -> np.ndarray:
            # nulls and (impossible) values outside the vocabulary both become -1: missing
            return s.replace_strict(vocab, codes, default=-1, return_dtype=pl.Int64).to_numpy()

        v = tuple(vocab.to_list())
        return Encoded("categorical", enc(ref_t), v), Encoded("categorical", enc(cur_t), v)

    def num(s: pl.Series) -> np.ndarray:
        return s.cast(pl.Float64).fill_null(np.nan).to_numpy().astype(np.float64, copy=False)

    return Encoded("numeric", num(reference)), Encoded("numeric", num(current))


def fit(reference: Encoded, n_bins: int, min_width: float = 0.0) -> Bins:
    """Bins frozen from one run's encoded column (see module docstring).

    ``min_width > 0`` (used for scores, on the log-odds scale): each edge moves to the
    midpoint between its value and the next distinct reference value, and edges are
    dropped until every bin spans at least ``min_width`` (from the reference minimum to
    its maximum). Trees and isotonic calibration give large blocks of tied scores; without
    this, a block moving by a practically meaningless amount across an edge that sits on
    it reads as a large PSI.
    """
    if reference.kind == "categorical":
        present = np.unique(reference.values[reference.values >= 0])
        cats = tuple(reference.vocab[i] for i in present)
        unseen = len(cats) + 1
        lookup = np.full(len(reference.vocab), unseen, dtype=np.int64)
        lookup[present] = np.arange(len(cats))
        return Bins("categorical", categories=cats, lookup=lookup)
    x = reference.values[~np.isnan(reference.values)]
    if x.size == 0:
        return Bins("numeric", edges=())
    qs = np.arange(1, n_bins) / n_bins
    edges = np.unique(np.quantile(x, qs, method="inverted_cdf"))
    if min_width > 0:
        edges = _spread(np.unique(x), edges, min_width)
    return Bins("numeric", edges=tuple(float(e) for e in edges))


def _spread(distinct: np.ndarray, edges: np.ndarray, min_width: float) -> np.ndarray:
    """Edges moved to midpoints between distinct values, thinned to ``min_width`` spacing."""
    above = np.searchsorted(distinct, edges, side="right")
    inner = above < distinct.size  # an edge at the maximum leaves nothing above it
    mids = (edges[inner] + distinct[above[inner]]) / 2
    kept: list[float] = []
    last = float(distinct[0])
    for e in mids:
        if e - last >= min_width:
            kept.append(float(e))
            last = float(e)
    if kept and float(distinct[-1]) - kept[-1] < min_width:
        kept.pop()
    return np.asarray(kept, dtype=float)


#: values checked first, to tell a continuous column from a lattice quickly
_PROBE = 64


def _denominators(values: np.ndarray, max_denominator: int) -> np.ndarray:
    """Per value, the smallest n ≤ ``max_denominator`` with value·n an integer (0: none).

    "An integer" allows for the rounding of a float division (relative 1e-9)."""
    out = np.zeros(values.size, dtype=np.int64)
    todo = np.arange(values.size)
    for n in range(1, max_denominator + 1):
        m = values[todo] * n
        ok = np.abs(m - np.round(m)) <= 1e-9 * np.maximum(1.0, np.abs(m))
        out[todo[ok]] = n
        todo = todo[~ok]
        if todo.size == 0:
            break
    return out


#: share of a column's off-integer rows that the lattice found must hold
LATTICE_COVERAGE = 0.9


def lattice_step(values: np.ndarray, max_denominator: int = 1000) -> float | None:
    """The spacing of the lattice a column's values lie on, or None for a continuous column.

    In: values (float, NaN for missing), the largest denominator that still counts as a
    "small integer". Out:

    - integer values (counts, levels, yen, flags): 1.0;
    - ratios of small integers (at least 99% of the rows are k/n with n ≤
      ``max_denominator``, e.g. absent days / school days, or such a rate times a whole
      number): the spacing s = g / m of the coarsest lattice 1/m that holds at least
      :data:`LATTICE_COVERAGE` of the rows off whole numbers (g: the largest whole
      number dividing the numerators k·m/n of as many rows, :func:`_numerator_step`).
      Children who joined mid-window (k/21 among k/35) do not make the lattice finer;
      when no such m exists (children of schools with different calendars: k/51 …
      k/54 in equal shares), 1 / the 90th percentile of the denominators — about the
      finest lattice in use;
    - anything else, or no value at all: None.
    """
    x = values[~np.isnan(values)]
    if x.size == 0:
        return None
    distinct, rows = np.unique(x, return_counts=True)
    whole = distinct == np.round(distinct)
    if np.all(whole):
        return 1.0
    probe = distinct[:: max(1, distinct.size // _PROBE)][:_PROBE]
    if np.mean(_denominators(probe, max_denominator) == 0) > 0.5:
        return None
    dens = _denominators(distinct, max_denominator)
    if rows[dens == 0].sum() > 0.01 * x.size:
        return None
    frac = ~whole & (dens > 0)
    if not np.any(frac):
        return 1.0  # whole numbers but for a few values off any lattice
    v, w, d = distinct[frac], rows[frac], dens[frac]
    need = LATTICE_COVERAGE * w.sum()
    for m in range(2, max_denominator + 1):
        on = m % d == 0  # v·m is whole exactly when v's reduced denominator divides m
        if w[on].sum() >= need:
            return _numerator_step(np.round(v[on] * m).astype(np.int64), w[on]) / m
    order = np.argsort(d)
    cum = np.cumsum(w[order])
    return 1.0 / float(d[order][np.searchsorted(cum, 0.9 * cum[-1])])


def _numerator_step(numerators: np.ndarray, rows: np.ndarray) -> int:
    """The largest g dividing the numerators of at least :data:`LATTICE_COVERAGE` of the
    rows (a rate times 200 over 19 days lies on multiples of 40/19; a few children with
    76 days, on 50/19, do not make the lattice 10/19)."""
    top = int(abs(numerators[np.argmax(rows)])) or 1
    need = LATTICE_COVERAGE * rows.sum()
    for g in sorted(
        {f for i in range(1, int(top**0.5) + 1) if top % i == 0 for f in (i, top // i)},
        reverse=True,
    ):
        if rows[numerators % g == 0].sum() >= need:
            return g
    return 1


def shared_step(reference: Encoded, current: Encoded, max_denominator: int = 1000) -> float | None:
    """The lattice step two runs' values are compared on: the coarser of their steps.

    A run without a value is ignored; a column continuous in either run (or categorical)
    gives None. Comparing a k/51 lattice with a k/54 one at the finer spacing would
    count the change of denominator as a shift; at the coarser one it does not.
    """
    if reference.kind != "numeric" or current.kind != "numeric":
        return None
    steps = [
        lattice_step(e.values, max_denominator)
        for e in (reference, current)
        if np.any(~np.isnan(e.values))
    ]
    if not steps or any(s is None for s in steps):
        return None
    return max(float(s) for s in steps if s is not None)


def fit_feature(
    reference: Encoded, n_bins: int, step: float | None = None, min_steps: int = 1
) -> Bins:
    """Bins of a feature, frozen from the reference (see module docstring).

    In: the reference's encoded column, the number of quantile bins, the lattice step of
    the column (the coarser of the two runs', :func:`lattice_step`; None: continuous),
    and the least number of steps between two inner edges. Out: :class:`Bins`.

    Quantile edges of the reference are moved off its values: on a lattice each edge
    goes to the half-step above its lattice point, ``step · (round(q / step) + ½)``
    (edges that meet merge; inner edges closer than ``min_steps`` steps are thinned);
    otherwise to the midpoint between the edge and the next distinct reference value.
    An edge at the reference maximum (a top block of at least one bin's share) stays
    above that block: its bin catches values beyond anything the reference had.
    Categorical columns are binned as by :func:`fit`.
    """
    if reference.kind == "categorical":
        return fit(reference, n_bins)
    x = reference.values[~np.isnan(reference.values)]
    if x.size == 0:
        return Bins("numeric", edges=())
    qs = np.arange(1, n_bins) / n_bins
    q = np.unique(np.quantile(x, qs, method="inverted_cdf"))
    if step is not None and step > 0:
        edges = np.unique(step * (np.round(q / step) + 0.5))
        kept: list[float] = []
        for e in edges:
            if not kept or e - kept[-1] >= min_steps * step * (1 - 1e-9):
                kept.append(float(e))
        return Bins("numeric", edges=tuple(kept))
    distinct = np.unique(x)
    above = np.searchsorted(distinct, q, side="right")
    nxt = distinct[np.minimum(above, distinct.size - 1)]
    mids = np.where(above < distinct.size, (q + nxt) / 2, q)
    return Bins("numeric", edges=tuple(float(e) for e in np.unique(mids)))


def index(x: Encoded, bins: Bins) -> np.ndarray:
    """Bin number of every row (int64 array)."""
    if bins.kind == "categorical":
        out = np.full(len(x), len(bins.categories), dtype=np.int64)  # missing
        ok = x.values >= 0
        out[ok] = bins.lookup[x.values[ok]]
        return out
    idx = np.searchsorted(np.asarray(bins.edges, dtype=float), x.values, side="left")
    idx = idx.astype(np.int64)
    idx[np.isnan(x.values)] = len(bins.edges) + 1
    return idx


def counts(x: Encoded, bins: Bins) -> np.ndarray:
    """Counts per bin (int64 array of ``bins.size``)."""
    return np.bincount(index(x, bins), minlength=bins.size).astype(np.int64)


def fit_bins(reference: pl.Series, n_bins: int) -> Bins:
    """Bins frozen from a reference column (convenience over :func:`encode_pair` + :func:`fit`).

    Categorical bins fitted here use the reference's own vocabulary; count other samples
    with :func:`bin_counts`, which maps values by name.
    """
    ref, _ = encode_pair(reference, reference.clear())
    return fit(ref, n_bins)


def bin_counts(values: pl.Series, bins: Bins) -> np.ndarray:
    """Counts per bin of a column under frozen bins (values mapped by name)."""
    if bins.kind == "categorical":
        vocab = pl.Series(list(bins.categories), dtype=pl.String)
        codes = pl.Series(range(len(bins.categories)), dtype=pl.Int64)
        text = _text(values)
        idx = text.replace_strict(
            vocab, codes, default=len(bins.categories) + 1, return_dtype=pl.Int64
        ).to_numpy(writable=True)
        idx[text.is_null().to_numpy()] = len(bins.categories)
        return np.bincount(idx, minlength=bins.size).astype(np.int64)
    return counts(encode_pair(values, values.clear())[0], bins)
