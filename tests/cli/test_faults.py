"""Environment faults through the real CLI: one line on stderr, the contract's exit code,
no traceback, nothing half-written (issue 11 item 9).

The read-only and full disks are real: a read-only tmpfs and a 256 KiB tmpfs mounted for
the test (root only). Where mounting is not possible (no root, no CAP_SYS_ADMIN), a
read-only folder is a ``chmod 0555`` folder (for a non-root user) and a full disk is
simulated by making parquet writes raise ``OSError(ENOSPC)`` (``KIZUKI_TEST_NO_MOUNT=1``
forces these fallbacks).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from kizuki.cli.main import app
from kizuki.synth.generate import generate
from kizuki.synth.presets import make_spec
from kizuki.synth.write import write_drop

runner = CliRunner()


def _mount(folder: Path, options: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None or os.environ.get("KIZUKI_TEST_NO_MOUNT"):
        return False  # KIZUKI_TEST_NO_MOUNT=1 runs the fallbacks on a machine that could mount
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True
    )
    return done.returncode == 0


def _umount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    """A folder nothing can be written into: a read-only tmpfs, else chmod 0555."""
    folder = tmp_path / "ro"
    if _mount(folder, "ro,size=1m"):
        yield folder
        _umount(folder)
        return
    if os.geteuid() == 0:
        pytest.skip("root without mount: a chmod'ed folder does not stop root")
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)


@pytest.fixture
def full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on a full device: a 256 KiB tmpfs filled up to a few KiB; else parquet
    writes raise ENOSPC (a stand-in, used only when a tmpfs cannot be mounted)."""
    folder = tmp_path / "full"
    if _mount(folder, "size=256k"):
        with contextlib.suppress(OSError), (folder / "filler").open("wb") as f:
            f.write(b"\0" * (256 * 1024))  # until the device is full
        free = shutil.disk_usage(folder).free
        assert free < 16 * 1024
        yield folder
        _umount(folder)
        return

    parquet, raw = pl.DataFrame.write_parquet, Path.write_bytes

    def _full(file: object) -> bool:
        return str(file).startswith(str(folder))

    def no_space(file: object) -> OSError:
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(file))

    def write_parquet(self: pl.DataFrame, file: object, *args: object, **kw: object) -> None:
        if _full(file):
            raise no_space(file)
        parquet(self, file, *args, **kw)  # type: ignore[arg-type]

    def write_bytes(self: Path, data: bytes) -> int:
        if _full(self):
            raise no_space(self)
        return raw(self, data)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", write_parquet)
    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    raw(folder / "filler", b"\0")
    yield folder


@pytest.fixture(scope="module")
def drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("faults") / "drop"
    write_drop(generate(make_spec("uken", 200, 24, 3)), out, "parquet")
    return out


def _one_line(r, code: int, *words: str) -> str:
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output
    err = [line for line in r.stderr.strip().splitlines() if line.startswith("kizuki: error:")]
    assert len(err) == 1, r.stderr
    for w in words:
        assert w in err[0], err[0]
    return err[0]


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


# ---------------------------------------------------------------- read-only output


def test_validate_into_a_read_only_folder(drop: Path, read_only: Path) -> None:
    r = runner.invoke(app, ["validate", str(drop), "--out", str(read_only / "v")])
    _one_line(r, 3, str(read_only), "read-only file system" if _is_mount(read_only) else "permission")
    assert _files(read_only) == set()


def test_features_into_a_read_only_folder_fails_before_any_work(
    drop: Path, read_only: Path
) -> None:
    r = runner.invoke(
        app, ["features", str(drop), "--as-of", "2026-03-31", "--out", str(read_only / "f.parquet")]
    )
    _one_line(r, 3, f"cannot use {read_only}:")
    assert "households x" not in r.stderr  # refused before the features were built
    assert _files(read_only) == set()


