"""Where configs come from: packaged defaults, override folders (file by file), the CLI's
``--config-dir`` / ``KIZUKI_CONFIG_DIR``, and one-line refusals (exit 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import kizuki
from kizuki.checklist import load_checklist_config
from kizuki.cli.main import app
from kizuki.config import (
    check_config_dir,
    config_names,
    config_path,
    is_packaged,
    load_config,
    packaged_dir,
    packaged_text,
    session_config_dir,
    using_config_dir,
)
from kizuki.config.validation import load_validation_config
from kizuki.errors import ConfigError, ConfigRefused
from kizuki.features.config import load_feature_config
from kizuki.model.config import load_model_config
from kizuki.report import load_report_config
from kizuki.shortlist import ShortlistConfig, load_shortlist_config
from kizuki.synth.presets import load_synth_config

runner = CliRunner()
NAMES = (
    "audit",
    "checklist",
    "community",
    "features",
    "model",
    "monitor",
    "outreach",
    "report",
    "shortlist",
    "synth",
    "validation",
)


def _override(folder: Path, name: str, edit: dict[str, object]) -> Path:
    """Write ``folder/<name>.yaml``: the packaged default with top-level keys replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    raw = yaml.safe_load(packaged_text(name)) | edit
    (folder / f"{name}.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return folder


def test_defaults_ship_inside_the_package_and_every_loader_reads_them() -> None:
    # on the old code the folder was <repo>/configs, three levels above the package
    assert Path(str(packaged_dir())).is_relative_to(Path(kizuki.__file__).parent)
    assert config_names() == NAMES
    for name in NAMES:
        path = config_path(name)
        assert is_packaged(path) and path.name == f"{name}.yaml"
    assert load_model_config().horizon_months == 6
    assert load_shortlist_config().config_version == 1
    for loader in (
        load_feature_config,
        load_checklist_config,
        load_report_config,
        load_synth_config,
        load_validation_config,
    ):
        assert loader() is not None


def test_a_folder_overrides_only_the_files_it_holds(tmp_path: Path) -> None:
    folder = _override(tmp_path / "ashiya", "model", {"horizon_months": 3})
    assert load_model_config(folder).horizon_months == 3
    # shortlist.yaml is not in the folder: the packaged default is read for that file
    assert load_shortlist_config(folder) == load_shortlist_config()
    assert is_packaged(config_path("shortlist", folder))
    assert config_path("model", folder) == folder / "model.yaml"


def test_session_folder_applies_when_no_folder_is_passed_and_an_explicit_folder_wins(
    tmp_path: Path,
) -> None:
    session = _override(tmp_path / "session", "model", {"horizon_months": 3})
    _override(session, "features", {})
    explicit = _override(tmp_path / "explicit", "model", {"horizon_months": 9})
    assert session_config_dir() is None
    with using_config_dir(session):
        assert session_config_dir() == session
        assert load_model_config().horizon_months == 3
        assert load_model_config(explicit).horizon_months == 9
        # file by file: explicit folder lacks features.yaml -> the session's, not the default
        assert config_path("features", explicit) == session / "features.yaml"
        assert is_packaged(config_path("shortlist", explicit))
    assert session_config_dir() is None
    assert load_model_config().horizon_months == 6


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "nope", "config folder not found"),
        (lambda p: (p / "f.yaml").write_text("x") and p / "f.yaml", "is not a folder"),
        (lambda p: (p / "shortlst.yaml").write_text("x") and p, "'shortlst.yaml' is not a kizuki config"),
        (lambda p: (p / "shortlist.yml").write_text("x") and p, "'shortlist.yml' is not a kizuki config"),
    ],
)
def test_bad_override_folders_are_refused_before_anything_is_read(
    tmp_path: Path, make: object, message: str
) -> None:
    folder = make(tmp_path)  # type: ignore[operator]
    for attempt in (
        lambda: check_config_dir(folder),
        lambda: load_shortlist_config(folder),
        lambda: using_config_dir(folder).__enter__(),
    ):
        with pytest.raises(ConfigRefused, match=message) as err:
            attempt()
        assert err.value.exit_code == 3 and "\n" not in str(err.value)
    assert session_config_dir() is None


def test_an_unreadable_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(self: Path) -> object:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "iterdir", denied)
    with pytest.raises(ConfigRefused, match=r"config folder cannot be read: .* \(PermissionError\)"):
        check_config_dir(tmp_path)


