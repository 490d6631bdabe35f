"""The scoring run: core on stand-in stages, and the run folder it writes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from kizuki.config import validate_config
from kizuki.errors import ContractError, KizukiError, ModelNotFound
from kizuki.io.files import read_json
from kizuki.pipeline.score import (
    Components,
    DropInput,
    LoadedModel,
    RunRefused,
    TableInput,
    run_score,
)
from kizuki.pipeline.score_core import (
    SCORES_SCHEMA,
    align_by_issue,
    known_cases_on,
    rank_scores,
    score_frames,
)
from kizuki.report import ReportConfig
from kizuki.runs import read_manifest
from kizuki.shortlist import ShortlistConfig

AS_OF = date(2026, 3, 31)
SHORTLIST_CFG = validate_config(
    ShortlistConfig,
    {
        "config_version": 1,
        "capacity": {"default": {"count": 6}, "districts": {"東地区": {"count": 2}}},
    },
)
REPORT_CFG = validate_config(
    ReportConfig, {"config_version": 1, "bands": {"high": 0.3, "medium": 0.1}}
)


def _known(features: pl.DataFrame) -> pl.DataFrame:
    ids = features["household_id"].to_list()
    return pl.DataFrame(
        {
            "household_id": ids[:5] + ids[:2],
            "issue": ["financial_hardship"] * 5 + ["self_neglect"] * 2,
        }
    )


@pytest.fixture(scope="module")
def result(tiny_models, kit):
    features = kit.make_features(300, seed=5)
    known = _known(features)
    res = score_frames(
        features,
        known,
        tiny_models,
        kit.RuleChecklist(),
        kit.ITEMS,
        kit.TEXTS,
        SHORTLIST_CFG,
        AS_OF,
    )
    return features, known, res


def test_scores_cover_the_cohort_only(result) -> None:
    features, known, res = result
    s = res.scores
    assert s.schema == SCORES_SCHEMA
    assert s.height == features.height * 6 - known.height
    assert s.join(known, on=["household_id", "issue"], how="semi").is_empty()
    assert s.select("household_id", "issue").is_duplicated().sum() == 0
    assert s["as_of"].unique().to_list() == [AS_OF]
    assert s["model_version"].unique().to_list() == ["tiny/1"]
    assert s["checklist_score"].null_count() == 0
    assert dict(res.cohorts.select("issue", "known_cases").iter_rows())["financial_hardship"] == 5


def test_rank_is_one_for_the_highest_within_each_issue(result) -> None:
    s = result[2].scores
    for _issue, part in s.group_by("issue"):
        part = part.sort("rank")
        assert part["rank"].to_list() == list(range(1, part.height + 1))
        assert part["score"].is_sorted(descending=True)


def test_rank_ties_follow_household_order_and_known_cases_leave_the_cohort() -> None:
    ids = pl.Series(["A", "B", "C", "D"])
    scores = {"x": np.array([0.5, 0.9, 0.5, 0.7])}
    checklist = {"x": np.array([0.1, 0.2, 0.3, 0.4])}
    known = pl.DataFrame({"household_id": ["D"], "issue": ["x"]})
    out = rank_scores(ids, scores, checklist, known, AS_OF, "v")
    assert out.select("household_id", "rank", "checklist_score").rows() == [
        ("A", 2, 0.1),
        ("B", 1, 0.2),
        ("C", 3, 0.3),
    ]


def test_align_by_issue_joins_when_rows_come_in_another_order() -> None:
    ids = pl.Series(["A", "B", "C"])
    frame = pl.DataFrame(
        {
            "household_id": ["C", "A", "B", "A", "B", "C"],
            "issue": ["x", "x", "x", "y", "y", "y"],
            "v": [3.0, 1, 2, 4, 5, 6],
        }
    )
    got = align_by_issue(frame, "v", ids, "test")
    assert got["x"].tolist() == [1.0, 2.0, 3.0] and got["y"].tolist() == [4.0, 5.0, 6.0]
    with pytest.raises(ContractError, match="issue x has 2 row"):
        align_by_issue(frame.slice(1, 5), "v", ids, "test")
    with pytest.raises(ContractError, match="1 missing value"):
        align_by_issue(
            frame.with_columns(v=pl.when(pl.col("v") == 4).then(float("nan")).otherwise("v")),
            "v",
            ids,
            "test",
        )


def test_shortlist_respects_capacity_and_is_fully_explained(result) -> None:
    _features, _, res = result
    sl = res.shortlist
    per = dict(sl.group_by("district").len().iter_rows())
    assert per == {"北地区": 6, "南地区": 6, "東地区": 2}
    assert res.explanation.max_abs_error < 1e-6
    listed = (
        sl.select("household_id", issue="issues").explode("issue").sort("household_id", "issue")
    )
    explained = res.explanation.totals.select("household_id", "issue").sort("household_id", "issue")
    assert explained.equals(listed)  # every listed pair, and nothing else
    # reasons attached to the shortlist are the household-level top reasons, strongest first
    for row in sl.iter_rows(named=True):
        contribs = [r["contribution"] for r in row["reasons"]]
        assert contribs == sorted(contribs, reverse=True) and len(contribs) <= 3
        assert all(c > 0 for c in contribs)
    assert sl["reasons"].list.len().sum() > 0
    # fired checklist items only for listed (household, issue) pairs
    assert res.fired.join(listed, on=["household_id", "issue"], how="anti").is_empty()
    assert sl["as_of"].unique().to_list() == [AS_OF]


def test_known_case_flag_in_shortlist(result) -> None:
    _, known, res = result
    sl = res.shortlist
    flagged = set(sl.filter("known_case")["household_id"].to_list())
    assert flagged == set(sl["household_id"].to_list()) & set(known["household_id"].to_list())


def test_faithfulness_is_enforced(tiny_models, kit) -> None:
    class Skewed(type(tiny_models)):
        def raw_score(self, X, issue):
            return super().raw_score(X, issue) + 0.01

    skewed = Skewed(tiny_models.boosters, tiny_models.features)
    with pytest.raises(ContractError, match="differ from the model's raw output"):
        score_frames(
            kit.make_features(60, 1),
            _known(kit.make_features(60, 1)).clear(),
            skewed,
            kit.RuleChecklist(),
            kit.ITEMS,
            kit.TEXTS,
            SHORTLIST_CFG,
            AS_OF,
        )


def test_known_cases_on_uses_confirmed_cases_opened_on_or_before_t() -> None:
    outcomes = pl.DataFrame(
        {
            "household_id": ["A", "B", "C", "D"],
            "issue": ["eight050", "eight050", "eight050", "eight050"],
            "opened_on": [date(2026, 3, 31), date(2026, 4, 1), date(2025, 1, 1), date(2025, 1, 1)],
            "confirmed": [True, True, False, True],
        }
    )
    assert known_cases_on(outcomes, AS_OF)["household_id"].to_list() == ["A", "D"]
    assert known_cases_on(None, AS_OF).is_empty()


# ----------------------------------------------------------------- the run folder


def _components(
    tiny_models,
    kit,
    features: pl.DataFrame,
    *,
    newest: date = date(2026, 9, 30),
    model_error: bool = False,
) -> Components:
    residents = pl.DataFrame(
        {"household_id": features["household_id"], "known_on": [date(2020, 1, 1)] * features.height}
    ).lazy()
    outcomes = pl.DataFrame(
        {
            "household_id": ["H000000", "H000001", "H000002"],
            "issue": ["financial_hardship"] * 3,
            "opened_on": [date(2025, 6, 1)] * 3,
            "confirmed": [True] * 3,
            "known_on": [date(2025, 6, 1), date(2025, 6, 1), newest],
        }
    ).lazy()
    rejects = {
        "utility": pl.DataFrame({"raw": ["x"], "rule": ["negative amount"], "column": ["water_m3"]})
    }
    drop = DropInput(
        tables={"residents": residents, "outcomes": outcomes},
        inputs={
            "residents": TableInput("residents.parquet", "ab" * 32, features.height, 0, "parquet"),
            "outcomes": TableInput("outcomes.csv", "cd" * 32, 4, 1, "csv"),
        },
        rejects=rejects,
        missing_tables=("school",),
    )

    def model(uri):
        if model_error:
            raise ModelNotFound(
                "no model is registered under models:/kizuki@champion; run kizuki train first"
            )
        return LoadedModel(tiny_models, uri or "models:/kizuki@champion", 6)

    return Components(
        load=lambda path: drop,
        features=lambda tables, as_of: features,
        model=model,
        checklist=kit.RuleChecklist,
        feature_items=lambda: kit.ITEMS,
        texts=lambda: kit.TEXTS,
    )


@pytest.fixture(scope="module")
def run(tiny_models, kit, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "2026-03-31"
    features = kit.make_features(200, seed=9)
    comp = _components(tiny_models, kit, features)
    summary = run_score(
        Path("/nonexistent/drop"),
        AS_OF,
        out,
        components=comp,
        shortlist_config=SHORTLIST_CFG,
        report_config=REPORT_CFG,
    )
    return out, summary, features


def test_run_folder_has_every_contract_file_and_column(run) -> None:
    out, _, features = run
    names = {p.relative_to(out).as_posix() for p in out.rglob("*")}
    assert {
        "scores.parquet",
        "shortlist.parquet",
        "shortlist.csv",
        "shortlist.xlsx",
        "report.html",
        "manifest.json",
        "features.parquet",
        "rejects/utility.parquet",
    } <= names
    assert not [n for n in names if n.rsplit("/", 1)[-1].startswith(".")]  # no temp files left
    scores = pl.read_parquet(out / "scores.parquet")
    assert scores.columns == [
        "household_id",
        "as_of",
        "issue",
        "score",
        "rank",
        "checklist_score",
        "model_version",
    ]
    sl = pl.read_parquet(out / "shortlist.parquet")
    assert sl.columns[:7] == [
        "household_id",
        "district",
        "priority",
        "issues",
        "score",
        "reasons",
        "known_case",
    ]
    assert pl.read_parquet(out / "features.parquet").equals(features)
    csv = (out / "shortlist.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf")
    assert pl.read_csv(csv[3:], infer_schema=False).height == sl.height


def test_manifest_records_inputs_model_and_timings(run) -> None:
    out, summary, _ = run
    assert read_manifest(out / "manifest.json") == summary.manifest
    m = read_json(out / "manifest.json")
    assert m == json.loads(json.dumps(summary.manifest.to_json(), default=str))
    assert m["as_of"] == "2026-03-31"
    assert m["model"] == {
        "uri": "models:/kizuki@champion",
        "version": "tiny/1",
        "horizon_months": 6,
    }
    assert m["code_version"]["kizuki"]
    assert len(m["config_hash"]) == 16
    assert m["inputs"]["residents"]["sha256"] == "ab" * 32
    assert m["inputs"]["outcomes"]["rows_rejected"] == 1
    assert m["inputs"]["outcomes"]["knowledge_date_max"] == "2026-09-30"
    assert m["inputs"]["school"] == {"present": False}
    assert m["drop"]["missing_tables"] == ["school"]
    assert set(m["timings_s"]) >= {
        "load",
        "features",
        "model",
        "shortlist",
        "reasons",
        "write",
        "total",
    }
    assert m["shortlist"]["listed"] == pl.read_parquet(out / "shortlist.parquet").height
    assert m["reasons"]["max_abs_error_vs_raw_output"] < 1e-6
    assert m["files"]["scores.parquet"]["bytes"] == (out / "scores.parquet").stat().st_size
    assert m["cohorts"]["financial_hardship"]["known_cases"] == 3
    # code counts of the kept rows known in the 12 months up to T (one case is known later)
    assert m["manifest_version"] == 2 and m["codes_window_months"] == 12
    assert m["inputs"]["outcomes"]["codes"] == {"issue": {"financial_hardship": 2}}
    assert m["inputs"]["residents"]["codes"] == {}
    assert "codes" not in m["inputs"]["school"]


def test_refuses_a_folder_that_holds_a_run_unless_overwrite(run, tiny_models, kit) -> None:
    out, _, features = run
    comp = _components(tiny_models, kit, features)
    kw = {"components": comp, "shortlist_config": SHORTLIST_CFG, "report_config": REPORT_CFG}
    with pytest.raises(RunRefused, match="already holds a scoring run"):
        run_score(Path("d"), AS_OF, out, **kw)
    again = run_score(Path("d"), AS_OF, out, overwrite=True, **kw)
    assert again.manifest.run_id != run[1].manifest.run_id
    # scores do not depend on the run
    assert pl.read_parquet(out / "scores.parquet").equals(run[1].result.scores)


def test_refuses_as_of_after_newest_knowledge_date(tiny_models, kit, tmp_path: Path) -> None:
    comp = _components(tiny_models, kit, kit.make_features(50, 1), newest=date(2026, 3, 1))
    with pytest.raises(RunRefused, match="after the newest knowledge date") as exc:
        run_score(
            Path("d"),
            AS_OF,
            tmp_path / "r",
            components=comp,
            shortlist_config=SHORTLIST_CFG,
            report_config=REPORT_CFG,
        )
    assert "2026" not in str(exc.value)  # no dates from the data in messages
    assert not (tmp_path / "r" / "manifest.json").exists()


def test_refuses_without_a_registered_model(tiny_models, kit, tmp_path: Path) -> None:
    comp = _components(tiny_models, kit, kit.make_features(50, 1), model_error=True)
    with pytest.raises(KizukiError, match="no model is registered"):
        run_score(
            Path("d"),
            AS_OF,
            tmp_path / "r",
            components=comp,
            shortlist_config=SHORTLIST_CFG,
            report_config=REPORT_CFG,
        )


def test_refuses_a_date_with_no_households(tiny_models, kit, tmp_path: Path) -> None:
    comp = _components(tiny_models, kit, kit.make_features(0, 1))
    with pytest.raises(RunRefused, match="no household exists"):
        run_score(
            Path("d"),
            AS_OF,
            tmp_path / "r",
            components=comp,
            shortlist_config=SHORTLIST_CFG,
            report_config=REPORT_CFG,
        )


def test_a_crash_while_writing_leaves_no_manifest_and_no_partial_file(
    tiny_models, kit, tmp_path: Path, monkeypatch
) -> None:
    import kizuki.pipeline.score as score_mod

    def crash(out, data, lang):
        (out / "shortlist.csv").write_bytes(b"")  # pretend one report got out
        raise OSError("disk full")

    monkeypatch.setattr(score_mod, "write_reports", crash)
    out = tmp_path / "r"
    comp = _components(tiny_models, kit, kit.make_features(80, 2))
    with pytest.raises(OSError, match="disk full"):
        run_score(
            Path("d"),
            AS_OF,
            out,
            components=comp,
            shortlist_config=SHORTLIST_CFG,
            report_config=REPORT_CFG,
        )
    assert not (out / "manifest.json").exists()  # an incomplete run has no manifest
    assert not [p for p in out.rglob(".*")]
