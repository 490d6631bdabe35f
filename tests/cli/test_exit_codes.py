"""Every command's exit codes (contract §6, issue 13 item 3), one table.

:data:`EXPECTED` lists, per command of ``kizuki --help`` (sub-commands written
``"config export"``), the codes it can give. Each (command, code) is asserted either by a
test in this file, marked ``@covers(command, code)``, or by an existing test named in
:data:`ELSEWHERE` together with the text in it that asserts the code (checked below: the
test exists and holds that text). :func:`test_every_command_has_a_test_per_code` fails
when a command appears in the CLI without a row, or a row without a test; to add a
command (``kizuki run``), give it a row in EXPECTED and mark its tests ``@covers``.

Code 1 (a bug, with a traceback) is not provoked per command: tests/cli/test_main.py and
test_guarded.py show that any non-KizukiError keeps its traceback and a non-zero exit.
Code 2 is given by click for an unknown option on every command (the first test below,
driven by the CLI itself); commands with a usage rule of their own test that too.
Code 5 is given where a command takes a lock: another real process holds it.
"""

from __future__ import annotations

import ast
import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import typer
import yaml
from rich.cells import cell_len
from typer.testing import CliRunner

from kizuki.cli.exit_codes import EXIT_CODES, help_epilog
from kizuki.cli.main import app
from kizuki.config import packaged_text
from kizuki.synth.generate import generate
from kizuki.synth.presets import make_spec
from kizuki.synth.write import write_drop

runner = CliRunner()
TESTS = Path(__file__).parents[1]

#: command -> the exit codes it can give (1, a bug, aside). Why a code is absent:
#: synth and pseudonymize check nothing that can alert and take no lock; validate,
#: features and train write no run folder (no lock); demo builds a complete synthetic
#: drop (no table missing, no alert configured) and locks its run folder when it scores;
#: config writes or reads config files only.
EXPECTED: dict[str, tuple[int, ...]] = {
    "validate": (0, 2, 3, 4),
    "synth": (0, 2, 3),
    "features": (0, 2, 3, 4),
    "train": (0, 2, 3, 4),
    "score": (0, 2, 3, 4, 5),
    "demo": (0, 2, 3, 5),
    "pseudonymize": (0, 2, 3),
    "audit": (0, 2, 3, 4, 5),
    "monitor": (0, 2, 3, 4, 5),
    "config export": (0, 2, 3),
    "config list": (0, 2, 3),
    "run": (0, 2, 3, 4, 5),
    "feedback import": (0, 2, 3, 5),
    "model card": (0, 2, 3),
}

