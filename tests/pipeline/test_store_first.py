"""monitor, audit and performance check the tracking store before their work, not after
it (issue 11 item 8): an unreachable store is StoreUnavailable (exit 3) and nothing is
written; with tracking off the store is never asked."""

from __future__ import annotations

import socket
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from kizuki.audit.config import load_audit_config
from kizuki.config import validate_config
from kizuki.errors import StoreUnavailable
from kizuki.monitor.config import load_monitor_config
from kizuki.pipeline.audit import run_audit
from kizuki.pipeline.monitor import run_monitor
from kizuki.pipeline.performance import run_performance
from kizuki.pipeline.score import Components, DropInput, LoadedModel, TableInput, run_score
from kizuki.report import ReportConfig
from kizuki.shortlist import ShortlistConfig

SHORTLIST_CFG = validate_config(
    ShortlistConfig, {"config_version": 1, "capacity": {"default": {"count": 5}}}
)
REPORT_CFG = validate_config(
    ReportConfig, {"config_version": 1, "bands": {"high": 0.3, "medium": 0.1}}
)


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def runs(tiny_models, kit, tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("first")
    out = []
    for as_of in (date(2026, 2, 28), date(2026, 3, 31)):
        features = kit.make_features(100, seed=as_of.month, as_of=as_of)
        residents = pl.DataFrame(
            {"household_id": features["household_id"], "known_on": [date(2026, 6, 30)] * 100}
        ).lazy()
        drop = DropInput(
            tables={"residents": residents},
            inputs={"residents": TableInput("residents.parquet", "ab" * 32, 100, 0, "parquet")},
        )
        comp = Components(
            load=lambda path, drop=drop: drop,
            features=lambda tables, t, features=features: features,
            model=lambda uri: LoadedModel(tiny_models, "models:/kizuki@champion", 6),
            checklist=kit.RuleChecklist,
            feature_items=lambda: kit.ITEMS,
            texts=lambda: kit.TEXTS,
        )
        run_score(
            Path("drop"),
            as_of,
            root / str(as_of),
            components=comp,
            shortlist_config=SHORTLIST_CFG,
            report_config=REPORT_CFG,
        )
        out.append(root / str(as_of))
    return out[0], out[1]


@pytest.fixture()
def dead_store(monkeypatch: pytest.MonkeyPatch) -> str:
    uri = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("KIZUKI_TRACKING_URI", uri)
    return uri


def test_monitor_checks_the_store_before_comparing(runs, dead_store, tmp_path: Path) -> None:
    ref, cur = runs
    with pytest.raises(StoreUnavailable, match="unreachable") as exc:
        run_monitor(ref, cur, tmp_path / "m", config=load_monitor_config())
    assert exc.value.exit_code == 3
    assert not (tmp_path / "m").exists()


def test_audit_checks_the_store_before_auditing(runs, dead_store, tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="unreachable"):
        run_audit(runs[1], tmp_path / "a", config=load_audit_config())
    assert not (tmp_path / "a").exists()


def test_performance_checks_the_store_before_loading(runs, dead_store, tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="unreachable"):
        run_performance(
            [runs[0].parent], tmp_path / "no-drop", tmp_path / "p", config=load_monitor_config()
        )
    assert not (tmp_path / "p").exists()
