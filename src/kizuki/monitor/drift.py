"""Drift between two runs: PSI per feature (overall and per district), per issue's scores,
and the sample-size-aware decision.

Every test is one :class:`DriftTest` (frozen bins, reference and current counts, the
simulated null). :func:`decide` turns the list into one frame and applies the rule of
``configs/monitor.yaml``: ALARM when PSI > the practical threshold AND PSI > the null's
critical value at α / (number of tests) (Bonferroni over every test of the call).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from kizuki.monitor.bins import Bins, Encoded, counts, encode_pair, fit, fit_feature, shared_step
from kizuki.monitor.config import DriftConfig
from kizuki.monitor.nulltest import NullFit, confirm, psi_null

#: columns of a feature frame that are keys, not features
KEY_COLUMNS = ("household_id", "as_of")

DRIFT_SCHEMA = pl.Schema(
    {
        "kind": pl.String,  # feature | score | reasons
        "name": pl.String,  # feature name, issue, or "reasons"
        "district": pl.String,  # null: the whole municipality
        "n_ref": pl.Int64,
        "n_cur": pl.Int64,
        "bins": pl.Int64,
        "psi": pl.Float64,
        "null_mean": pl.Float64,
        "critical": pl.Float64,
        "p_value": pl.Float64,
        "method": pl.String,  # extrapolated | monte_carlo (confirmation of a would-be alarm)
        "draws": pl.Int64,
        "practical": pl.Float64,
        "tested": pl.Boolean,
        "significant": pl.Boolean,
        "alarm": pl.Boolean,
        "labels": pl.List(pl.String),
        "ref_share": pl.List(pl.Float64),
        "cur_share": pl.List(pl.Float64),
    }
)


@dataclass(frozen=True)
class DriftTest:
    """One PSI test: what was compared, its bins, both runs' counts and the simulated null."""

    kind: str
    name: str
    district: str | None
    bins: Bins
    ref_counts: np.ndarray
    cur_counts: np.ndarray
    null: NullFit
    practical: float
    tested: bool

    @property
    def psi(self) -> float:
        """The observed PSI."""
        return self.null.observed


def _rng(seed: int, *key: str | None) -> np.random.Generator:
    """A generator seeded by the config seed and the test's name (order-independent)."""
    text = "\x1f".join("" if k is None else k for k in key)
    return np.random.default_rng([seed, zlib.crc32(text.encode("utf-8"))])


def make_test(
    kind: str,
    name: str,
    district: str | None,
    reference: Encoded,
    current: Encoded,
    config: DriftConfig,
    practical: float,
    min_width: float = 0.0,
    bins: Bins | None = None,
) -> DriftTest:
    """Freeze bins on ``reference`` (or use ``bins``), count both samples, simulate the null.

    A test is ``tested`` when both samples hold at least ``config.min_households`` rows.
    ``min_width``: see :func:`kizuki.monitor.bins.fit` (scores only); ``bins``: bins
    already fitted (features: :func:`kizuki.monitor.bins.fit_feature`).
    """
    if bins is None:
        bins = fit(reference, config.bins, min_width)
    return test_from_counts(
        kind,
        name,
        district,
        bins,
        counts(reference, bins),
        counts(current, bins),
        config,
        practical,
    )


def test_from_counts(
    kind: str,
    name: str,
    district: str | None,
    bins: Bins,
    ref_counts: np.ndarray,
    cur_counts: np.ndarray,
    config: DriftConfig,
    practical: float,
) -> DriftTest:
    """A :class:`DriftTest` from counts already binned (e.g. reason items)."""
    tested = (
        int(ref_counts.sum()) >= config.min_households
        and int(cur_counts.sum()) >= config.min_households
    )
    null = psi_null(
        ref_counts,
        cur_counts,
        config.epsilon,
        config.null_draws if tested else 100,
        _rng(config.seed, kind, name, district),
    )
    return DriftTest(kind, name, district, bins, ref_counts, cur_counts, null, practical, tested)


def feature_names(
    reference: pl.DataFrame, current: pl.DataFrame, exclude: Iterable[str]
) -> list[str]:
    """Features to test: columns of the reference (then new ones of the current), without keys."""
    skip = set(KEY_COLUMNS) | set(exclude)
    names = [c for c in reference.columns if c not in skip]
    names += [c for c in current.columns if c not in skip and c not in names]
    return names


def _column(frame: pl.DataFrame, name: str, like: pl.DataFrame) -> pl.Series:
    if name in frame.columns:
        return frame[name]
    return pl.Series(name, [None] * frame.height, dtype=like[name].dtype)


def _district_slices(
    frame: pl.DataFrame, districts: list[str]
) -> tuple[np.ndarray, dict[str, slice]]:
    """Row order grouping the frame by district, and each district's slice of that order."""
    if "district" not in frame.columns or frame.height == 0:
        return np.arange(frame.height), {}
    codes = (
        frame["district"]
        .cast(pl.String)
        .replace_strict(districts, list(range(len(districts))), default=-1, return_dtype=pl.Int64)
        .to_numpy()
    )
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    cuts = np.searchsorted(sorted_codes, np.arange(len(districts) + 1), side="left")
    return order, {d: slice(int(cuts[i]), int(cuts[i + 1])) for i, d in enumerate(districts)}


