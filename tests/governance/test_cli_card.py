"""``kizuki model card URI [--out DIR] [--lang ja|en]``: its exit codes (contract §6) with
the real CLI: 0 done, 2 usage (bad language, no such version), 3 a version without a card."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from kizuki import tracking
from kizuki.cli.main import app

runner = CliRunner()


def _one_error(r: Any, code: int, *words: str) -> None:
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output
    err = [line for line in r.stderr.splitlines() if line.startswith("kizuki: error:")]
    assert len(err) == 1, r.stderr
    for w in words:
        assert w in err[0], err[0]


def test_model_card_writes_the_pages_and_prints_the_card(trained: Any, store: str, tmp_path: Path) -> None:
    out = tmp_path / "card"
    r = runner.invoke(app, ["model", "card", "models:/kizuki@champion", "--out", str(out), "--lang", "en"])
    assert r.exit_code == 0, r.output
    printed = Path(r.stdout.strip().splitlines()[-1])
    assert printed == out / "model_card.en.html" and printed.is_file()
    names = {p.name for p in out.iterdir()}
    assert {"model_card.json", "register.json", "model_card.en.md", "register.en.md",
            "methodology.en.html"} <= names
    assert "model_card.html" not in names  # --lang en: the English pages only
    text = printed.read_text(encoding="utf-8")
    assert f"kizuki version {tracking.champion_version()}" in text


def test_model_card_with_a_bad_language_is_2(trained: Any, store: str, tmp_path: Path) -> None:
    r = runner.invoke(app, ["model", "card", trained.v1.uri, "--out", str(tmp_path / "c"), "--lang", "fr"])
    _one_error(r, 2, "--lang", "'fr'")
    assert not (tmp_path / "c").exists()


def test_model_card_of_no_such_version_is_2(trained: Any, store: str, tmp_path: Path) -> None:
    r = runner.invoke(app, ["model", "card", "models:/kizuki/99", "--out", str(tmp_path / "c")])
    _one_error(r, 2, "models:/kizuki/99")
    assert not (tmp_path / "c").exists()


def test_model_card_of_a_version_without_a_card_is_3(trained: Any, store: str, tmp_path: Path) -> None:
    folder, _ = tracking.download_model(trained.v1.uri)
    old = tmp_path / "old-model"
    shutil.copytree(folder, old, ignore=shutil.ignore_patterns("governance"))
    r = runner.invoke(app, ["model", "card", str(old), "--out", str(tmp_path / "c")])
    _one_error(r, 3, "carries no model card", "kizuki train")
    assert not (tmp_path / "c").exists()