#: (command, code) -> (an existing test "path::name", the text in it that asserts the code)
ELSEWHERE: dict[tuple[str, int], tuple[str, str]] = {
    ("model card", 0): (
        "governance/test_cli_card.py::test_model_card_writes_the_pages_and_prints_the_card",
        "assert r.exit_code == 0",
    ),
    ("model card", 3): (
        "governance/test_cli_card.py::test_model_card_of_a_version_without_a_card_is_3",
        "_one_error(r, 3,",
    ),
    ("run", 0): (
        "runner/test_runner.py::test_rerun_of_a_finished_night_is_already_done_and_writes_nothing",
        "assert done.returncode == 0",
    ),
    ("run", 2): (
        "runner/test_runner.py::test_pipeline_files_are_validated_quoting_the_bad_key",
        "assert cli.returncode == 2",
    ),
    ("run", 3): (
        "runner/test_runner.py::test_a_refused_drop_is_a_refused_attempt_in_the_ledger",
        "assert cli.returncode == 3",
    ),
    ("run", 4): (
        "runner/test_runner.py::test_an_alert_ends_the_run_with_exit_4_recorded_as_alert",
        "assert cli.returncode == 4",
    ),
    ("run", 5): (
        "runner/test_runner.py::test_a_second_run_while_the_lock_is_held_exits_5_naming_the_holder",
        "assert cli.returncode == 5",
    ),
    ("feedback import", 0): (
        "cli/test_feedback.py::test_feedback_import_done_then_already_imported_exits_0",
        "assert done.returncode == 0",
    ),
    ("feedback import", 3): (
        "cli/test_feedback.py::test_feedback_import_of_a_sheet_with_a_name_column_exits_3",
        "assert done.returncode == 3",
    ),
    ("feedback import", 5): (
        "cli/test_feedback.py::test_feedback_import_while_a_run_holds_the_lock_exits_5",
        "assert done.returncode == 5",
    ),
    ("validate", 0): (
        "synth/test_synth.py::test_every_preset_is_valid_with_no_rejects",
        "assert result.exit_code == 0",
    ),
    ("validate", 2): (
        "pipeline/test_validate_out.py::test_a_nan_or_out_of_range_reject_limit_is_a_usage_error",
        "assert r.exit_code == 2",
    ),
    ("validate", 3): (
        "io/test_drop.py::test_my_number_in_any_column_refuses_without_the_value",
        "assert result.exit_code == 3",
    ),
    ("validate", 4): (
        "cli/test_missing_tables.py::test_an_alert_table_missing_completes_records_and_exits_4",
        "assert v.exit_code == 4",
    ),
    ("synth", 0): (
        "io/test_declaration_cli.py::test_synth_writes_a_drop_yaml_that_validates",
        "assert r.exit_code == 0",
    ),
    ("synth", 2): (
        "cli/test_faults.py::test_synth_refuses_absurd_sizes_and_seeds_at_once",
        "_one_line(r, 2, *words)",
    ),
    ("synth", 3): (
        "cli/test_faults.py::test_synth_out_naming_a_file",
        '_one_line(r, 3, "is a file")',
    ),
    ("features", 3): (
        "cli/test_faults.py::test_features_out_naming_a_folder",
        '_one_line(r, 3, "is a folder")',
    ),
    ("train", 0): (
        "cli/test_train.py::test_train_registers_and_the_champion_moves_only_when_beaten",
        "assert code == 0",
    ),
    ("train", 2): (
        "cli/test_train.py::test_bad_dates_and_horizons_fail_in_one_line",
        "assert r.exit_code == 2",
    ),
    ("score", 0): (
        "cli/test_missing_tables.py::test_a_complete_drop_scores_with_exit_0_and_its_declaration_in_the_manifest",
        "assert r.exit_code == 0",
    ),
    ("score", 2): (
        "cli/test_score_safety.py::test_a_retry_is_already_done_and_other_inputs_need_overwrite",
        "assert other.returncode == 2",
    ),
    ("score", 3): (
        "cli/test_missing_tables.py::test_a_table_most_features_need_is_refused_with_exit_3",
        "assert r.exit_code == 3",
    ),
    ("score", 4): (
        "cli/test_missing_tables.py::test_an_alert_table_missing_completes_records_and_exits_4",
        "assert r.exit_code == 4",
    ),
    ("score", 5): (
        "cli/test_score_safety.py::test_two_writers_at_once_one_done_one_exit_5_at_once",
        "assert second.returncode == 5",
    ),
    ("demo", 0): (
        "cli/test_demo_store.py::test_demo_leaves_the_operators_store_untouched",
        "assert done.returncode == 0",
    ),
    ("pseudonymize", 0): (
        "io/test_pseudonymize.py::test_pseudonymize_is_consistent_and_drops_identifiers",
        "assert result.exit_code == 0",
    ),
    ("monitor", 0): (
        "cli/test_monitor.py::test_drift_mode_writes_reports_and_exits_zero",
        "assert res.exit_code == 0",
    ),
    ("monitor", 2): (
        "cli/test_monitor.py::test_user_mistakes_are_one_line_errors",
        "assert res.exit_code == 2",
    ),
    ("monitor", 4): (
        "cli/test_monitor.py::test_a_fired_alert_exits_four_and_names_what_fired",
        "assert res.exit_code == 4",
    ),
    ("config export", 0): (
        "config/test_config.py::test_config_export_then_list_then_edit",
        "assert res.exit_code == 0",
    ),
    ("config export", 2): (
        "config/test_config.py::test_config_export_then_list_then_edit",
        "assert again.exit_code == 2",
    ),
    ("config list", 0): (
        "config/test_config.py::test_config_export_then_list_then_edit",
        "assert listed.exit_code == 0",
    ),
    ("config list", 3): (
        "config/test_config.py::test_cli_refuses_a_missing_folder_in_one_line_with_exit_3",
        "assert res.exit_code == 3",
    ),
}

#: (command, code) -> the names of the tests in this file that assert it (filled by @covers)
HERE: dict[tuple[str, int], list[str]] = {}


