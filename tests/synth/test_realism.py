"""Composition, prevalence and traces of the synthetic municipalities, against domain.md.

Tolerances are wide enough for an 8,000-household town and the 960-household village,
narrow enough to catch a generator that drifts from the figures it is calibrated to.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from kizuki.contract.schema import ISSUES, RELATION
from kizuki.synth.generate import SynthDrop

END = dt.date(2026, 9, 1)
LAST_YEAR = [dt.date(2025 + (9 + i) // 12, (9 + i) % 12 + 1, 1) for i in range(12)]


def present(drop: SynthDrop, on: dt.date) -> pl.DataFrame:
    """Residents present on ``on`` with their age in whole years."""
    r = drop.tables["residents"]
    born = (pl.col("birth_month") + "-01").str.to_date()
    months = (on.year * 12 + on.month - 1) - (born.dt.year() * 12 + born.dt.month() - 1)
    return r.filter(
        (pl.col("valid_from") <= on) & (pl.col("valid_to").is_null() | (pl.col("valid_to") > on))
    ).with_columns(age=(months // 12).cast(pl.Int32))


def issue_on(drop: SynthDrop, issue: str, on: dt.date) -> pl.DataFrame:
    """household_id of households with the latent ``issue`` in month ``on``."""
    lat = drop.truth["latent"]
    return lat.filter((pl.col("issue") == issue) & (pl.col("month") == on)).select("household_id")


@pytest.mark.parametrize(
    ("name", "households", "people_per_household", "share_65"),
    [("town", 8000, 95383 / 45159, 0.295), ("village", 960, 1678 / 960, 0.446)],
)
def test_size_and_age_structure(
    request: pytest.FixtureRequest,
    name: str,
    households: int,
    people_per_household: float,
    share_65: float,
) -> None:
    drop: SynthDrop = request.getfixturevalue(name)
    now = present(drop, END)
    n_households = now["household_id"].n_unique()
    assert abs(n_households / households - 1) < 0.05
    assert abs(now.height / n_households - people_per_household) < 0.12
    assert abs(float((now["age"] >= 65).mean()) - share_65) < 0.03


def test_household_composition(town: SynthDrop) -> None:
    now = present(town, END)
    r = town.tables["residents"]
    assert set(r["relation"].unique()) == set(RELATION)
    assert set(r["end_reason"].drop_nulls().unique()) == {"moved_out", "died", "household_change"}
    hh = now.group_by("household_id").agg(
        n=pl.len(),
        n65=(pl.col("age") >= 65).sum(),
        head_age=pl.col("age").filter(pl.col("relation") == "head").first(),
        child_40_64=((pl.col("relation") == "child") & pl.col("age").is_between(40, 64)).any(),
        parent_75=((pl.col("relation") == "parent") & (pl.col("age") >= 75)).any(),
        head_75=((pl.col("relation") == "head") & (pl.col("age") >= 75)).any(),
    )
    alone_65 = float(((hh["n"] == 1) & (hh["n65"] == 1)).mean())
    assert 0.12 < alone_65 < 0.28  # people 65+ living alone: a fifth of households
    assert 0.30 < float((hh["n"] == 1).mean()) < 0.50
    # 8050 pairs are recorded either way round in 続柄
    parent_heads = hh.filter(pl.col("head_75") & pl.col("child_40_64")).height
    child_heads = hh.filter(pl.col("parent_75") & pl.col("head_age").is_between(40, 64)).height
    assert parent_heads > 20 and child_heads > 10
    foreign = float((now["nationality"] == "foreign").mean())
    assert 0.015 < foreign < 0.035


def test_care_certification_follows_the_age_curve(town: SynthDrop) -> None:
    """要介護認定 rate by age (domain.md) among residents on the last day of the history."""
    on = dt.date(2026, 9, 30)
    now = present(town, on)
    ltc = town.tables["care"].filter(
        (pl.col("kind") == "ltc")
        & (pl.col("valid_from") <= on)
        & (pl.col("valid_to").is_null() | (pl.col("valid_to") > on))
    )
    certified = now.with_columns(cert=pl.col("person_id").is_in(ltc["person_id"].implode()))
    targets = [(65, 69, 0.029), (70, 74, 0.055), (75, 79, 0.125), (80, 84, 0.272)]
    targets += [(85, 89, 0.49), (90, 130, 0.731)]
    for lo, hi, rate in targets:
        band = certified.filter(pl.col("age").is_between(lo, hi))
        se = (rate * (1 - rate) / band.height) ** 0.5
        assert abs(float(band["cert"].mean()) - rate) < 3 * se + 0.02, (lo, rate)
    assert float(certified.filter(pl.col("age") < 40)["cert"].mean()) == 0.0
    # disability certificates: a few percent of people
    for kind, lo, hi in (
        ("disability_physical", 0.02, 0.05),
        ("disability_intellectual", 0.004, 0.015),
        ("disability_mental", 0.004, 0.015),
    ):
        holders = town.tables["care"].filter(pl.col("kind") == kind)["person_id"].implode()
        share = float(now["person_id"].is_in(holders).mean())
        assert lo < share < hi, kind


def test_prevalence_of_each_issue(town: SynthDrop) -> None:
    lat = town.truth["latent"]
    assert set(lat["issue"].unique()) == set(ISSUES)
    withdrawn, pupils_yc, double, aid = [], [], [], []
    school = town.tables["school"].with_columns(month=(pl.col("month") + "-01").str.to_date())
    for on in LAST_YEAR:
        now = present(town, on)
        mid = now.filter(pl.col("age").is_between(40, 64))
        w = town.truth["withdrawn"].filter(pl.col("month") == on)
        withdrawn.append(mid.join(w, on="person_id").height / mid.height)
        pupils = school.filter(pl.col("month") == on).join(
            now.select("person_id", "household_id"), on="person_id"
        )
        if pupils.height:
            yc = pupils.join(issue_on(town, "young_carer", on), on="household_id")
            pupils_yc.append(yc.height / pupils.height)
            aid.append(float((pupils["school_aid"] != "none").mean()))
        pre = now.filter(pl.col("age") < 6).select("household_id").unique()
        double.append(
            pre.join(issue_on(town, "double_care", on), on="household_id").height / pre.height
        )
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    assert 0.012 < mean(withdrawn) < 0.025  # ひきこもり 40–64: 1.45–2.02%
    assert 0.03 < mean(pupils_yc) < 0.07  # young carers: 4.1–6.5% of pupils
    assert 0.10 < mean(aid) < 0.18  # 就学援助 13.9%
    assert 0.01 < mean(double) < 0.06  # ダブルケア: 2.5% of people raising preschool children
    # ひきこもり are mostly men (76.6%)
    sexes = town.truth["withdrawn"].join(
        town.tables["residents"].select("person_id", "sex").unique("person_id"), on="person_id"
    )
    assert 0.65 < float((sexes["sex"] == "M").mean()) < 0.88
    n_households = present(town, END)["household_id"].n_unique()
    share = {i: issue_on(town, i, END).height / n_households for i in ISSUES}
    assert 0.0005 < share["self_neglect"] < 0.005  # rare
    assert 0.02 < share["financial_hardship"] < 0.10
    assert 0.02 < share["elderly_isolation"] < 0.07
    assert 0.002 < share["eight050"] < 0.012


def test_needs_are_compound_more_often_than_chance(town: SynthDrop) -> None:
    lat = town.truth["latent"].filter(pl.col("month") == END)
    n = present(town, END)["household_id"].n_unique()
    e8 = lat.filter(pl.col("issue") == "eight050").select("household_id")
    fh = lat.filter(pl.col("issue") == "financial_hardship").select("household_id")
    both = e8.join(fh, on="household_id").height
    assert both > 0
    assert both / e8.height > 1.5 * fh.height / n  # hardship is likelier in 8050 households
    per_household = lat.group_by("household_id").len()
    assert per_household.filter(pl.col("len") >= 2).height > 0


def test_needs_start_persist_and_resolve(town: SynthDrop) -> None:
    lat = town.truth["latent"].filter(pl.col("issue") == "young_carer")
    spans = lat.group_by("household_id").agg(
        first=pl.col("month").min(), last=pl.col("month").max(), n=pl.len()
    )
    assert spans.filter(pl.col("first") > dt.date(2023, 10, 1)).height > 0  # start
    assert float(spans["n"].mean()) > 3  # persist
    assert spans.filter(pl.col("last") < dt.date(2026, 6, 1)).height > 0  # resolve


# ----------------------------------------------------------------------- traces


def test_young_carers_miss_school_but_absence_is_no_tell(town: SynthDrop) -> None:
    lat = town.truth["latent"]
    r = town.tables["residents"].select("person_id", "household_id").unique()
    yc = lat.filter(pl.col("issue") == "young_carer").select(
        "household_id", "month", yc=pl.lit(True)
    )
    s = (
        town.tables["school"]
        .join(r, on="person_id")
        .with_columns(month=(pl.col("month") + "-01").str.to_date())
        .join(yc, on=["household_id", "month"], how="left")
        .with_columns(pl.col("yc").fill_null(False))
    )
    rates = s.group_by("yc").agg(
        absent=pl.col("absent_days").sum() / pl.col("school_days").sum(),
        late=pl.col("late_days").sum() / pl.col("school_days").sum(),
    )
    by = {row["yc"]: row for row in rates.iter_rows(named=True)}
    assert by[True]["absent"] > 1.5 * by[False]["absent"]
    assert by[True]["late"] > 1.5 * by[False]["late"]
    # illness and 不登校 for other reasons: most pupils with many absences are no carers
    assert float(s.filter(pl.col("absent_days") >= 5)["yc"].mean()) < 0.5


def test_withdrawn_children_show_in_tax_but_so_do_others(town: SynthDrop) -> None:
    on = dt.date(2026, 6, 1)
    mid = present(town, on).filter(pl.col("age").is_between(40, 64))
    tax = town.tables["tax"].filter(pl.col("fiscal_year") == 2026)
    e8 = issue_on(town, "eight050", on).with_columns(e8=pl.lit(True))
    x = (
        mid.join(tax, on="person_id")
        .join(e8, on="household_id", how="left")
        .with_columns(
            pl.col("e8").fill_null(False),
            no_income=~pl.col("filed") | (pl.col("main_income") == "none"),
        )
    )
    by = dict(x.group_by("e8").agg(pl.col("no_income").mean()).iter_rows())
    assert by[True] > 2 * by[False]
    # students aside, spouses, people between jobs, withdrawn people living alone: most
    # middle-aged people with no income are not in an 8050 household
    assert float(x.filter("no_income")["e8"].mean()) < 0.2


def _utility_panel(drop: SynthDrop) -> pl.DataFrame:
    lat = drop.truth["latent"]
    u = drop.tables["utility"].with_columns(month=(pl.col("month") + "-01").str.to_date())
    for issue in ("elderly_isolation", "self_neglect", "financial_hardship"):
        flag = lat.filter(pl.col("issue") == issue).select(
            "household_id", "month", pl.lit(True).alias(issue)
        )
        u = u.join(flag, on=["household_id", "month"], how="left")
    return u.with_columns(
        pl.col("elderly_isolation", "self_neglect", "financial_hardship").fill_null(False)
    )


def test_water_and_bills_carry_isolation_neglect_and_hardship(town: SynthDrop) -> None:
    u = _utility_panel(town).filter(pl.col("period_months") == 1)
    year = u.filter(pl.col("month") >= LAST_YEAR[0])
    alone = present(town, END).group_by("household_id").agg(n=pl.len()).filter(pl.col("n") == 1)
    cv = (
        year.join(alone, on="household_id")
        .group_by("household_id")
        .agg(
            cv=pl.col("water_m3").std() / pl.col("water_m3").mean(),
            mean=pl.col("water_m3").mean(),
            iso=pl.col("elderly_isolation").all(),
            neg=pl.col("self_neglect").any(),
            n=pl.len(),
        )
        .filter(pl.col("n") == 12)
    )
    plain = cv.filter(~pl.col("iso") & ~pl.col("neg"))
    iso = cv.filter(pl.col("iso") & ~pl.col("neg"))
    neg = cv.filter(pl.col("neg"))
    assert iso.height > 10 and neg.height > 3
    assert iso["cv"].median() < 0.6 * plain["cv"].median()  # flat-lines
    assert iso["mean"].median() < plain["mean"].median()  # and falls
    assert neg["cv"].median() > 2 * plain["cv"].median()  # erratic
    # but a low month is weak evidence: frugal or absent households dip too
    low = cv.filter(pl.col("mean") < cv["mean"].quantile(0.1))
    assert float(low["iso"].mean()) < 0.6
    # hardship: unpaid balances and stop notices, though bills are forgotten by others
    unpaid = dict(
        u.group_by("financial_hardship").agg((pl.col("unpaid_yen") > 0).mean()).iter_rows()
    )
    assert unpaid[True] > 5 * unpaid[False]
    owing = u.filter(pl.col("unpaid_yen") > 0)
    assert 0.15 < float((~owing["financial_hardship"]).mean()) < 0.8
    assert u.filter(pl.col("stop_notice"))["financial_hardship"].mean() > 0.5


def test_isolated_and_neglecting_people_use_fewer_services(town: SynthDrop) -> None:
    lat = town.truth["latent"].filter(pl.col("issue").is_in(["elderly_isolation", "self_neglect"]))
    flag = lat.select("household_id", "month").unique().with_columns(cut_off=pl.lit(True))
    on = dt.date(2026, 6, 1)
    ltc = town.tables["care"].filter(
        (pl.col("kind") == "ltc")
        & pl.col("level").is_in(["care1", "care2", "care3", "care4", "care5"])
        & (pl.col("valid_from") <= on)
        & (pl.col("valid_to").is_null() | (pl.col("valid_to") > on))
    )
    used = town.tables["care_usage"].filter(pl.col("month") == "2026-06").select("person_id")
    people = (
        present(town, on)
        .join(ltc.select("person_id"), on="person_id")
        .join(flag.filter(pl.col("month") == on), on="household_id", how="left")
        .with_columns(
            pl.col("cut_off").fill_null(False),
            used=pl.col("person_id").is_in(used["person_id"].implode()),
        )
    )
    by = dict(people.group_by("cut_off").agg(pl.col("used").mean()).iter_rows())
    assert by[False] > 0.7  # certified people mostly use services …
    assert by[False] < 0.98  # … though some never do or stop
    assert by[True] < by[False] - 0.2
