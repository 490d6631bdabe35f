"""Synthetic municipalities: deterministic, contract-valid, realistic, round-trips through csv-jp."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from kizuki.cli.main import app
from kizuki.contract.schema import ISSUES
from kizuki.io.drop import load_drop
from kizuki.synth.generate import generate
from kizuki.synth.presets import make_spec
from kizuki.synth.write import write_drop

runner = CliRunner()


@pytest.fixture(scope="module")
def uken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("uken")
    pq, jp = base / "pq", base / "jp"
    drop = generate(make_spec("uken", None, 36, 7))
    write_drop(drop, pq, "parquet")
    write_drop(drop, jp, "csv-jp")
    return pq, jp


def test_same_seed_same_drop() -> None:
    a = generate(make_spec("uken", 300, 30, 3))
    b = generate(make_spec("uken", 300, 30, 3))
    c = generate(make_spec("uken", 300, 30, 4))
    for name in a.tables:
        assert a.tables[name].equals(b.tables[name]), name
    assert not a.tables["residents"].equals(c.tables["residents"])


def test_parquet_and_csv_jp_load_to_identical_frames(uken: tuple[Path, Path]) -> None:
    pq, jp = uken
    a, b = load_drop(pq), load_drop(jp)
    assert b.report.tables["residents"].encoding == "cp932"
    raw = (jp / "residents.csv").read_bytes().decode("cp932")
    assert "世帯主" in raw.splitlines()[1] or "世帯主" in raw  # Japanese codes
    assert "個人ID" in raw.splitlines()[0]
    for name in a.tables:
        assert a.tables[name].collect().equals(b.tables[name].collect()), name


def test_every_preset_is_valid_with_no_rejects(uken: tuple[Path, Path]) -> None:
    pq, _ = uken
    result = runner.invoke(app, ["validate", str(pq), "--out", str(pq.parent / "v")])
    assert result.exit_code == 0, result.output
    loaded = load_drop(pq)
    for t in loaded.report.tables.values():
        assert t.rows_rejected == 0
    # the newest knowledge date is the end of the history (care claims arrive late and are cut)
    assert loaded.newest_knowledge_date() <= "2026-09-30"


def test_ashiya_size_and_age_structure() -> None:
    drop = generate(make_spec("ashiya", 6000, 24, 11))
    r = drop.tables["residents"]
    on = pl.date(2026, 9, 1)
    current = r.filter(
        (pl.col("valid_from") <= on) & (pl.col("valid_to").is_null() | (pl.col("valid_to") > on))
    )
    households = current["household_id"].n_unique()
    assert 5500 < households < 6500
    ppl = current.height / households
    assert 1.9 < ppl < 2.35  # ashiya: 95,383 / 45,159 = 2.11
    age = 2026 - current["birth_month"].str.slice(0, 4).cast(pl.Int32)
    share65 = float((age >= 65).mean())
    assert 0.25 < share65 < 0.34  # ashiya: 29.5%
    assert set(current["relation"].unique()) >= {"head", "spouse", "child", "parent"}
    assert set(r["end_reason"].drop_nulls().unique()) == {"moved_out", "died", "household_change"}


def test_latent_issues_leave_noisy_traces() -> None:
    drop = generate(make_spec("ashiya", 8000, 30, 5))
    latent = drop.truth["latent"]
    assert set(latent["issue"].unique()) == set(ISSUES)
    # young carers: pupils in households with the latent need miss more school
    r = drop.tables["residents"].select("person_id", "household_id").unique()
    school = (
        drop.tables["school"]
        .join(r, on="person_id")
        .with_columns(month=(pl.col("month") + "-01").str.to_date())
    )
    yc = latent.filter(pl.col("issue") == "young_carer").select(
        "household_id", "month", flag=pl.lit(True)
    )
    s = school.join(yc, on=["household_id", "month"], how="left").with_columns(
        pl.col("flag").fill_null(False)
    )
    rate = s.group_by("flag").agg(
        (pl.col("absent_days").sum() / pl.col("school_days").sum()).alias("r")
    )
    by = dict(rate.iter_rows())
    assert by[True] > 1.5 * by[False]
    # but absence alone is no tell: most pupils with high absence have no latent need
    high = s.filter(pl.col("absent_days") >= 5)
    assert float(high["flag"].mean()) < 0.5


def test_cases_are_a_delayed_partial_view() -> None:
    drop = generate(make_spec("ashiya", 8000, 36, 9))
    latent = drop.truth["latent"]
    out = drop.tables["outcomes"]
    confirmed = out.filter(pl.col("confirmed"))
    assert out.filter(~pl.col("confirmed")).height > 0
    needy = latent.select("household_id", "issue").unique()
    found = confirmed.select("household_id", "issue").unique()
    share_found = found.join(needy, on=["household_id", "issue"]).height / needy.height
    assert 0.05 < share_found < 0.8  # many needs never become cases
    # a confirmed case opens after the latent need started
    first = latent.group_by("household_id", "issue").agg(pl.col("month").min().alias("start"))
    j = confirmed.join(first, on=["household_id", "issue"])
    assert (j["opened_on"] >= j["start"]).all()


def test_ids_never_look_like_my_number() -> None:
    drop = generate(make_spec("uken", 200, 24, 1))
    ids = drop.tables["residents"]["person_id"]
    assert ids.str.contains(r"^P[0-9a-f]{16}$").all()
    assert not np.any(ids.str.contains(r"^\d{12}$").to_numpy())


def test_cli_synth_writes_drop_and_truth(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "synth",
            "--households",
            "150",
            "--months",
            "24",
            "--seed",
            "2",
            "--out",
            str(tmp_path / "d"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d" / "residents.parquet").exists()
    assert (tmp_path / "d" / "truth" / "latent.parquet").exists()
    bad = runner.invoke(app, ["synth", "--preset", "atlantis", "--out", str(tmp_path / "x")])
    assert bad.exit_code != 0 and "unknown preset" in bad.output


def test_no_row_is_known_after_the_end_of_the_history() -> None:
    drop = generate(make_spec("ashiya", 3000, 30, 13))
    end = pl.date(2026, 9, 30)
    for name in ("residents", "care"):
        assert drop.tables[name].filter(pl.col("valid_from") > end).height == 0, name
    assert drop.tables["outcomes"].filter(pl.col("opened_on") > end).height == 0
    tax = drop.tables["tax"]
    assert tax.filter(pl.col("recorded_on") > end).height == 0
