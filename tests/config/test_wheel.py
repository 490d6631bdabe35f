"""The built wheel carries the configs, and an installed kizuki finds them without the repository.

Before issue 9 the configs sat in ``<repo>/configs`` and ``kizuki.config`` looked three
folders above itself, so a wheel installed with pip failed on its first command
(``config file not found: …/lib/python3.11/configs/synth.yaml``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kizuki.config import config_names, packaged_text

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("uv") is None, reason="uv builds the wheel"),
]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        ["uv", "build", "--wheel", "--out-dir", str(out), str(REPO)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    (built,) = out.glob("kizuki-*.whl")
    return built


def test_the_wheel_holds_every_packaged_config(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for name in config_names():
            member = f"kizuki/configs/{name}.yaml"
            assert member in names
            assert z.read(member).decode("utf-8") == packaged_text(name)
        # the pipeline files kizuki demo runs (twins of the repository's pipelines/)
        for name in ("nightly.yaml", "monthly-retrain.yaml"):
            member = f"kizuki/runner/pipelines/{name}"
            assert member in names
            repo = (REPO / "pipelines" / name).read_text("utf-8")
            assert z.read(member).decode("utf-8") == repo
    assert len(config_names()) == 11


def test_an_unpacked_wheel_finds_its_configs_outside_the_repository(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)  # a pure-Python wheel unpacked is its installed layout
    probe = (
        "import json, kizuki\n"
        "from kizuki.config import config_names, config_path, is_packaged\n"
        "from kizuki.model.config import load_model_config\n"
        "from kizuki.synth.presets import load_synth_config\n"
        "paths = {n: str(config_path(n)) for n in config_names()}\n"
        "print(json.dumps({'kizuki': kizuki.__file__, 'paths': paths,\n"
        "  'packaged': all(is_packaged(config_path(n)) for n in config_names()),\n"
        "  'horizon': load_model_config().horizon_months,\n"
        "  'presets': sorted(load_synth_config().presets)}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIZUKI_")}
    env["PYTHONPATH"] = str(site)  # ahead of the editable install of the repository
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    got = json.loads(out.stdout)
    assert Path(got["kizuki"]).is_relative_to(site)
    assert set(got["paths"]) == set(config_names()) and got["packaged"]
    for name, path in got["paths"].items():
        assert Path(path) == site / "kizuki" / "configs" / f"{name}.yaml"
        assert not Path(path).is_relative_to(REPO)
    assert got["horizon"] == 6 and got["presets"] == ["ashiya", "city", "uken"]

    listed = subprocess.run(
        [sys.executable, "-m", "kizuki.cli", "config", "list"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [r.split("\t") for r in listed.stdout.strip().splitlines()]
    assert [r[0] for r in rows] == list(config_names())
    assert all(r[1] == "packaged" and Path(r[2]).is_relative_to(site) for r in rows)
