"""Global explanation of the trained models, for evaluators: which 気づき items drive each issue.

For a seeded sample of households (default 2,000, from the validation date's feature
frame) and each issue:

- the model's contributions (raw margin, LightGBM's tree SHAP ``pred_contrib``; the
  test ``tests/explain/test_shap.py`` checks them against ``shap.TreeExplainer``)
  summed per checklist item exactly as the reasons are (:mod:`.contributions`), then
  **mean |contribution| per item**: ``item_importance.csv`` / ``.md``;
- shap's summary (beeswarm) plot of the feature contributions, one PNG per issue:
  ``shap_beeswarm_<issue>.png`` (matplotlib headless, imported only here).

:func:`write_global_explanations` writes these into one folder, for ``kizuki train``
to log as the run's ``explanations/`` artifacts. Nothing here reads or prints a
household's values beyond the plotted points; the summary holds only aggregates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import polars as pl

from kizuki.contract.schema import ISSUES
from kizuki.errors import ContractError
from kizuki.explain.contributions import feature_contributions, item_contributions

#: households explained per issue (a sample: the plots and means need no more)
DEFAULT_SAMPLE = 2000

ITEM_IMPORTANCE_SCHEMA = pl.Schema(
    {
        "issue": pl.String,
        "rank": pl.UInt32,
        "item": pl.String,
        "mean_abs_contribution": pl.Float64,
        "share": pl.Float64,
        "households": pl.UInt32,
    }
)


class FeatureContributions(Protocol):
    """The part of ``kizuki.model.IssueModels`` a global explanation needs."""

    def contributions(
        self, X: pl.DataFrame, issue: str
    ) -> tuple[np.ndarray, float | np.ndarray, Sequence[str]]:
        """(n × f contributions, base value, f feature names), raw margin space."""
        ...


@dataclass(frozen=True)
class IssueExplanation:
    """One issue's contributions for the sampled households.

    ``values`` (n × f, raw margin), ``base`` (n), ``data`` (n × f feature values, NaN
    for null), ``features`` (f names), ``household_ids`` (n).
    """

    issue: str
    values: np.ndarray
    base: np.ndarray
    data: np.ndarray
    features: list[str]
    household_ids: list[str]


def sample_households(X: pl.DataFrame, n: int = DEFAULT_SAMPLE, seed: int = 0) -> pl.DataFrame:
    """A seeded sample of ``n`` rows of ``X`` (all rows when it has fewer), in ``X``'s order."""
    if n <= 0:
        raise ContractError(f"global explanation: sample size must be positive, got {n}")
    if X.height <= n:
        return X
    rows = np.sort(np.random.default_rng(seed).choice(X.height, size=n, replace=False))
    return X[rows]


def explain_issues(
    model: FeatureContributions,
    X: pl.DataFrame,
    issues: Sequence[str] = ISSUES,
) -> dict[str, IssueExplanation]:
    """Contributions per issue for every row of ``X`` (household_id plus the model features)."""
    out: dict[str, IssueExplanation] = {}
    for issue in issues:
        contrib, base, names = model.contributions(X, issue)
        values = np.asarray(contrib, dtype=np.float64)
        out[issue] = IssueExplanation(
            issue=issue,
            values=values,
            base=np.broadcast_to(np.asarray(base, dtype=np.float64), (X.height,)).copy(),
            data=X.select([pl.col(f).cast(pl.Float64) for f in names]).to_numpy(),
            features=list(names),
            household_ids=X["household_id"].to_list(),
        )
    return out


