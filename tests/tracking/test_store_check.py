"""The tracking store is checked first, quickly and clearly (issue 11 items 8 and 9).

Each fault is tried with the real CLI in a subprocess (its own MLflow state, the real
environment variable): an unreachable server (a closed port on the loopback), an
unwritable SQLite path, a damaged database file, a malformed and a relative URI, a
registered version whose files were deleted. Each is one line and exit 3, before any
work; "no model" is said only when the store answered and holds none. A killed
process's RUNNING run is marked FAILED by the next one; three first-time ``train`` runs
against one new SQLite store all succeed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kizuki import tracking
from kizuki.errors import StoreUnavailable
from kizuki.model import save_models
from kizuki.synth.generate import generate
from kizuki.synth.presets import make_spec
from kizuki.synth.write import write_drop

AS_OF = "2026-09-30"


def closed_port() -> int:
    """A loopback port nobody listens on: bound, then closed."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("store") / "drop"
    write_drop(generate(make_spec("ashiya", 60, 36, 1)), out, "parquet")
    return out


def _kizuki(cwd: Path, uri: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KIZUKI_TRACKING_URI"}
    if uri is not None:
        env["KIZUKI_TRACKING_URI"] = uri
    return subprocess.run(
        [sys.executable, "-m", "kizuki.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,  # proves it does not hang (MLflow alone waits ~250 s for a dead server)
    )


def _one_line(done: subprocess.CompletedProcess[str], code: int) -> str:
    assert done.returncode == code, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("kizuki: error: ")]
    assert len(errors) == 1, done.stderr[-3000:]
    return errors[0]


def _score(tmp: Path, drop: Path, uri: str | None) -> subprocess.CompletedProcess[str]:
    return _kizuki(tmp, uri, "score", str(drop), "--as-of", "2025-12-31", "--out", str(tmp / "run"))


@pytest.mark.slow
def test_an_unreachable_server_is_one_line_exit_3_before_any_work(
    tmp_path: Path, drop: Path
) -> None:
    uri = f"http://127.0.0.1:{closed_port()}"
    t0 = time.perf_counter()
    done = _score(tmp_path, drop, uri)
    took = time.perf_counter() - t0
    line = _one_line(done, 3)
    assert "unreachable" in line and uri in line and "kizuki train" not in line
    assert "score: loading" not in done.stderr  # refused before the drop was read
    assert not (tmp_path / "run").exists()
    print(f"unreachable store reported in {took:.1f} s")  # for the README (-s)
    # train refuses just as early (after its dates are validated, before any training)
    trained = _kizuki(tmp_path, uri, "train", str(drop), "--as-of", AS_OF)
    line = _one_line(trained, 3)
    assert "unreachable" in line and "fitting" not in trained.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("make_uri", "words"),
    [
        (lambda tmp: "foo://bar", "not supported"),
        (lambda tmp: "sqlite:///relative/mlflow.db", "not an absolute SQLite path"),
        (lambda tmp: "sqlite://", "not an absolute SQLite path"),
        (lambda tmp: f"sqlite:///{tmp / 'a-file' / 'mlflow.db'}", "cannot be created"),
        (lambda tmp: f"sqlite:///{tmp / 'damaged.db'}", "damaged"),
    ],
    ids=["foo-scheme", "relative-sqlite", "memory-sqlite", "unwritable-path", "corrupt-db"],
)
def test_store_faults_are_one_line_exit_3(tmp_path: Path, drop: Path, make_uri, words) -> None:
    (tmp_path / "a-file").write_text("a file where a folder should be")
    (tmp_path / "damaged.db").write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    done = _score(tmp_path, drop, make_uri(tmp_path))
    line = _one_line(done, 3)
    assert words in line, line
    assert "kizuki train" not in line
    assert not (tmp_path / "relative").exists()


@pytest.mark.slow
def test_no_model_is_said_only_when_the_store_answered(tmp_path: Path, drop: Path) -> None:
    done = _score(tmp_path, drop, f"sqlite:///{tmp_path / 'new' / 'mlflow.db'}")
    line = _one_line(done, 2)
    assert "no registered model" in line and "kizuki train" in line