def test_bad_files_in_an_override_folder_are_refused_with_exit_3(tmp_path: Path) -> None:
    (tmp_path / "shortlist.yaml").write_text("capacity: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigRefused, match=r"shortlist\.yaml is not valid YAML") as err:
        load_shortlist_config(tmp_path)
    assert err.value.exit_code == 3
    _override(tmp_path, "shortlist", {"config_version": "two"})
    with pytest.raises(ConfigRefused, match="field 'config_version'"):
        load_config(ShortlistConfig, "shortlist", tmp_path)
    (tmp_path / "shortlist.yaml").unlink()
    (tmp_path / "shortlist.yaml").mkdir()
    with pytest.raises(ConfigRefused, match="cannot be read"):
        load_shortlist_config(tmp_path)


def test_unknown_names_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="no packaged config named 'nope'"):
        packaged_text("nope")
    with pytest.raises(ConfigError, match=r"nope\.yaml"):
        config_path("nope")


# ----------------------------------------------------------------------------- CLI


def test_cli_global_option_and_environment_variable_reach_a_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synth = yaml.safe_load(packaged_text("synth"))
    synth["presets"]["uken"]["households"] = 150
    folder = _override(tmp_path / "cfg", "synth", {"presets": synth["presets"]})

    def households(*args: str) -> str:
        out = tmp_path / f"drop{len(list(tmp_path.glob('drop*')))}"
        res = runner.invoke(app, [*args, "synth", "--preset", "uken", "--months", "24", "--out", str(out)])
        assert res.exit_code == 0, res.output
        return res.stderr

    assert "uken, 150 households" in households("--config-dir", str(folder))
    assert "uken, 960 households" in households()
    monkeypatch.setenv("KIZUKI_CONFIG_DIR", str(folder))
    assert "uken, 150 households" in households()
    # the option beats the environment: a folder without synth.yaml -> the packaged preset
    (tmp_path / "other").mkdir()
    assert "uken, 960 households" in households("--config-dir", str(tmp_path / "other"))
    assert session_config_dir() is None  # the CLI's folder ends with the command


@pytest.mark.parametrize("how", ["option", "env"])
def test_cli_refuses_a_missing_folder_in_one_line_with_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    missing = tmp_path / "nope"
    args = ["config", "list"]
    if how == "option":
        args = ["--config-dir", str(missing), *args]
    else:
        monkeypatch.setenv("KIZUKI_CONFIG_DIR", str(missing))
    res = runner.invoke(app, args)
    assert res.exit_code == 3
    assert res.stderr.strip() == f"kizuki: error: config folder not found: {missing}"
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_config_export_then_list_then_edit(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    res = runner.invoke(app, ["config", "export", str(out)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == [f"{n}.yaml" for n in NAMES]
    for name in NAMES:
        assert (out / f"{name}.yaml").read_text(encoding="utf-8") == packaged_text(name)
    again = runner.invoke(app, ["config", "export", str(out)])
    assert again.exit_code == 2 and "pass --force" in again.stderr
    assert runner.invoke(app, ["config", "export", str(out), "--force"]).exit_code == 0

    (out / "model.yaml").unlink()
    listed = runner.invoke(app, ["--config-dir", str(out), "config", "list"])
    assert listed.exit_code == 0
    rows = {r.split("\t")[0]: r.split("\t")[1:] for r in listed.stdout.strip().splitlines()}
    assert rows["model"][0] == "packaged"
    assert rows["shortlist"] == ["override", str(out / "shortlist.yaml")]
    assert set(rows) == set(NAMES)


def test_help_documents_the_option_the_variable_and_the_fallback() -> None:
    res = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    text = " ".join(res.output.split())
    assert "--config-dir" in text and "KIZUKI_CONFIG_DIR" in text
    assert "a file the folder lacks is read from the defaults" in text


def test_cli_refuses_an_invalid_override_file_in_one_line_with_exit_3(tmp_path: Path) -> None:
    folder = _override(tmp_path / "cfg", "synth", {"default_months": 6})  # below the minimum 24
    res = runner.invoke(
        app, ["--config-dir", str(folder), "synth", "--preset", "uken", "--out", str(tmp_path / "d")]
    )
    assert res.exit_code == 3
    (line,) = res.stderr.strip().splitlines()
    assert line.startswith("kizuki: error: ") and "synth.yaml: field 'default_months'" in line
    assert not (tmp_path / "d").exists()