def item_importance(
    explanations: Mapping[str, IssueExplanation], feature_items: Mapping[str, str | None]
) -> pl.DataFrame:
    """Mean |contribution| per (issue, 気づき item) over the sampled households.

    In: per issue, an :class:`IssueExplanation`; the feature → item map (features
    without an item go to ``_other``, as in the reasons). An item's contribution for a
    household is the sum of its features' contributions (so the items' contributions
    plus the base still equal the raw output). Out: :data:`ITEM_IMPORTANCE_SCHEMA`, per
    issue ranked by the mean (1 = largest), ``share`` = mean / Σ means of the issue.
    """
    parts = []
    for issue, e in explanations.items():
        long, _ = feature_contributions(
            e.household_ids, issue, e.values, e.base, e.features, feature_items
        )
        parts.append(item_contributions(long))
    if not parts:
        return pl.DataFrame(schema=ITEM_IMPORTANCE_SCHEMA)
    table = (
        pl.concat(parts)
        .group_by("issue", "item")
        .agg(
            mean_abs_contribution=pl.col("contribution").abs().mean(),
            households=pl.col("household_id").n_unique(),
        )
        .with_columns(
            share=pl.col("mean_abs_contribution")
            / pl.col("mean_abs_contribution").sum().over("issue")
        )
        .sort(["issue", "mean_abs_contribution", "item"], descending=[False, True, False])
        .with_columns(rank=pl.int_range(1, pl.len() + 1).over("issue"))
    )
    order = {i: k for k, i in enumerate(explanations)}
    return (
        table.with_columns(_o=pl.col("issue").replace_strict(order, return_dtype=pl.Int64))
        .sort("_o", "rank")
        .drop("_o")
        .select(ITEM_IMPORTANCE_SCHEMA.names())
        .cast(dict(ITEM_IMPORTANCE_SCHEMA))
    )


def item_importance_markdown(table: pl.DataFrame, top: int = 10) -> str:
    """The :func:`item_importance` table as Markdown: per issue its ``top`` items."""
    n = int(table["households"].max() or 0) if table.height else 0
    out = [
        "# Global explanation: mean |contribution| per 気づき item",
        "",
        f"Raw margin (log-odds) contributions, {n:,} sampled households per issue; "
        "an item's contribution is the sum over its features.",
        "",
        "Direction: the mean |contribution| counts both directions alike. A positive "
        "contribution makes a household more likely to have the issue; a negative one makes "
        "it less likely. A high rank here says the item matters to the model, not that it is "
        "a sign of need; the reasons on the shortlist show only items that raised a "
        "household's score, and assert an item only when its checklist condition holds.",
        "",
    ]
    for (issue,), part in table.group_by("issue", maintain_order=True):
        out += [f"## {issue}", "", "| rank | item | mean abs contribution | share |", "|---|---|---|---|"]
        out += [
            f"| {r} | {item} | {m:.4f} | {s:.1%} |"
            for r, item, m, s in part.head(top)
            .select("rank", "item", "mean_abs_contribution", "share")
            .iter_rows()
        ]
        out.append("")
    return "\n".join(out)


def beeswarm_png(e: IssueExplanation, path: Path, max_display: int = 15) -> Path:
    """shap's summary (beeswarm) plot of one issue's feature contributions, as a PNG at ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import shap

    from kizuki.io.atomic import write_with

    explanation = shap.Explanation(
        values=e.values, base_values=e.base, data=e.data, feature_names=e.features
    )
    fig, ax = plt.subplots(figsize=(8, 0.4 * max_display + 1.6))
    try:
        shap.plots.beeswarm(explanation, max_display=max_display, ax=ax, show=False, plot_size=None)
        ax.set_title(f"{e.issue}: contributions to the raw margin ({len(e.household_ids):,} households)", fontsize=10)
        ax.set_xlabel(
            "contribution (log-odds): right of 0 makes the issue more likely, left less likely"
        )
        fig.tight_layout()
        write_with(path, lambda tmp: fig.savefig(tmp, format="png", dpi=90))
    finally:
        plt.close(fig)
    return path


def write_global_explanations(
    model: FeatureContributions,
    X: pl.DataFrame,
    folder: Path,
    *,
    feature_items: Mapping[str, str | None] | None = None,
    sample: int = DEFAULT_SAMPLE,
    seed: int = 0,
) -> Path:
    """Write ``item_importance.csv``, ``item_importance.md`` and one
    ``shap_beeswarm_<issue>.png`` per issue into ``folder`` (created); return ``folder``.

    In: a fitted model, a feature frame (household_id plus the model features; e.g. the
    validation date's), the feature → item map (default: the registry's), the sample size
    and seed.
    """
    from kizuki.io.atomic import write_text
    from kizuki.io.csv_safe import write_csv

    if feature_items is None:
        from kizuki.features.registry import REGISTRY

        feature_items = {f.name: f.item for f in REGISTRY}
    folder.mkdir(parents=True, exist_ok=True)
    explanations = explain_issues(model, sample_households(X, sample, seed))
    table = item_importance(explanations, feature_items)
    write_csv(folder / "item_importance.csv", table, bom=False)
    write_text(folder / "item_importance.md", item_importance_markdown(table))
    for issue, e in explanations.items():
        beeswarm_png(e, folder / f"shap_beeswarm_{issue}.png")
    return folder
