"""Model contributions summed per 気づき checklist item.

LightGBM's ``pred_contrib`` splits one household's raw output (log-odds, before
calibration) into one contribution per feature plus a base value:
``raw = base + Σ_f contribution_f``. Every model feature belongs to exactly one
checklist item (``kizuki.features.registry``: ``Feature.item``), so summing the
contributions of an item's features keeps the identity exact:
``raw = base + Σ_item contribution_item``. A feature without an item is put under
:data:`OTHER_ITEM` so that nothing is dropped from the sum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from kizuki.errors import ContractError

#: item id for model features that belong to no checklist item (never shown as a reason)
OTHER_ITEM = "_other"

FEATURE_CONTRIB_SCHEMA = pl.Schema(
    {
        "household_id": pl.String,
        "issue": pl.String,
        "feature": pl.String,
        "item": pl.String,
        "contribution": pl.Float64,
    }
)
ITEM_CONTRIB_SCHEMA = pl.Schema(
    {
        "household_id": pl.String,
        "issue": pl.String,
        "item": pl.String,
        "contribution": pl.Float64,
    }
)
BASE_SCHEMA = pl.Schema(
    {
        "household_id": pl.String,
        "issue": pl.String,
        "base_value": pl.Float64,
        "raw_score": pl.Float64,
    }
)


def feature_contributions(
    household_ids: Sequence[str] | pl.Series,
    issue: str,
    contrib: np.ndarray,
    base_value: float | np.ndarray,
    feature_names: Sequence[str],
    feature_items: Mapping[str, str | None],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Turn one issue's contribution matrix into long frames.

    In: ``n`` household ids; ``contrib`` (n × f) and ``base_value`` (scalar or n) from
    the model's ``contributions(X, issue)``; the f ``feature_names``; the feature →
    checklist item map (features missing from it, or mapped to None, go to
    :data:`OTHER_ITEM`).
    Out: (:data:`FEATURE_CONTRIB_SCHEMA`, n × f rows; :data:`BASE_SCHEMA`, n rows with
    ``raw_score = base_value + Σ contributions``).
    """
    ids = pl.Series("household_id", household_ids, dtype=pl.String)
    matrix = np.asarray(contrib, dtype=np.float64)
    n = ids.len()
    if matrix.ndim != 2 or matrix.shape != (n, len(feature_names)):
        raise ContractError(
            f"contributions for issue {issue}: expected a {n}×{len(feature_names)} matrix, "
            f"got shape {matrix.shape}"
        )
    base = np.broadcast_to(np.asarray(base_value, dtype=np.float64), (n,))
    items = [feature_items.get(f) or OTHER_ITEM for f in feature_names]
    f = len(feature_names)
    long = pl.DataFrame(
        {
            "household_id": ids.gather(np.repeat(np.arange(n), f)) if n else ids,
            "issue": pl.repeat(issue, n * f, dtype=pl.String, eager=True),
            "feature": pl.Series(list(feature_names) * n, dtype=pl.String),
            "item": pl.Series(items * n, dtype=pl.String),
            "contribution": matrix.reshape(-1),
        },
        schema=FEATURE_CONTRIB_SCHEMA,
    )
    totals = pl.DataFrame(
        {
            "household_id": ids,
            "issue": pl.repeat(issue, n, dtype=pl.String, eager=True),
            "base_value": base,
            "raw_score": base + matrix.sum(axis=1),
        },
        schema=BASE_SCHEMA,
    )
    return long, totals


def item_contributions(feature_contrib: pl.DataFrame) -> pl.DataFrame:
    """Sum feature contributions per checklist item.

    In: :data:`FEATURE_CONTRIB_SCHEMA`. Out: :data:`ITEM_CONTRIB_SCHEMA`, one row per
    (household_id, issue, item), sorted by those keys.
    """
    return (
        feature_contrib.group_by("household_id", "issue", "item")
        .agg(pl.col("contribution").sum())
        .sort("household_id", "issue", "item")
        .cast(dict(ITEM_CONTRIB_SCHEMA))
    )


def faithfulness_error(
    item_contrib: pl.DataFrame, totals: pl.DataFrame, raw_output: pl.DataFrame
) -> float:
    """Largest |base + Σ_item contribution − model raw output| over (household, issue).

    In: :data:`ITEM_CONTRIB_SCHEMA`; :data:`BASE_SCHEMA`; ``raw_output`` with
    ``household_id``, ``issue``, ``raw`` (the model's own raw margin). Out: the
    maximum absolute difference (0.0 for empty input). Raises ContractError when a
    (household, issue) is missing on either side.
    """
    sums = item_contrib.group_by("household_id", "issue").agg(item_sum=pl.col("contribution").sum())
    joined = totals.join(sums, on=["household_id", "issue"], how="full", coalesce=True).join(
        raw_output.select("household_id", "issue", "raw"),
        on=["household_id", "issue"],
        how="full",
        coalesce=True,
    )
    missing = joined.filter(
        pl.any_horizontal(pl.col("base_value", "item_sum", "raw").is_null())
    ).height
    if missing:
        raise ContractError(
            f"reasons: {missing} (household, issue) pair(s) lack contributions or a raw output"
        )
    if joined.is_empty():
        return 0.0
    err = joined.select(
        (pl.col("base_value") + pl.col("item_sum") - pl.col("raw")).abs().max()
    ).item()
    return float(err)
