"""The per-district shortlist: which households to visit, in what order, for which issues.

Rule (documented in ``configs/shortlist.yaml`` and the report's methodology note):

1. A household is *listed for issue i* when, within its district, it ranks within the
   district's capacity on issue i alone (ties broken by household_id) and its
   calibrated probability is at least ``min_score``.
2. Every household listed for at least one issue is a candidate; candidates are
   ordered within the district by the configured priority and the first ``capacity``
   are kept. ``priority`` 1 is the first visit. Priorities:

   - ``issue_turns`` (default): the issues take turns. A household's key is its best
     rank within any one issue (1 = the top household of some issue); ties by the
     sum of the probabilities of its listed issues, then household_id. Each issue gets
     a comparable share of the visits, whatever its base rate.
   - ``expected_needs``: the sum of the probabilities of its listed issues (the
     expected number of needs one visit finds). Common issues with well-recorded
     cases (financial hardship) then fill most of the list.
   - ``max_score``: its highest probability.
3. Each household appears once, with all its listed issues (``issues``, highest
   probability first); ``compound`` marks two or more; ``known_case`` marks a
   household already in support (a confirmed case opened on or before the as-of
   date) for another issue, with those issues in ``known_issues``.

4. *Hold-back* (the outreach loop, contract §8, ``configs/outreach.yaml``): a
   (household, issue) pair in ``held_back`` (a visit with no need found, or declined,
   within the issue's hold-back months) is not listed for that issue; its place goes to
   the next household. :func:`held_back_rows` gives the held-back pairs with their
   score and whether they would have been listed, so that the report counts and shows
   them (never a silent drop). A household confirmed on a visit is a known case of the
   confirmed issue (the caller adds it to ``known_cases``): outside that issue's cohort,
   shown among those in support.

With ``min_score`` 0 and nothing held back, each district lists exactly
``min(capacity, households in any cohort)`` households.
"""

from __future__ import annotations

import polars as pl

from kizuki.errors import ContractError
from kizuki.shortlist.config import ShortlistConfig

SHORTLIST_SCHEMA = pl.Schema(
    {
        "household_id": pl.String,
        "district": pl.String,
        "priority": pl.Int64,
        "issues": pl.List(pl.String),
        "score": pl.Float64,
        "known_case": pl.Boolean,
        "compound": pl.Boolean,
        "issue_scores": pl.List(pl.Float64),
        "expected_needs": pl.Float64,
        "known_issues": pl.List(pl.String),
    }
)


