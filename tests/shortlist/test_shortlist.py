"""Shortlist: capacities respected exactly, one row per household, documented order."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kizuki.config import validate_config
from kizuki.errors import ConfigError, ContractError
from kizuki.shortlist import (
    SHORTLIST_SCHEMA,
    ShortlistConfig,
    build_shortlist,
    capacity_of,
    district_capacities,
    load_shortlist_config,
    unknown_districts,
)
from kizuki.shortlist.config import Capacity

NO_KNOWN = pl.DataFrame(schema={"household_id": pl.String, "issue": pl.String})


def _cfg(**kw: object) -> ShortlistConfig:
    raw: dict[str, object] = {"config_version": 1, "capacity": {"default": {"count": 2}}}
    raw.update(kw)
    return validate_config(ShortlistConfig, raw)


def _cap(**caps: int) -> pl.DataFrame:
    return pl.DataFrame({"district": list(caps), "capacity": list(caps.values())})


def test_committed_config_loads() -> None:
    cfg = load_shortlist_config()
    assert cfg.config_version == 1
    assert cfg.priority in ("issue_turns", "expected_needs", "max_score")


@pytest.mark.parametrize(
    "bad",
    [
        {"default": {"count": 3, "share": 0.1}},
        {"default": {}},
        {"default": {"share": 1.5}},
        {"default": {"count": -1}},
        {"default": {"count": 3}, "extra": 1},
    ],
)
def test_bad_capacity_config_is_a_config_error(bad: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match="capacity"):
        validate_config(ShortlistConfig, {"config_version": 1, "capacity": bad})


def test_capacity_rules() -> None:
    assert capacity_of(Capacity(count=7), 100) == 7
    assert capacity_of(Capacity(count=7), 3) == 3  # never more than the households
    assert capacity_of(Capacity(share=0.01), 1500) == 15  # not 16 from float noise
    assert capacity_of(Capacity(share=0.01), 1501) == 16  # rounded up
    assert capacity_of(Capacity(share=0.01, minimum=5), 100) == 5


def test_district_capacities_use_overrides_and_report_unknown_names() -> None:
    cfg = _cfg(
        capacity={"default": {"share": 0.5}, "districts": {"東": {"count": 1}, "無": {"count": 9}}}
    )
    hh = pl.DataFrame({"household_id": list("abcdef"), "district": ["東"] * 3 + ["西"] * 3})
    caps = district_capacities(hh, cfg)
    assert caps.rows() == [("東", 3, 1, "district"), ("西", 3, 2, "default")]
    assert unknown_districts(caps, cfg) == ["無"]


def test_compound_household_comes_first_under_expected_needs() -> None:
    hh = pl.DataFrame({"household_id": ["A", "B", "C"], "district": ["d"] * 3})
    scores = pl.DataFrame(
        {
            "household_id": ["A", "A", "B", "B", "C", "C"],
            "issue": ["eight050", "financial_hardship"] * 3,
            "score": [0.40, 0.35, 0.50, 0.01, 0.02, 0.30],
        }
    )
    out = build_shortlist(scores, hh, NO_KNOWN, _cap(d=2), _cfg(priority="expected_needs"))
    # A is listed for both issues (expected needs 0.75) and goes before B (0.50)
    assert out["household_id"].to_list() == ["A", "B"]
    assert out["priority"].to_list() == [1, 2]
    assert out.row(0, named=True)["issues"] == ["eight050", "financial_hardship"]
    assert out["compound"].to_list() == [True, False]
    assert out["score"].to_list() == [0.40, 0.50]
    by_max = build_shortlist(scores, hh, NO_KNOWN, _cap(d=2), _cfg(priority="max_score"))
    assert by_max["household_id"].to_list() == ["B", "A"]


def test_issue_turns_gives_every_issue_its_share_whatever_its_base_rate() -> None:
    """A common issue with high probabilities (hardship) does not fill the list: the
    issues take turns by within-issue rank, and within a turn the compound household
    comes first."""
    n = 12
    hh = pl.DataFrame({"household_id": [f"h{i:02d}" for i in range(n)], "district": ["d"] * n})
    rows = []
    for i in range(n):
        rows.append((f"h{i:02d}", "financial_hardship", 0.9 - 0.01 * i))  # high, common
        rows.append((f"h{i:02d}", "elderly_isolation", 0.05 - 0.001 * ((i + 6) % n)))  # low, rare
    scores = pl.DataFrame(rows, schema=["household_id", "issue", "score"], orient="row")
    turns = build_shortlist(scores, hh, NO_KNOWN, _cap(d=4), _cfg(priority="issue_turns"))
    needs = build_shortlist(scores, hh, NO_KNOWN, _cap(d=4), _cfg(priority="expected_needs"))
    # expected_needs: the four highest hardship scores, isolation rides along only by chance
    assert needs["household_id"].to_list() == ["h00", "h01", "h02", "h03"]
    # issue_turns: the top two of each issue (h06, h07 rank 1-2 on isolation)
    assert sorted(turns["household_id"].to_list()) == ["h00", "h01", "h06", "h07"]
    first_turn = turns.filter(pl.col("priority") <= 2)
    assert sorted(first_turn["household_id"].to_list()) == ["h00", "h06"]
    # ties within a turn: the larger sum of listed probabilities first
    assert turns["household_id"].to_list()[0] == "h00"


def test_known_case_flagged_with_its_issues() -> None:
    hh = pl.DataFrame({"household_id": ["A", "B"], "district": ["d", "d"]})
    scores = pl.DataFrame(
        {"household_id": ["A", "B"], "issue": ["eight050", "eight050"], "score": [0.9, 0.8]}
    )
    known = pl.DataFrame({"household_id": ["B", "B"], "issue": ["self_neglect", "double_care"]})
    out = build_shortlist(scores, hh, known, _cap(d=5), _cfg())
    assert out["known_case"].to_list() == [False, True]
    assert out["known_issues"].to_list() == [[], ["double_care", "self_neglect"]]


def test_min_score_can_shorten_the_list() -> None:
    hh = pl.DataFrame({"household_id": ["A", "B"], "district": ["d", "d"]})
    scores = pl.DataFrame(
        {"household_id": ["A", "B"], "issue": ["eight050", "eight050"], "score": [0.9, 0.01]}
    )
    out = build_shortlist(scores, hh, NO_KNOWN, _cap(d=2), _cfg(min_score=0.05))
    assert out["household_id"].to_list() == ["A"]


def test_missing_column_is_a_contract_error() -> None:
    hh = pl.DataFrame({"household_id": ["A"]})
    scores = pl.DataFrame({"household_id": ["A"], "issue": ["eight050"], "score": [0.1]})
    with pytest.raises(ContractError, match="households: missing column"):
        build_shortlist(scores, hh, NO_KNOWN, _cap(d=1), _cfg())


ISSUES = ["eight050", "double_care", "self_neglect"]


def _reference(
    scores: list[tuple[str, str, float]],
    districts: dict[str, str],
    caps: dict[str, int],
    priority: str = "issue_turns",
):
    """A direct, loop-based statement of the documented rule (for comparison)."""
    listed: dict[str, list[tuple[str, float, int]]] = {}
    for d, k in caps.items():
        for issue in ISSUES:
            rows = [(h, s) for h, i, s in scores if i == issue and districts[h] == d]
            rows.sort(key=lambda r: (-r[1], r[0]))
            for rank, (h, s) in enumerate(rows[:k], start=1):
                listed.setdefault(h, []).append((issue, s, rank))
    out = {}
    for d, k in caps.items():
        cands = [(h, v) for h, v in listed.items() if districts[h] == d]
        if priority == "issue_turns":
            cands.sort(
                key=lambda r: (min(x[2] for x in r[1]), -round(sum(x[1] for x in r[1]), 9), r[0])
            )
        else:
            cands.sort(
                key=lambda r: (-round(sum(x[1] for x in r[1]), 9), -max(x[1] for x in r[1]), r[0])
            )
        for p, (h, v) in enumerate(cands[:k], start=1):
            out[h] = (d, p, sorted(x[0] for x in v))
    return out


@pytest.mark.parametrize("priority", ["issue_turns", "expected_needs"])
@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 25),
    data=st.data(),
)
def test_capacities_respected_exactly_and_rule_matches_reference(
    priority: str, n: int, data: st.DataObject
) -> None:
    districts = {f"H{i:03d}": data.draw(st.sampled_from(["北", "南", "東"])) for i in range(n)}
    caps = {d: data.draw(st.integers(0, 8)) for d in sorted(set(districts.values()))}
    scores = []
    for h in districts:
        for issue in ISSUES:
            if data.draw(st.booleans()):  # the household is in this issue's cohort
                # a coarse grid of scores makes ties common
                scores.append((h, issue, data.draw(st.sampled_from([0.0, 0.1, 0.2, 0.5, 0.9]))))
    frame = pl.DataFrame(
        scores,
        schema={"household_id": pl.String, "issue": pl.String, "score": pl.Float64},
        orient="row",
    )
    hh = pl.DataFrame({"household_id": list(districts), "district": list(districts.values())})
    cap = pl.DataFrame({"district": list(caps), "capacity": list(caps.values())})
    out = build_shortlist(frame, hh, NO_KNOWN, cap, _cfg(priority=priority))

    assert out.schema == SHORTLIST_SCHEMA
    assert out["household_id"].is_unique().all()
    in_cohort = {h for h, _, _ in scores}
    for d, k in caps.items():
        eligible = sum(1 for h, dd in districts.items() if dd == d and h in in_cohort)
        part = out.filter(pl.col("district") == d)
        assert part.height == min(k, eligible)  # exactly the capacity, or everyone
        assert part["priority"].to_list() == list(range(1, part.height + 1))
    ref = _reference(scores, districts, caps, priority)
    got = {
        r["household_id"]: (r["district"], r["priority"], sorted(r["issues"]))
        for r in out.iter_rows(named=True)
    }
    assert got == ref
