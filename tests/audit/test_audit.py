"""kizuki audit: group metrics against a direct computation and fairlearn, small-cell
suppression, pending outcomes, bootstrap intervals, alerts, and the command itself."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from kizuki.audit.config import load_audit_config
from kizuki.audit.core import ALL, OVERALL, audit_run
from kizuki.audit.labels import audit_frame, positives, truth_in_need
from kizuki.cli.main import app
from kizuki.io.drop import load_drop
from kizuki.runs import read_run

DIMS = ["district", "nationality", "hh_type", "oldest_age_band", "head_sex"]


@pytest.fixture(scope="module")
def inputs(audit_drop: Path, audit_run_dir: Path):
    folder = read_run(audit_run_dir)
    loaded = load_drop(audit_drop)
    pos = positives(loaded.tables["outcomes"], folder.as_of, folder.horizon_months)
    known_until = dt.date.fromisoformat(loaded.newest_knowledge_date())
    truth = truth_in_need(pl.scan_parquet(audit_drop / "truth" / "latent.parquet"), folder.as_of)
    return folder, pos, known_until, truth


@pytest.fixture(scope="module")
def result(inputs):
    folder, pos, known_until, truth = inputs
    config = load_audit_config().model_copy(update={"bootstrap": load_audit_config().bootstrap.model_copy(update={"replicates": 200})})
    return audit_run(folder, config, positive=pos, known_until=known_until, truth=truth)


def _direct(frame: pl.DataFrame, label: str, dim: str, issue: str) -> dict[str, dict[str, float]]:
    """Per group: the four cells and the six metrics by plain counting, one row at a time."""
    rows = frame if issue == ALL else frame.filter(pl.col("issue") == issue)
    out: dict[str, dict[str, float]] = {}
    groups = ["all"] if dim == OVERALL else sorted(set(rows[dim].to_list()))
    for g in groups:
        sel = rows if dim == OVERALL else rows.filter(pl.col(dim) == g)
        tp = fp = fn = tn = 0
        for listed, case in zip(sel["listed"].to_list(), sel[label].to_list(), strict=True):
            case = bool(case)
            tp += listed and case
            fp += listed and not case
            fn += (not listed) and case
            tn += (not listed) and not case
        n = tp + fp + fn + tn

        def div(a: int, b: int) -> float:
            return a / b if b else float("nan")

        out[g] = {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "tn": tn,
            "n": n,
            "recall": div(tp, tp + fn),
            "selection_rate": div(tp + fp, n),
            "precision": div(tp, tp + fp),
            "fnr": div(fn, tp + fn),
            "for": div(fn, fn + tn),
            "prevalence": div(tp + fn, n),
        }
    return out


def test_shown_numbers_equal_a_direct_per_group_computation(inputs, result) -> None:
    folder, pos, _, truth = inputs
    frame = audit_frame(folder, DIMS, pos, truth)
    shown = result.rows.filter(pl.col("status") == "shown", pl.col("dimension").is_in([OVERALL, *DIMS]))
    assert shown.height >= 50, "too few shown cells for the comparison to mean anything"
    cache: dict[tuple[str, str, str], dict[str, dict[str, float]]] = {}
    checked = 0
    for r in shown.iter_rows(named=True):
        label = "label" if r["source"] == "outcomes" else "truth"
        key = (label, r["dimension"], r["issue"])
        if key not in cache:
            cache[key] = _direct(frame, label, r["dimension"], r["issue"])
        expected = cache[key][r["group"]]
        assert r["value"] == pytest.approx(expected[r["metric"]], abs=1e-12), r
        if r["n"] is not None:
            assert r["n"] == expected["n"]
        checked += 1
    assert checked == shown.height


def test_shown_metrics_of_the_audit_equal_fairlearn_metricframe(inputs, result) -> None:
    """The oracle checks what ``audit_run`` published, not a copy of its counting."""
    from fairlearn.metrics import (
        MetricFrame,
        count,
        false_negative_rate,
        selection_rate,
        true_positive_rate,
    )
    from sklearn.metrics import precision_score

    folder, pos, _, truth = inputs
    pairs = [" × ".join(p) for p in load_audit_config().intersections]
    frame = audit_frame(folder, DIMS, pos, truth).with_columns(
        pl.concat_str([pl.col(c) for c in p], separator=" × ").alias(" × ".join(p))
        for p in load_audit_config().intersections
    )

    def false_omission_rate(y_true, y_pred) -> float:
        omitted = np.asarray(y_pred) == 0
        return float(np.mean(np.asarray(y_true)[omitted])) if omitted.any() else float("nan")

    def prevalence(y_true, y_pred) -> float:
        return float(np.mean(y_true))

    fns = {
        "n": count,
        "recall": true_positive_rate,
        "selection_rate": selection_rate,
        "precision": lambda t, p: precision_score(t, p, zero_division=np.nan),
        "fnr": false_negative_rate,
        "for": false_omission_rate,
        "prevalence": prevalence,
    }
    shown = result.rows.filter(
        pl.col("status") == "shown", pl.col("dimension").is_in([OVERALL, *DIMS, *pairs])
    )
    assert set(shown["source"].unique()) == {"outcomes", "truth"}
    assert set(shown["dimension"]) >= {OVERALL, *DIMS} and set(shown["dimension"]) & set(pairs)
    assert ALL in set(shown["issue"]) and len(set(shown["issue"])) > 1
    compared = 0
    for (source, issue, dim), rows in shown.group_by(
        "source", "issue", "dimension", maintain_order=True
    ):
        label = "label" if source == "outcomes" else "truth"
        part = frame if issue == ALL else frame.filter(pl.col("issue") == issue)
        mf = MetricFrame(
            metrics=fns,
            y_true=part[label].fill_null(False).cast(pl.Int8).to_numpy(),
            y_pred=part["listed"].cast(pl.Int8).to_numpy(),
            sensitive_features=np.zeros(part.height) if dim == OVERALL else part[dim].to_numpy(),
        )
        for r in rows.iter_rows(named=True):
            theirs = mf.overall if dim == OVERALL else mf.by_group.loc[r["group"]]
            expected = float(theirs[r["metric"]])
            assert r["value"] == pytest.approx(expected, abs=1e-12), (source, issue, dim, r["group"], r["metric"])
            if r["n"] is not None:
                assert r["n"] == int(theirs["n"]), (source, issue, dim, r["group"])
            compared += 1
    assert compared == shown.height and compared > 200


def test_no_shown_number_rests_on_a_cell_under_ten_households(inputs, result) -> None:
    folder, pos, _, truth = inputs
    frame = audit_frame(folder, DIMS, pos, truth)
    own = {
        "recall": ("tp", "fn"),
        "fnr": ("tp", "fn"),
        "precision": ("tp", "fp"),
        "for": ("fn", "tn"),
        "selection_rate": ("listed", "not_listed"),
        "prevalence": ("cases", "non_cases"),
    }
    rows = result.rows.filter(pl.col("dimension").is_in(DIMS), pl.col("issue") != ALL)
    assert rows.filter(pl.col("status") == "small").height > 0  # the village has small cells
    cache: dict[tuple[str, str, str], dict[str, dict[str, float]]] = {}
    for r in rows.filter(pl.col("status") == "shown").iter_rows(named=True):
        label = "label" if r["source"] == "outcomes" else "truth"
        key = (label, r["dimension"], r["issue"])
        if key not in cache:
            cache[key] = _direct(frame, label, r["dimension"], r["issue"])
        cell = dict(cache[key][r["group"]])
        cell |= {
            "listed": cell["tp"] + cell["fp"],
            "not_listed": cell["fn"] + cell["tn"],
            "cases": cell["tp"] + cell["fn"],
            "non_cases": cell["fp"] + cell["tn"],
        }
        assert all(cell[k] >= 10 for k in own[r["metric"]]), r
    # hidden numbers are null, not zero
    hidden = result.rows.filter(pl.col("status") != "shown")
    assert hidden["value"].null_count() == hidden.height
    assert result.rows.filter(pl.col("n_status") != "shown")["n"].null_count() == result.rows.filter(
        pl.col("n_status") != "shown"
    ).height


def test_intervals_hold_the_estimate_and_the_reference_group_differs_by_zero(result) -> None:
    shown = result.rows.filter(pl.col("status") == "shown", pl.col("low").is_not_null())
    assert shown.height > 0
    assert (shown["low"] <= shown["value"] + 1e-12).all()
    assert (shown["value"] <= shown["high"] + 1e-12).all()
    ref = shown.filter(pl.col("reference"), pl.col("diff").is_not_null())
    assert ref.height > 0
    assert (ref["diff"].abs() < 1e-12).all()
    assert ((ref["ratio"] - 1).abs() < 1e-12).all()
    # the reference is the largest group on the date
    assert set(result.references) == set(DIMS) | {
        " × ".join(p) for p in load_audit_config().intersections
    }


def test_outcomes_not_yet_known_are_said_to_be_pending(inputs) -> None:
    folder, pos, _, _ = inputs
    early = folder.as_of + dt.timedelta(days=60)  # a third of the horizon has passed
    res = audit_run(folder, load_audit_config(), positive=pos, known_until=early, truth=None)
    assert not res.labels_known
    assert 0 < res.matured_share < 1
    outcome_rows = res.rows.filter(pl.col("metric") != "selection_rate")
    assert set(outcome_rows["status"].unique()) <= {"pending", "protected", "small"}
    assert "pending" in set(outcome_rows["status"])
    assert outcome_rows["value"].null_count() == outcome_rows.height
    # what does not need outcomes is still shown
    assert res.rows.filter(pl.col("metric") == "selection_rate", pl.col("status") == "shown").height > 0


def test_audit_command_writes_json_and_html_and_names_no_record_values(
    audit_drop: Path, audit_run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIZUKI_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    out = tmp_path / "audit"
    res = CliRunner().invoke(
        app, ["audit", "--run", str(audit_run_dir), "--outcomes", str(audit_drop), "--out", str(out)]
    )
    assert res.exit_code in (0, 4), res.output
    doc = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    html = (out / "audit.html").read_text(encoding="utf-8")
    assert "再現率" in html and "地区" in html
    assert "&lt;10" in html  # suppressed cells are said to be small (escaped "<10")
    text = json.dumps(doc, ensure_ascii=False)
    # no household ID or person ID leaves the audit
    hh = pl.read_parquet(audit_run_dir / "features.parquet")["household_id"].to_list()
    assert not any(h in text or h in html for h in hh[:200])
    # tracked: an MLflow run with the recall metrics
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    runs = mlflow.search_runs(experiment_names=["kizuki-audit"])
    assert len(runs) == 1
    assert any(c.startswith("metrics.truth.recall") for c in runs.columns)


def test_audit_command_english_and_bad_input_are_one_line_errors(audit_run_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["audit", "--run", str(audit_run_dir), "--out", str(tmp_path / "en"), "--lang", "en", "--no-track"])
    assert res.exit_code in (0, 4), res.output
    assert "Recall" in (tmp_path / "en" / "audit.html").read_text(encoding="utf-8")
    bad = runner.invoke(app, ["audit", "--run", str(tmp_path / "nowhere"), "--no-track"])
    assert bad.exit_code not in (0, 4)
    assert "Traceback" not in bad.output
    lang = runner.invoke(app, ["audit", "--run", str(audit_run_dir), "--lang", "fr", "--no-track"])
    assert lang.exit_code != 0 and "ja or en" in lang.output
