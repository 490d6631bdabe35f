"""Shared test helpers: headless Chromium for pages a person reads (report, monitor, audit),
and the scoring-run factory of tests/monitor/factory.py (monitor, audit and CLI tests).

Tests that use the ``browser`` fixture are skipped only when ``chromium`` is not on PATH
(CI installs Debian's ``chromium`` and ``fonts-noto-cjk``).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

CHROMIUM = shutil.which("chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Browser:
    """Headless Chromium working in ``work`` (a fresh profile per call)."""

    work: Path

    def run(self, page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        """Open ``page`` (a local file) with extra Chromium flags."""
        self.work.mkdir(parents=True, exist_ok=True)
        profile = self.work / f"profile-{len(list(self.work.iterdir()))}"
        return subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],  # type: ignore[list-item]
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    def dom(self, page: Path) -> tuple[str, list[str]]:
        """The DOM after scripts ran, and the URLs the page itself requested."""
        net = self.work / f"net-{len(list(self.work.glob('net-*')))}.json"
        dom = self.run(page, f"--log-net-log={net}", "--dump-dom").stdout
        return dom, page_requests(net)

    def screenshot(self, page: Path, out: Path, width: int = 1100, height: int = 1600) -> Path:
        """A PNG of the top of the page."""
        self.run(page, f"--screenshot={out}", f"--window-size={width},{height}", "--hide-scrollbars")
        return out

    @staticmethod
    def ink_share(png: Path) -> float:
        """Share of dark pixels in a screenshot (blank page ≈ 0, black page ≈ 1)."""
        from PIL import Image

        img = Image.open(png).convert("L")
        hist = img.histogram()
        return sum(hist[:128]) / (img.size[0] * img.size[1])


def page_requests(net_log: Path) -> list[str]:
    """URLs the *page* asked for: requests whose network isolation key is the file:// page.

    Chromium's own background requests (update checks and the like) have other keys.
    """
    log = json.loads(net_log.read_text(encoding="utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [
        e["params"]["url"]
        for e in log["events"]
        if e["type"] == start
        and str(e["params"].get("network_isolation_key", "")).startswith("file://")
    ]


@pytest.fixture
def browser(tmp_path: Path) -> Browser:
    """Headless Chromium; skips the test when Chromium is not installed."""
    if CHROMIUM is None:
        pytest.skip("chromium is not on PATH (apt-get install chromium fonts-noto-cjk)")
    return Browser(tmp_path / "chromium")


def _load_by_path(name: str, path: Path) -> ModuleType:
    """A helper script or module loaded by path, once (tests run in importlib mode)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def factory() -> ModuleType:
    """tests/monitor/factory.py as a module (tests run in importlib mode, so it is loaded
    by path): fabricated scoring-run folders for monitor and audit tests."""
    return _load_by_path("kizuki_monitor_test_factory", Path(__file__).parent / "monitor" / "factory.py")


@pytest.fixture(scope="session")
def page_text() -> ModuleType:
    """benchmarks/page_text.py: a page's visible text, and its differences from the text
    captured from the pages before the page kit (with the listed unifications)."""
    return _load_by_path("kizuki_page_text", Path(__file__).parents[1] / "benchmarks" / "page_text.py")


@pytest.fixture(scope="session")
def tiny_model() -> Callable[..., object]:
    """``tiny_model(n=300, train=200, rounds=10, seed=0)``: LightGBM models for every issue
    fitted on random features (all model inputs, 20% positives), for tests that need a
    real model artifact but not a good one. The first ``train`` rows train, the rest
    calibrate."""
    import numpy as np

    from kizuki.contract.schema import ISSUES
    from kizuki.features.registry import model_inputs
    from kizuki.model.config import load_model_config
    from kizuki.model.lgbm import IssueModels, TrainSet

    def fit(n: int = 300, train: int = 200, rounds: int = 10, seed: int = 0) -> IssueModels:
        rng = np.random.default_rng(seed)
        feats = model_inputs()
        X = rng.normal(size=(n, len(feats)))
        y = (rng.random(n) < 0.2).astype(float)
        raw = load_model_config().model_dump(mode="json")
        raw["lightgbm"] |= {"max_rounds": rounds}
        cfg = type(load_model_config()).model_validate(raw)
        return IssueModels(feats, cfg).fit(
            {i: TrainSet(X[:train], y[:train]) for i in ISSUES},
            {i: TrainSet(X[train:], y[train:]) for i in ISSUES},
        )

    return fit


@pytest.fixture(scope="session")
def check_reasons() -> ModuleType:
    """benchmarks/check_reasons.py: reads a run folder and counts reasons that are not true."""
    return _load_by_path(
        "kizuki_check_reasons_script", Path(__file__).parents[1] / "benchmarks" / "check_reasons.py"
    )


@pytest.fixture(scope="session")
def golden_text() -> Callable[[str], list[str]]:
    """name -> the lines of tests/pages/golden/<name>.txt (text of the old pages)."""
    folder = Path(__file__).parent / "pages" / "golden"
    return lambda name: (folder / f"{name}.txt").read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="session")
def declare():
    """``declare(folder)``: write a drop.yaml (contract v2 §1) into a hand-made drop that
    declares every table file in it (purpose and legal basis given), for tests whose
    subject is not the declaration itself. Returns the drop.yaml path."""
    import datetime as dt

    from kizuki.contract.declaration import Declaration, TableBasis
    from kizuki.io.drop import write_declaration

    def _declare(folder: Path) -> Path:
        tables = sorted({p.stem for p in folder.iterdir() if p.suffix in (".csv", ".parquet")})
        basis = TableBasis("テスト用システム", "kizuki の試験", "該当なし（試験用の作成データ）")
        declaration = Declaration(2, "282065", "芦屋市", dt.date(2026, 9, 30), dict.fromkeys(tables, basis))
        return write_declaration(folder, declaration)

    return _declare


@pytest.fixture
def lenient_config(tmp_path: Path) -> Path:
    """A --config-dir whose validation.yaml allows every optional table to be absent
    (for CLI tests of hand-made drops that hold only a few tables)."""
    folder = tmp_path / "lenient-config"
    folder.mkdir()
    tables = ("tax", "care", "care_usage", "school", "utility", "outcomes")
    (folder / "validation.yaml").write_text(
        "config_version: 1\nmissing_tables:\n" + "".join(f"  {t}: allow\n" for t in tables),
        encoding="utf-8",
    )
    return folder