def test_score_into_a_read_only_folder(drop: Path, read_only: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("KIZUKI_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    r = runner.invoke(
        app, ["score", str(drop), "--as-of", "2026-03-31", "--out", str(read_only / "run")]
    )
    _one_line(r, 3, str(read_only))
    assert _files(read_only) == set()


def test_synth_into_a_read_only_folder_fails_at_once(read_only: Path) -> None:
    r = runner.invoke(app, ["synth", "--households", "200", "--months", "24", "--out", str(read_only / "d")])
    _one_line(r, 3, f"cannot use {read_only}:")
    assert "synth: ashiya" not in r.stderr  # nothing was generated
    assert _files(read_only) == set()


def test_validate_from_an_unwritable_working_folder(
    drop: Path, read_only: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(read_only)  # validate writes ./kizuki-validate/<drop> by default
    r = runner.invoke(app, ["validate", str(drop)])
    _one_line(r, 3, "kizuki-validate")
    assert _files(read_only) == set()


def _is_mount(folder: Path) -> bool:
    return os.path.ismount(folder)


# ---------------------------------------------------------------- full disk


def test_features_on_a_full_disk_leaves_nothing_half_written(drop: Path, full_disk: Path) -> None:
    r = runner.invoke(
        app, ["features", str(drop), "--as-of", "2026-03-31", "--out", str(full_disk / "f.parquet")]
    )
    _one_line(r, 3, "no space left on the device")
    assert _files(full_disk) == {"filler"}  # no feature file, no dictionary, no .tmp


def test_synth_on_a_full_disk_leaves_no_half_drop(full_disk: Path) -> None:
    r = runner.invoke(app, ["synth", "--households", "3000", "--months", "24", "--out", str(full_disk / "d")])
    _one_line(r, 3, str(full_disk / "d"), "no space left on the device")
    assert _files(full_disk) == {"filler"}


def test_validate_on_a_full_disk_is_one_line(drop: Path, full_disk: Path) -> None:
    r = runner.invoke(app, ["validate", str(drop), "--out", str(full_disk / "v")])
    _one_line(r, 3, "no space left on the device")
    assert not any(p.is_file() for p in (full_disk / "v").rglob("*"))


# ---------------------------------------------------------------- wrong kind of path


def test_features_out_naming_a_folder(drop: Path, tmp_path: Path) -> None:
    (tmp_path / "a-folder").mkdir()
    r = runner.invoke(
        app, ["features", str(drop), "--as-of", "2026-03-31", "--out", str(tmp_path / "a-folder")]
    )
    _one_line(r, 3, "is a folder")
    assert list((tmp_path / "a-folder").iterdir()) == []


def test_validate_out_naming_a_file(drop: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("keep me", encoding="utf-8")
    r = runner.invoke(app, ["validate", str(drop), "--out", str(tmp_path / "a-file")])
    _one_line(r, 3, str(tmp_path / "a-file"), "a file where a folder is expected")
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "keep me"


def test_synth_out_naming_a_file(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("keep me", encoding="utf-8")
    r = runner.invoke(app, ["synth", "--households", "100", "--months", "24", "--out", str(tmp_path / "a-file")])
    _one_line(r, 3, "is a file")
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "keep me"


# ---------------------------------------------------------------- numeric options


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--households", "1000000000000"], ("households", "2,000,000")),
        (["--households", "0"], ("households", "from 1")),
        (["--seed", "-1"], ("seed", "from 0 to 4294967295")),
        (["--seed", str(2**32)], ("seed",)),
        (["--months", "23"], ("months", "from 24 to 240")),
        (["--months", "241"], ("months", "from 24 to 240")),
        (["--households", "2000000", "--months", "120"], ("household-months",)),
    ],
)
def test_synth_refuses_absurd_sizes_and_seeds_at_once(tmp_path: Path, args: list[str], words) -> None:
    r = runner.invoke(app, ["synth", *args, "--out", str(tmp_path / "d")])
    _one_line(r, 2, *words)
    assert not (tmp_path / "d").exists()  # nothing was generated or created


@pytest.mark.parametrize("value", ["nan", "inf", "1.5"])
def test_integer_options_refuse_non_integers(tmp_path: Path, value: str) -> None:
    r = runner.invoke(app, ["synth", "--households", value, "--out", str(tmp_path / "d")])
    assert r.exit_code == 2 and "Traceback" not in r.output


def test_train_as_of_beyond_the_data_is_refused_not_clamped(
    drop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIZUKI_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, ["train", str(drop), "--as-of", "2030-01-01"])
    _one_line(r, 2, "--as-of is after the newest knowledge date")


# ---------------------------------------------------------------- configs


def test_a_non_utf8_config_file_is_one_line_exit_3(drop: Path, tmp_path: Path, monkeypatch) -> None:
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "validation.yaml").write_bytes("config_version: 1\n# 芦屋市の設定\n".encode("cp932"))
    r = runner.invoke(app, ["--config-dir", str(cfg), "validate", str(drop), "--out", str(tmp_path / "v")])
    _one_line(r, 3, "validation.yaml", "not UTF-8")
    monkeypatch.setenv("KIZUKI_CONFIG_DIR", str(cfg))
    r = runner.invoke(app, ["score", str(drop), "--as-of", "2026-03-31", "--out", str(tmp_path / "r")])
    _one_line(r, 3, "validation.yaml", "not UTF-8")
    assert not (tmp_path / "r").exists()