def feature_tests(
    reference: pl.DataFrame, current: pl.DataFrame, config: DriftConfig
) -> list[DriftTest]:
    """PSI tests of every feature: overall, then (when configured) within each district.

    In: two feature frames (household_id, as_of, district, features...). ``district``
    itself is tested overall only. A column present in one run only is compared with an
    all-missing column in the other (that is drift). Each column is encoded to numpy
    once; district subsets are slices of one sort by district.

    Numeric bins: :func:`kizuki.monitor.bins.fit_feature`, with the lattice step both
    runs share (found once per feature on the whole runs, used in every district).
    """
    names = feature_names(reference, current, config.exclude)
    per_district = (
        config.per_district and "district" in reference.columns and "district" in current.columns
    )
    districts: list[str] = []
    if per_district:
        found = set(reference["district"].drop_nulls().cast(pl.String).unique().to_list())
        found |= set(current["district"].drop_nulls().cast(pl.String).unique().to_list())
        districts = sorted(found)
    ref_order, ref_slices = _district_slices(reference, districts)
    cur_order, cur_slices = _district_slices(current, districts)
    overall: list[DriftTest] = []
    local: list[DriftTest] = []
    for name in names:
        like = reference if name in reference.columns else current
        ref, cur = encode_pair(_column(reference, name, like), _column(current, name, like))
        step = shared_step(ref, cur, config.lattice_max_denominator)
        overall.append(
            make_test(
                "feature", name, None, ref, cur, config, config.practical(name, False),
                bins=fit_feature(ref, config.bins, step, config.lattice_min_steps),
            )
        )
        if not per_district or name == "district":
            continue
        ref_sorted, cur_sorted = ref.take(ref_order), cur.take(cur_order)
        for d in districts:
            ref_d = ref_sorted.take(ref_slices[d])
            local.append(
                make_test(
                    "feature",
                    name,
                    d,
                    ref_d,
                    cur_sorted.take(cur_slices[d]),
                    config,
                    config.practical(name, True),
                    bins=fit_feature(ref_d, config.bins, step, config.lattice_min_steps),
                )
            )
    return overall + local


def _logit(p: pl.Series) -> pl.Series:
    """Log-odds of probabilities (clipped to [1e-9, 1 - 1e-9]; nulls stay null)."""
    q = p.cast(pl.Float64).clip(1e-9, 1 - 1e-9)
    return (q / (1 - q)).log()


def score_tests(
    reference: pl.DataFrame, current: pl.DataFrame, config: DriftConfig
) -> list[DriftTest]:
    """PSI tests of the calibrated scores, one per issue (scores.parquet frames).

    Scores are binned on the log-odds scale with bins at least
    ``config.score_min_logit_width`` wide (see :func:`kizuki.monitor.bins.fit`)."""
    issues = sorted(
        set(reference["issue"].unique().to_list()) | set(current["issue"].unique().to_list())
    )
    ref_parts = reference.partition_by("issue", as_dict=True)
    cur_parts = current.partition_by("issue", as_dict=True)
    out = []
    for issue in issues:
        ref, cur = encode_pair(
            _logit(ref_parts.get((issue,), reference.clear())["score"]),
            _logit(cur_parts.get((issue,), current.clear())["score"]),
        )
        out.append(
            make_test(
                "score", issue, None, ref, cur, config, config.practical(issue, False),
                config.score_min_logit_width,
            )
        )
    return out


def decide(
    tests: Sequence[DriftTest], alpha: float, epsilon: float, seed: int
) -> tuple[pl.DataFrame, float]:
    """Apply the alarm rule to every test.

    A test alarms when PSI > its practical threshold and PSI > the null's critical value
    at level α / (number of tested tests); where the null's tail is not in the
    chi-square regime (a bin expects < 10 households) a would-be alarm is confirmed by a
    direct Monte-Carlo test at that level (:func:`kizuki.monitor.nulltest.confirm`).
    Out: (:data:`DRIFT_SCHEMA` frame sorted by alarm then PSI descending, the level).
    """
    n_tested = sum(t.tested for t in tests)
    level = alpha / max(n_tested, 1)
    rows = []
    for t in tests:
        crit = t.null.critical(level) if t.tested else None
        p_value = t.null.p_value() if t.tested else None
        method = "extrapolated" if t.tested else None
        draws = int(t.null.draws.size) if t.tested else None
        significant = bool(t.tested and crit is not None and t.psi > crit)
        if significant and t.psi > t.practical and t.null.needs_confirmation:
            rng = _rng(seed, "confirm", t.kind, t.name, t.district)
            p_value, extra = confirm(t.ref_counts, t.cur_counts, epsilon, level, rng)
            significant = p_value < level
            method, draws = "monte_carlo", extra
        alarm = bool(significant and t.psi > t.practical)
        n_r, n_c = int(t.ref_counts.sum()), int(t.cur_counts.sum())
        rows.append(
            {
                "kind": t.kind,
                "name": t.name,
                "district": t.district,
                "n_ref": n_r,
                "n_cur": n_c,
                "bins": t.bins.size,
                "psi": t.psi,
                "null_mean": t.null.mean,
                "critical": crit,
                "p_value": p_value,
                "method": method,
                "draws": draws,
                "practical": t.practical,
                "tested": t.tested,
                "significant": significant,
                "alarm": alarm,
                "labels": t.bins.labels(t.ref_counts),
                "ref_share": (t.ref_counts / max(n_r, 1)).tolist(),
                "cur_share": (t.cur_counts / max(n_c, 1)).tolist(),
            }
        )
    frame = pl.DataFrame(rows, schema=DRIFT_SCHEMA) if rows else DRIFT_SCHEMA.to_frame()
    frame = frame.sort(["alarm", "psi"], descending=[True, True], nulls_last=True)
    return frame, level


def feature_sources(registry: Iterable[object]) -> Mapping[str, tuple[str, ...]]:
    """feature name -> the contract tables it reads (from the feature registry)."""
    out: dict[str, tuple[str, ...]] = {}
    for f in registry:
        srcs = tuple(sorted({t for t, _ in getattr(f, "sources", ())}))
        out[str(f.name)] = srcs
    return out
