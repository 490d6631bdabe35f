"""Bins frozen from the reference run, and bin counts of any sample under them.

Numeric columns: quantile edges of the reference's non-missing values (``bins`` equal
shares; edges that coincide merge, so a 0/1 column gets two bins); bins are the
intervals ``(-inf, e1], (e1, e2], ..., (ek, +inf)``, then one bin for missing values
(null or NaN). Categorical columns (strings, booleans, enums): one bin per reference
category (sorted), one for missing, one for "unseen" (values absent from the
reference). Bin labels never carry a value from the data: numeric bins are labelled
by the reference percentile range they cover.

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