@pytest.mark.slow
def test_a_version_whose_files_were_deleted_is_one_line_exit_3(
    tmp_path: Path, drop: Path, monkeypatch: pytest.MonkeyPatch, tiny_model
) -> None:
    import shutil

    uri = f"sqlite:///{tmp_path / 'store' / 'mlflow.db'}"
    monkeypatch.setenv("KIZUKI_TRACKING_URI", uri)
    with tracking.start_run("test", "gone") as run:
        save_models(tiny_model(n=300, train=200, rounds=10, seed=1), tmp_path / "m")
        run.log_artifact_dir(tmp_path / "m", "model")
        tracking.set_champion(tracking.register(run).version)
    shutil.rmtree(tmp_path / "store" / "artifacts")
    done = _score(tmp_path, drop, uri)
    line = _one_line(done, 3)
    assert "model version 1" in line and "register it again" in line


def test_uri_forms(tmp_path: Path) -> None:
    assert tracking.store_kind(f"sqlite:///{tmp_path / 'x.db'}") == "sqlite"
    assert tracking.sqlite_path(f"sqlite:///{tmp_path / 'x.db'}") == tmp_path / "x.db"
    assert tracking.store_kind("https://mlflow.internal:5000") == "http"
    for bad in ("foo://bar", "sqlite:///x.db", "sqlite://", "http://", "file:///tmp/mlruns", "x"):
        with pytest.raises(StoreUnavailable) as exc:
            tracking.store_kind(bad)
        assert exc.value.exit_code == 3
    with pytest.raises(StoreUnavailable, match=r"\*\*\*") as exc:
        tracking.store_kind("postgresql://kizuki:secret@db/kizuki")
    assert "secret" not in str(exc.value)


def test_the_demo_store_wins_over_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIZUKI_TRACKING_URI", "http://operator.example:5000")
    own = f"sqlite:///{tmp_path / 'demo.db'}"
    with tracking.using_store(own):
        assert tracking.tracking_uri() == own
    assert tracking.tracking_uri() == "http://operator.example:5000"


def test_a_killed_process_s_running_run_is_marked_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    env = {k: v for k, v in os.environ.items() if k != "KIZUKI_TRACKING_URI"}
    env["KIZUKI_TRACKING_URI"] = uri
    code = """
        import time
        from kizuki import tracking
        run = tracking.start_run("kizuki-train", "killed")
        print(run.run_id, flush=True)
        time.sleep(300)
    """
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert proc.stdout is not None
        run_id = proc.stdout.readline().strip()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    monkeypatch.setenv("KIZUKI_TRACKING_URI", uri)
    client = tracking._client()
    assert client.get_run(run_id).info.status == "RUNNING"
    tracking._checked.clear()
    tracking.check_store(write=True)
    assert client.get_run(run_id).info.status == "FAILED"
    # a live process's run is left alone
    live = tracking.start_run("kizuki-train", "alive")
    tracking._checked.clear()
    tracking.check_store(write=True)
    assert client.get_run(live.run_id).info.status == "RUNNING"
    live.end()


_TRAIN = """
    import sys
    from typer.testing import CliRunner
    from kizuki.model.config import ModelConfig, load_model_config
    import kizuki.model.config as mc

    def fast(directory=None):
        raw = load_model_config().model_dump(mode="json")
        raw["lightgbm"] |= {"max_rounds": 30, "early_stopping_rounds": 10}
        return ModelConfig.model_validate(raw | {"max_train_dates": 2})

    mc.load_model_config = fast
    from kizuki.cli.main import app

    r = CliRunner().invoke(app, ["train", sys.argv[1], "--as-of", sys.argv[2]])
    sys.stderr.write(r.stderr)
    print(r.stdout.strip().splitlines()[-1] if r.stdout.strip() else "")
    sys.exit(r.exit_code)
"""


@pytest.mark.slow
def test_three_first_time_trains_on_a_new_sqlite_store_all_succeed(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    write_drop(generate(make_spec("ashiya", 1500, 36, 5)), drop, "parquet")
    env = {k: v for k, v in os.environ.items() if k != "KIZUKI_TRACKING_URI"}
    env["KIZUKI_TRACKING_URI"] = f"sqlite:///{tmp_path / 'new' / 'mlflow.db'}"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(_TRAIN), str(drop), AS_OF],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        for _ in range(3)
    ]
    results = [p.communicate(timeout=900) for p in procs]
    for p, (_out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err[-3000:]
        assert "Traceback" not in err
    uris = sorted(out.strip().splitlines()[-1] for out, _ in results)
    assert uris == ["models:/kizuki/1", "models:/kizuki/2", "models:/kizuki/3"]
