"""The community view on a synthetic history: its figures against what happened, and its
page in headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from kizuki.community import community_table, load_community_config, write_community_page
from kizuki.history import HistoryLayout


@pytest.fixture(scope="module")
def table(synthetic_history: tuple[Path, Path]) -> pl.DataFrame:
    history, drop = synthetic_history
    return community_table(history, drop)


def test_realised_counts_fall_within_the_90_percent_interval_in_85_to_95_percent_of_cells(
    table: pl.DataFrame,
) -> None:
    cells = table.filter(pl.col("matured") & pl.col("district").is_not_null())
    assert cells.height >= 200  # 6 runs × 7 districts × 6 issues
    inside = cells.filter(pl.col("realised").is_between(pl.col("low"), pl.col("high")))
    share = inside.height / cells.height
    print(f"coverage of the 90% interval: {inside.height}/{cells.height} = {share:.3f}")
    assert 0.85 <= share <= 0.95


def test_the_figures_are_counts_of_the_run_itself(
    table: pl.DataFrame, synthetic_history: tuple[Path, Path]
) -> None:
    history, _ = synthetic_history
    run = HistoryLayout(history).run_dir(table["as_of"].max())
    scores = pl.read_parquet(run / "scores.parquet")
    whole = table.filter((pl.col("as_of") == table["as_of"].max()) & pl.col("district").is_null())
    for issue, expected, cohort, signs in whole.select(
        "issue", "expected", "cohort", "signs"
    ).iter_rows():
        s = scores.filter(pl.col("issue") == issue)
        assert cohort == s.height
        assert expected == pytest.approx(s["score"].sum())
        assert signs == s.filter(pl.col("checklist_score") > 0).height
    # districts add up to the municipality
    parts = (
        table.filter(pl.col("district").is_not_null())
        .group_by("as_of", "issue")
        .agg(pl.col("known", "cohort", "truth_need").sum())
    )
    totals = table.filter(pl.col("district").is_null()).select(
        "as_of", "issue", "known", "cohort", "truth_need"
    )
    assert parts.sort("as_of", "issue").equals(totals.sort("as_of", "issue"))
    # the synthetic truth holds more need than the records show
    assert (whole["truth_unknown"] > 0).all()


def test_the_page_renders_in_japanese_with_suppressed_cells_and_no_network(
    synthetic_history: tuple[Path, Path], browser
) -> None:
    history, drop = synthetic_history
    page = write_community_page(history, drop)
    assert page == HistoryLayout(history).community_page
    dom, requests = browser.dom(page)
    assert requests in ([], [page.as_uri()])  # nothing but the page itself
    assert "地域診断" in dom and "記録の数は地域の必要のすべてではありません" in dom
    assert re.search(r"約\d+世帯（90%の幅 \d+〜\d+）", dom)
    min_cell = load_community_config().min_cell
    assert f"{min_cell}世帯未満" in dom  # small counts are shown as such
    assert "真値" in dom  # synthetic: the truth beside the estimate
    assert "http://" not in dom.replace("http://www.w3.org/2000/svg", "")


def test_the_page_in_english(synthetic_history: tuple[Path, Path]) -> None:
    history, drop = synthetic_history
    text = write_community_page(history, drop, lang="en").read_text(encoding="utf-8")
    assert "Community view" in text and "90% range" in text


def test_without_a_drop_the_newest_run_s_drop_is_read(
    table: pl.DataFrame, synthetic_history: tuple[Path, Path]
) -> None:
    history, _ = synthetic_history
    assert community_table(history).equals(table)


def test_a_history_without_runs_is_one_line_exit_3(tmp_path: Path) -> None:
    from kizuki.community import NoHistory

    (tmp_path / "runs").mkdir()
    for folder in (tmp_path, tmp_path / "nothing"):
        with pytest.raises(NoHistory) as err:
            community_table(folder)
        assert err.value.exit_code == 3 and "\n" not in str(err.value)


def test_the_newest_attempt_of_a_date_is_read() -> None:
    from kizuki.community.table import _attempt

    names = ["2026-01-31", "2026-01-31.2", "2026-01-31.10"]
    assert [_attempt(Path("runs") / n) for n in names] == [1, 2, 10]


def test_without_outcomes_the_page_says_so_and_shows_no_known_or_realised(
    synthetic_history: tuple[Path, Path], tmp_path: Path
) -> None:
    from kizuki.community.page import community_page_data
    from kizuki.community.table import history_runs, run_table
    from kizuki.pages import words

    history, _ = synthetic_history
    cfg = load_community_config()
    run = history_runs(history)[-1]
    t = run_table(run, None, None, None, cfg)
    assert t["known"].is_null().all() and t["realised"].is_null().all()
    assert t["truth_need"].is_null().all() and not t["matured"].any()
    data = community_page_data(t, cfg, words("community", "ja"), run.horizon_months)
    assert not data["has_outcomes"] and not data["truth"] and data["check"] is None
    # the expected counts are still there, from the scores alone
    assert t.filter(pl.col("district").is_null())["expected"].sum() > 0
