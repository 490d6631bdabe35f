"""End to end (issue 10): a real synthetic drop, trained and scored by the pipeline, read
back as an outside reader would (``benchmarks/check_reasons.py``: shortlist.parquet's
reasons joined to features.parquet, the shipped checklist.yaml's rules evaluated on the
features). Zero reasons assert a condition the household does not meet, zero texts carry
a sign contradicting their verb, and the reasons stay faithful to the model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "check_reasons.py"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``kizuki demo``'s workflow on the small ``uken`` preset (960 households), with a
    fast model config and a tracking store of its own."""
    from kizuki.checklist import load_checklist_config
    from kizuki.features.config import load_feature_config
    from kizuki.model.config import ModelConfig, load_model_config
    from kizuki.pipeline.demo import run_demo
    from kizuki.report import load_report_config
    from kizuki.shortlist import load_shortlist_config

    out = tmp_path_factory.mktemp("reasons_e2e") / "demo"
    (out / "tracking").mkdir(parents=True)
    raw = load_model_config().model_dump(mode="json")
    raw["lightgbm"] |= {"max_rounds": 40, "early_stopping_rounds": 10}
    fast = ModelConfig.model_validate(raw | {"max_train_dates": 2})
    before = os.environ.get("KIZUKI_TRACKING_URI")
    os.environ["KIZUKI_TRACKING_URI"] = f"sqlite:///{out / 'tracking' / 'mlflow.db'}"
    try:
        summary = run_demo(
            out,
            "uken",
            model_config=fast,
            feature_config=load_feature_config(),
            checklist_config=load_checklist_config(),
            shortlist_config=load_shortlist_config(),
            report_config=load_report_config(),
        )
    finally:
        if before is None:
            os.environ.pop("KIZUKI_TRACKING_URI", None)
        else:
            os.environ["KIZUKI_TRACKING_URI"] = before
    yield summary.run


@pytest.mark.slow
def test_no_reason_asserts_what_is_not_so(run_dir: Path, check_reasons: ModuleType) -> None:
    counts = check_reasons.check_run(run_dir)
    assert counts.reasons > 0
    # both forms occur on a real run: the check is not vacuous
    assert 0 < counts.asserting < counts.reasons
    assert counts.has_holds
    assert counts.false_assertions == 0, counts.lines()
    assert counts.minus_signs == 0, counts.lines()
    assert counts.contradicted_signs == 0, counts.lines()
    assert counts.holds_mismatches == 0, counts.lines()


@pytest.mark.slow
def test_reasons_stay_faithful_to_the_model(run_dir: Path) -> None:
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reasons"]["pairs_explained"] > 0
    assert manifest["reasons"]["max_abs_error_vs_raw_output"] <= 1e-6
    reasons = (
        pl.read_parquet(run_dir / "shortlist.parquet")
        .select(pl.col("reasons").explode())
        .drop_nulls()
        .unnest("reasons")
    )
    # only contributions that raised the score are reasons
    assert (reasons["contribution"] > 0).all()


@pytest.mark.slow
def test_the_script_reads_a_run_folder_and_fails_on_a_false_reason(
    run_dir: Path, tmp_path: Path
) -> None:
    ok = subprocess.run(
        [sys.executable, str(SCRIPT), str(run_dir)], capture_output=True, text=True, timeout=300
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.strip().endswith("violations: 0")

    # a doctored copy: one neutral reason rewritten in its item's wording, one sign flipped
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "features.parquet").write_bytes((run_dir / "features.parquet").read_bytes())
    checklist = load_items()
    sl = pl.read_parquet(run_dir / "shortlist.parquet")
    rows = sl.to_dicts()
    lied = signed = False
    for row in rows:
        for r in row["reasons"]:
            if not lied and not r["holds"] and r["item"] in checklist:
                r["label_ja"] = checklist[r["item"]]
                r["text_ja"] = checklist[r["item"]]
                lied = True
            elif not signed:
                r["text_ja"] = r["text_ja"] + "（未納が3か月で-7,295円増加）"
                signed = True
    assert lied and signed
    pl.DataFrame(rows, schema=sl.schema).write_parquet(bad / "shortlist.parquet")
    res = subprocess.run(
        [sys.executable, str(SCRIPT), str(bad)], capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 1, res.stdout + res.stderr
    lines = res.stdout.splitlines()
    assert "  ... for a household that does not meet the condition: 1" in lines
    assert "texts with a minus sign before a number: 1" in lines
    # counts only: no household id is printed
    assert not any(h in res.stdout for h in sl["household_id"].to_list())


def load_items() -> dict[str, str]:
    """item id -> its Japanese wording, from the shipped checklist."""
    from kizuki.checklist import load_checklist_config

    return {i.id: i.ja for i in load_checklist_config().items}