def covers(*cells: tuple[str, int]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a test of this file as one asserting each (command, code) in ``cells``."""

    def mark(test: Callable[..., Any]) -> Callable[..., Any]:
        for cell in cells:
            HERE.setdefault(cell, []).append(test.__name__)
        return test

    return mark


def _commands(group: Any, prefix: str = "") -> Iterator[str]:
    """The command paths under a (typer) click group: ``validate``, ``config export``."""
    for name, cmd in sorted(group.commands.items()):
        if hasattr(cmd, "commands"):  # a group (typer vendors its own click classes)
            yield from _commands(cmd, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}"


CLI = typer.main.get_command(app)
COMMANDS = list(_commands(CLI))
GROUPS = ["", *(n for n, c in CLI.commands.items() if hasattr(c, "commands"))]


def _one_line(r: Any, code: int, *words: str) -> str:
    """The result exited ``code`` with one ``kizuki: error:`` line holding ``words``."""
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output
    err = [line for line in r.stderr.strip().splitlines() if line.startswith("kizuki: error:")]
    assert len(err) == 1, r.stderr
    for w in words:
        assert w in err[0], err[0]
    return err[0]


# ------------------------------------------------------------------- the table itself


def test_every_command_has_a_test_per_code() -> None:
    assert set(EXPECTED) == set(COMMANDS), (
        "a command without a row in EXPECTED (or a row for no command): "
        f"{sorted(set(COMMANDS) ^ set(EXPECTED))}"
    )
    for command, codes in EXPECTED.items():
        have = {c for (cmd, c) in (HERE.keys() | ELSEWHERE.keys()) if cmd == command}
        assert have == set(codes), f"{command}: codes {set(codes)}, tests for {have}"


@pytest.mark.parametrize("cell", sorted(ELSEWHERE), ids=lambda c: f"{c[0]}-{c[1]}")
def test_a_test_referenced_elsewhere_exists_and_asserts_the_code(cell: tuple[str, int]) -> None:
    where, text = ELSEWHERE[cell]
    path, name = where.split("::")
    source = (TESTS / path).read_text(encoding="utf-8")
    found = [
        ast.get_source_segment(source, node)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef) and node.name == name
    ]
    assert len(found) == 1, f"{where} not found"
    body = found[0] or ""
    assert text in body and str(cell[1]) in text, f"{where} does not hold {text!r}"
    for word in cell[0].split():  # the command is named in the test or its module's helpers
        assert f'"{word}"' in source, f"{where}: its module never names {word!r}"


# ------------------------------------------------------------------- 2 and --help, every command


@covers(*((c, 2) for c in COMMANDS))
@pytest.mark.parametrize("command", COMMANDS)
def test_an_unknown_option_is_a_usage_error_with_exit_2(command: str) -> None:
    r = runner.invoke(app, [*command.split(), "--no-such-option"])
    assert r.exit_code == 2, r.output
    assert "No such option" in r.output and "Traceback" not in r.output


@pytest.mark.parametrize("command", [*GROUPS, *COMMANDS])
def test_help_ends_with_the_exit_codes(command: str) -> None:
    r = runner.invoke(app, [*command.split(), "--help"], env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    lines = [line.strip() for line in r.output.splitlines()]
    at = lines.index("Exit status (終了コード), the same for every command:")
    for c in EXIT_CODES:
        assert f"{c.code}  {c.en}" in lines[at:], (command, c.code)
        assert c.ja in lines[at:], (command, c.code)
    assert max(cell_len(line) for line in r.output.splitlines()) <= 80  # 全角 counts 2


def test_the_epilog_is_what_exit_codes_states_and_the_real_process_shows_it() -> None:
    assert [c.code for c in EXIT_CODES] == [0, 1, 2, 3, 4, 5]
    text = help_epilog()
    assert "[" not in text  # rich would read square brackets as markup
    done = subprocess.run(
        [sys.executable, "-m", "kizuki.cli", "score", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, COLUMNS="100"),
    )
    assert done.returncode == 0, done.stderr
    shown = [line.strip() for line in done.stdout.splitlines()]
    for line in text.splitlines():
        assert line.strip() in shown


# ------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic town (uken shape, 300 households, 36 months)."""
    out = tmp_path_factory.mktemp("codes") / "drop"
    write_drop(generate(make_spec("uken", 300, 36, 7)), out, "parquet")
    return out


def _without(drop: Path, dst: Path, *tables: str) -> Path:
    shutil.copytree(drop, dst, ignore=shutil.ignore_patterns("truth"))
    for t in tables:
        (dst / f"{t}.parquet").unlink()
    return dst


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary tracking store (KIZUKI_TRACKING_URI) and working folder."""
    monkeypatch.setenv("KIZUKI_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def hold_lock(tmp_path: Path) -> Iterator[Callable[[Path], int]]:
    """``hold_lock(folder)``: another real process takes kizuki's lock of ``folder`` (as a
    running kizuki would) and keeps it until the test ends. Returns its pid."""
    procs: list[subprocess.Popen[str]] = []

    def hold(folder: Path) -> int:
        code = (
            "import sys; from pathlib import Path; from kizuki.io.locks import folder_lock\n"
            "with folder_lock(Path(sys.argv[1]), 'test'):\n"
            "    print('held', flush=True); sys.stdin.read()\n"
        )
        proc = subprocess.Popen(
            [sys.executable, "-c", code, str(folder)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        return proc.pid

    yield hold
    for proc in procs:
        proc.communicate(timeout=30)  # closing stdin ends it
        assert proc.returncode == 0


def _lock_refusal(r: Any, pid: int, folder: Path) -> None:
    line = _one_line(r, 5, f"pid {pid}", "started", "not started")
    assert str(folder) in line


# ------------------------------------------------------------------- features and train


@covers(("features", 0))
def test_features_done_is_0(drop: Path, tmp_path: Path) -> None:
    r = runner.invoke(
        app, ["features", str(drop), "--as-of", "2026-06-30", "--out", str(tmp_path / "f.parquet")]
    )
    assert r.exit_code == 0, r.output
    assert (tmp_path / "f.parquet").is_file() and r.stdout.strip() == str(tmp_path / "f.parquet")


@covers(("features", 2))
def test_features_bad_date_is_2(drop: Path, tmp_path: Path) -> None:
    r = runner.invoke(
        app, ["features", str(drop), "--as-of", "2026-02-30", "--out", str(tmp_path / "f.parquet")]
    )
    _one_line(r, 2, "as-of")
    assert not (tmp_path / "f.parquet").exists()


@covers(("features", 4))
def test_features_with_an_alert_table_missing_is_4(drop: Path, tmp_path: Path) -> None:
    broken = _without(drop, tmp_path / "drop", "school")
    r = runner.invoke(
        app,
        ["features", str(broken), "--as-of", "2026-06-30", "--out", str(tmp_path / "f.parquet")],
    )
    _one_line(r, 4, "missing_table school")
    assert (tmp_path / "f.parquet").is_file()  # done: the features are written


@covers(("train", 3))
def test_train_on_a_refused_drop_is_3_before_any_work(
    drop: Path, tmp_path: Path, store: Path
) -> None:
    broken = _without(drop, tmp_path / "drop", "tax")
    r = runner.invoke(app, ["train", str(broken), "--as-of", "2026-06-30"])
    _one_line(r, 3, "tax", "[required_table_missing]")
    assert not (store / "mlflow.db").exists()


def _fast_model_config() -> Any:
    from kizuki.model.config import ModelConfig, load_model_config

    raw = load_model_config().model_dump(mode="json")
    raw["lightgbm"] |= {"max_rounds": 20, "early_stopping_rounds": 5}
    return ModelConfig.model_validate(raw | {"max_train_dates": 2})


@pytest.mark.slow
@covers(("train", 4))
def test_train_with_an_alert_table_missing_registers_and_is_4(
    drop: Path, tmp_path: Path, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _fast_model_config()
    monkeypatch.setattr("kizuki.model.config.load_model_config", lambda directory=None: fast)
    broken = _without(drop, tmp_path / "drop", "school")
    r = runner.invoke(app, ["train", str(broken), "--as-of", "2026-09-30"])
    _one_line(r, 4, "train: 1 alert: missing_table school")
    assert r.stdout.strip().splitlines()[-1] == "models:/kizuki/1"  # done: registered


# ------------------------------------------------------------------- pseudonymize, demo, config


def _raw(folder: Path) -> Path:
    folder.mkdir()
    (folder / "residents.csv").write_bytes(
        "宛名番号,世帯番号,生年月,性別,続柄,地区,開始日\n100001,900001,S15.5,女,世帯主,精道,H30.4.1\n".encode(
            "cp932"
        )
    )
    return folder


@covers(("pseudonymize", 2))
def test_pseudonymize_without_a_key_is_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIZUKI_PSEUDONYM_KEY", raising=False)
    r = runner.invoke(
        app, ["pseudonymize", str(_raw(tmp_path / "raw")), "--out", str(tmp_path / "o")]
    )
    _one_line(r, 2, "KIZUKI_PSEUDONYM_KEY")
    assert not (tmp_path / "o").exists()


@covers(("pseudonymize", 3))
def test_pseudonymize_into_a_file_is_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIZUKI_PSEUDONYM_KEY", "a-very-secret-key-for-tests-0123456789")
    (tmp_path / "a-file").write_text("keep me", encoding="utf-8")
    r = runner.invoke(
        app, ["pseudonymize", str(_raw(tmp_path / "raw")), "--out", str(tmp_path / "a-file")]
    )
    _one_line(r, 3, str(tmp_path / "a-file"))
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "keep me"


@covers(("demo", 2))
def test_demo_with_an_unknown_language_is_2(tmp_path: Path) -> None:
    r = runner.invoke(app, ["demo", "--lang", "fr", "--out", str(tmp_path / "d")])
    _one_line(r, 2, "'fr'")
    assert not (tmp_path / "d").exists()


@covers(("demo", 3))
def test_demo_into_a_file_is_3(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("keep me", encoding="utf-8")
    r = runner.invoke(app, ["demo", "--preset", "uken", "--out", str(tmp_path / "a-file")])
    _one_line(r, 3, "tracking store", "nothing was started")
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "keep me"


@pytest.mark.slow
@covers(("demo", 5))
def test_demo_whose_run_folder_is_locked_is_5(tmp_path: Path, hold_lock) -> None:
    out = tmp_path / "demo"
    pid = hold_lock(out / "run")
    done = subprocess.run(
        [sys.executable, "-m", "kizuki.cli", "demo", "--preset", "uken", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
    )
    assert done.returncode == 5, done.stderr[-3000:]
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith("kizuki: error: ") and f"pid {pid}" in line
    assert not (out / "run" / "manifest.json").exists()


@covers(("config export", 3))
def test_config_export_under_a_file_is_3(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("keep me", encoding="utf-8")
    r = runner.invoke(app, ["config", "export", str(tmp_path / "a-file" / "cfg")])
    _one_line(r, 3, str(tmp_path / "a-file"))
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "keep me"


@covers(("config list", 2))
def test_config_list_takes_no_argument_2() -> None:
    r = runner.invoke(app, ["config", "list", "extra"])
    assert r.exit_code == 2 and "Got unexpected extra argument" in r.output


# ------------------------------------------------------------------- monitor


@pytest.fixture
def two_runs(tmp_path: Path, factory: ModuleType) -> tuple[Path, Path]:
    inputs = {"residents": {"present": True, "rows_read": 2000, "rows_rejected": 0}}
    ref = factory.fabricate_run(
        tmp_path / "ref", factory.frame_generator(600, 1), as_of=dt.date(2026, 8, 31), inputs=inputs
    )
    cur = factory.fabricate_run(
        tmp_path / "cur", factory.frame_generator(600, 2), as_of=dt.date(2026, 9, 30), inputs=inputs
    )
    return ref, cur


@covers(("monitor", 3))
def test_monitor_with_an_undeclared_outcomes_drop_is_3(
    two_runs, drop: Path, tmp_path: Path
) -> None:
    undeclared = _without(drop, tmp_path / "undeclared")
    (undeclared / "drop.yaml").unlink()
    r = runner.invoke(
        app,
        [
            "monitor",
            "--runs",
            str(two_runs[0]),
            "--outcomes",
            str(undeclared),
            "--out",
            str(tmp_path / "perf"),
            "--no-track",
        ],
    )
    _one_line(r, 3, "[missing_legal_basis]")
    assert not (tmp_path / "perf" / "performance.json").exists()


@covers(("monitor", 5))
def test_monitor_whose_report_folder_is_locked_is_5(two_runs, tmp_path: Path, hold_lock) -> None:
    out = tmp_path / "out"
    pid = hold_lock(out)
    r = runner.invoke(
        app,
        [
            "monitor",
            "--reference",
            str(two_runs[0]),
            "--current",
            str(two_runs[1]),
            "--out",
            str(out),
            "--no-track",
        ],
    )
    _lock_refusal(r, pid, out)
    assert not (out / "monitor.json").exists()


# ------------------------------------------------------------------- audit


@pytest.fixture(scope="module")
def audit_run(tmp_path_factory: pytest.TempPathFactory, factory: ModuleType) -> Path:
    """A run as of 2026-03-31 on a 1,500-household town whose outcomes have matured
    (the shape of tests/audit's fixture), stand-in scores, 25 listed per district."""
    root = tmp_path_factory.mktemp("audit-codes")
    write_drop(generate(make_spec("uken", 1500, 24, 11)), root / "drop", "parquet")
    return factory.run_from_drop(root / "drop", dt.date(2026, 3, 31), root / "run", capacity=25)


def _audit_config(folder: Path, alerts: dict[str, Any]) -> Path:
    """A --config-dir whose audit.yaml is the packaged one with ``alerts`` replaced and a
    200-replicate bootstrap at an 80% level."""
    raw = yaml.safe_load(packaged_text("audit"))
    raw["bootstrap"] |= {"replicates": 200, "level": 0.8}
    raw["alerts"] = alerts | {"why": raw["alerts"]["why"]}  # its reasons (issue 16) kept
    folder.mkdir()
    (folder / "audit.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return folder


def _audit(run: Path, out: Path, config: Path, *extra: str) -> Any:
    return runner.invoke(
        app,
        [
            "audit",
            "--run",
            str(run),
            "--out",
            str(out),
            "--no-track",
            "--config-dir",
            str(config),
            *extra,
        ],
    )


@covers(("audit", 0))
def test_audit_with_alerts_off_is_0(audit_run: Path, tmp_path: Path) -> None:
    r = _audit(
        audit_run, tmp_path / "a", _audit_config(tmp_path / "cfg", {"recall_ratio_below": None})
    )
    assert r.exit_code == 0, r.output
    assert (tmp_path / "a" / "audit.json").is_file() and "ALERT" not in r.stderr


@covers(("audit", 4))
def test_audit_whose_recall_parity_alert_fires_is_4_after_the_reports(
    audit_run: Path, tmp_path: Path
) -> None:
    cfg = _audit_config(tmp_path / "cfg", {"recall_ratio_below": 1.0, "on_truth": True})
    r = _audit(audit_run, tmp_path / "a", cfg)
    line = _one_line(r, 4, "audit:", "recall_disparity")
    assert "alert" in line
    assert (tmp_path / "a" / "audit.json").is_file() and (tmp_path / "a" / "audit.html").is_file()


@covers(("audit", 2))
def test_audit_with_an_unknown_language_is_2(audit_run: Path, tmp_path: Path) -> None:
    r = runner.invoke(
        app,
        [
            "audit",
            "--run",
            str(audit_run),
            "--lang",
            "fr",
            "--no-track",
            "--out",
            str(tmp_path / "a"),
        ],
    )
    _one_line(r, 2, "ja or en")
    assert not (tmp_path / "a").exists()


@covers(("audit", 3))
def test_audit_with_an_undeclared_outcomes_drop_is_3(
    audit_run: Path, drop: Path, tmp_path: Path
) -> None:
    undeclared = _without(drop, tmp_path / "undeclared")
    (undeclared / "drop.yaml").unlink()
    r = runner.invoke(
        app,
        [
            "audit",
            "--run",
            str(audit_run),
            "--outcomes",
            str(undeclared),
            "--out",
            str(tmp_path / "a"),
            "--no-track",
        ],
    )
    _one_line(r, 3, "[missing_legal_basis]")
    assert not (tmp_path / "a" / "audit.json").exists()


@covers(("audit", 5))
def test_audit_whose_folder_is_locked_is_5(audit_run: Path, tmp_path: Path, hold_lock) -> None:
    out = tmp_path / "a"
    pid = hold_lock(out)
    r = runner.invoke(app, ["audit", "--run", str(audit_run), "--out", str(out), "--no-track"])
    _lock_refusal(r, pid, out)
    assert not (out / "audit.json").exists()


def test_demo_with_an_unknown_preset_is_2_and_makes_nothing(tmp_path: Path) -> None:
    r = runner.invoke(app, ["demo", "--preset", "nosuch", "--out", str(tmp_path / "d")])
    _one_line(r, 2, "nosuch")
    assert not (tmp_path / "d").exists()


@pytest.mark.slow
def test_a_second_demo_into_the_same_folder_is_5_before_any_work(tmp_path: Path) -> None:
    from kizuki.io.locks import hold_lock

    out = tmp_path / "demo"
    out.mkdir()
    with hold_lock(out / "demo.lock", "demo", out):
        done = subprocess.run(
            [sys.executable, "-m", "kizuki.cli", "demo", "--preset", "uken", "--out", str(out)],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
        )
    assert done.returncode == 5, done.stderr[-3000:]
    assert not (out / "drop").exists()  # nothing made
