"""audit.html says what it said before the page kit (tests/pages/golden/), apart from the
unifications listed in benchmarks/page_text.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kizuki.cli.main import app


def audit_pages(run: Path, drop: Path, out: Path) -> dict[str, str]:
    """audit.html in Japanese and English, by golden name (paths masked)."""
    pages = {}
    for lang in ("ja", "en"):
        folder = out / lang
        res = CliRunner().invoke(
            app,
            ["audit", "--run", str(run), "--outcomes", str(drop), "--out", str(folder),
             "--no-track", "--lang", lang],
        )  # fmt: skip
        assert res.exit_code in (0, 4), res.output
        html = (folder / "audit.html").read_text(encoding="utf-8")
        pages[f"audit_{lang}"] = html.replace(str(drop), "DROP")
    return pages


@pytest.fixture(scope="module")
def pages(audit_run_dir, audit_drop, tmp_path_factory) -> dict[str, str]:
    return audit_pages(audit_run_dir, audit_drop, tmp_path_factory.mktemp("audit_pages"))


@pytest.mark.parametrize("name", ["audit_ja", "audit_en"])
def test_page_shows_the_same_text_as_before(
    pages: dict[str, str], name: str, page_text, golden_text
) -> None:
    old = golden_text(f"{name}")
    new = page_text.visible_text(pages[name])
    assert len(old) > 20
    diff = page_text.differences(old, new)
    assert diff == [], "\n".join(diff)