def _require(frame: pl.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ContractError(f"{name}: missing column(s) {', '.join(missing)}")


def build_shortlist(
    scores: pl.DataFrame,
    households: pl.DataFrame,
    known_cases: pl.DataFrame,
    capacities: pl.DataFrame,
    config: ShortlistConfig,
    held_back: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Select and order the households to visit, per district, within capacity.

    In:
    - ``scores``: one row per (household_id, issue) in the cohort, with ``score``
      (calibrated probability);
    - ``households``: one row per household on the as-of date: ``household_id``,
      ``district``;
    - ``known_cases``: (``household_id``, ``issue``) with a confirmed case opened on
      or before the as-of date (may be empty);
    - ``capacities``: ``district``, ``capacity`` (see
      :func:`kizuki.shortlist.capacity.district_capacities`);
    - ``held_back`` (optional): (``household_id``, ``issue``) pairs not to list (rule 4).

    Out: :data:`SHORTLIST_SCHEMA`, one row per listed household, sorted by district
    then priority. Listed households per district = ``min(capacity, candidates)``.
    """
    _require(scores, "scores", ("household_id", "issue", "score"))
    _require(households, "households", ("household_id", "district"))
    _require(known_cases, "known_cases", ("household_id", "issue"))
    _require(capacities, "capacities", ("district", "capacity"))
    if households["district"].null_count():
        raise ContractError(
            f"households: column district has {households['district'].null_count()} null value(s)"
        )

    hh = households.select("household_id", "district")
    cap = capacities.select("district", pl.col("capacity").cast(pl.Int64))
    pairs = scores.lazy().select(
        "household_id", pl.col("issue").cast(pl.String), pl.col("score").cast(pl.Float64)
    )
    if held_back is not None:
        _require(held_back, "held_back", ("household_id", "issue"))
        held = held_back.lazy().select("household_id", pl.col("issue").cast(pl.String))
        pairs = pairs.join(held, on=["household_id", "issue"], how="anti")
    ranked = (
        pairs.join(hh.lazy(), on="household_id", how="inner")
        .join(cap.lazy(), on="district", how="left")
        .with_columns(pl.col("capacity").fill_null(0))
        .filter(pl.col("score") >= config.min_score)
        # cheap pre-filter on floats: keeps the top `capacity` of each (district, issue)
        # and any rows tied with them; the exact order (ties by household_id) follows
        .filter(
            pl.col("score").rank("min", descending=True).over("district", "issue")
            <= pl.col("capacity")
        )
        .sort(
            ["district", "issue", "score", "household_id"], descending=[False, False, True, False]
        )
        .with_columns(issue_rank=pl.int_range(1, pl.len() + 1).over("district", "issue"))
        .filter(pl.col("issue_rank") <= pl.col("capacity"))
    )
    candidates = (
        ranked.sort(["household_id", "score", "issue"], descending=[False, True, False])
        .group_by("household_id", maintain_order=True)
        .agg(
            pl.col("district").first(),
            pl.col("capacity").first(),
            issues=pl.col("issue"),
            issue_scores=pl.col("score"),
            score=pl.col("score").max(),
            expected_needs=pl.col("score").sum(),
            n_issues=pl.len(),
            best_rank=pl.col("issue_rank").min(),
        )
        # sums of probabilities that are equal but for floating-point rounding (0.2 + 0.5
        # against 0.5 + 0.2 + 0.0) are a tie, broken by household_id, not by the last bit
        .with_columns(needs_key=pl.col("expected_needs").round(9))
    )
    if config.priority == "issue_turns":
        keys = ["district", "best_rank", "needs_key", "household_id"]
        desc = [False, False, True, False]
    elif config.priority == "expected_needs":
        keys = ["district", "needs_key", "score", "household_id"]
        desc = [False, True, True, False]
    else:
        keys = ["district", "score", "n_issues", "needs_key", "household_id"]
        desc = [False, True, True, True, False]
    listed = (
        candidates.sort(keys, descending=desc)
        .with_columns(priority=pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("district"))
        .filter(pl.col("priority") <= pl.col("capacity"))
    )
    known = (
        known_cases.lazy()
        .select("household_id", pl.col("issue").cast(pl.String))
        .unique()
        .sort("household_id", "issue")
        .group_by("household_id", maintain_order=True)
        .agg(known_issues=pl.col("issue"))
    )
    out = (
        listed.join(known, on="household_id", how="left")
        .with_columns(
            known_issues=pl.col("known_issues").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        )
        .with_columns(
            known_case=pl.col("known_issues").list.len() > 0,
            compound=pl.col("n_issues") >= 2,
        )
        .sort("district", "priority")
        .select(list(SHORTLIST_SCHEMA.names()))
        .collect()
    )
    return out.cast(dict(SHORTLIST_SCHEMA))


HELD_BACK_SCHEMA = pl.Schema(
    {
        "household_id": pl.String,
        "district": pl.String,
        "issue": pl.String,
        "score": pl.Float64,
        "held_back_until": pl.Date,
        "would_list": pl.Boolean,
    }
)


def held_back_rows(
    scores: pl.DataFrame,
    households: pl.DataFrame,
    capacities: pl.DataFrame,
    held_back: pl.DataFrame,
    config: ShortlistConfig,
) -> pl.DataFrame:
    """The held-back pairs of the cohort, as the report counts and shows them.

    In: as :func:`build_shortlist`; ``held_back`` with ``household_id``, ``issue``,
    ``held_back_until``. Out: :data:`HELD_BACK_SCHEMA`, one row per held-back (household,
    issue) in the issue's cohort on the date: ``would_list`` is true when the pair ranks
    within its district's capacity for the issue among all the cohort (held back or
    not) with a probability of at least ``min_score``: the household would have been
    listed for the issue but for the hold. Sorted by district, issue, score (highest
    first), household_id.
    """
    _require(held_back, "held_back", ("household_id", "issue", "held_back_until"))
    hh = households.select("household_id", "district")
    cap = capacities.select("district", pl.col("capacity").cast(pl.Int64))
    held = held_back.select(
        "household_id", pl.col("issue").cast(pl.String), pl.col("held_back_until").cast(pl.Date)
    )
    out = (
        scores.lazy()
        .select("household_id", pl.col("issue").cast(pl.String), pl.col("score").cast(pl.Float64))
        .join(hh.lazy(), on="household_id", how="inner")
        .join(cap.lazy(), on="district", how="left")
        .with_columns(pl.col("capacity").fill_null(0))
        .sort(
            ["district", "issue", "score", "household_id"], descending=[False, False, True, False]
        )
        .with_columns(issue_rank=pl.int_range(1, pl.len() + 1).over("district", "issue"))
        .join(held.lazy(), on=["household_id", "issue"], how="inner")
        .with_columns(
            would_list=(pl.col("issue_rank") <= pl.col("capacity"))
            & (pl.col("score") >= config.min_score)
        )
        .select(list(HELD_BACK_SCHEMA.names()))
        .collect()
    )
    return out.cast(dict(HELD_BACK_SCHEMA))
