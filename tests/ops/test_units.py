"""The scheduler files in pipelines/: the systemd units pass ``systemd-analyze verify``
and act on the exit codes of kizuki.cli.exit_codes; the cron line, run by a real shell
against a stand-in ``kizuki`` that exits with given codes, retries 5 once and speaks only
when there is something to do.

``systemd-analyze verify`` refuses a unit whose ``ExecStart`` program does not exist and
only warns (exit 0, a line on stderr) about an unknown key, so the test points
``ExecStart`` at the kizuki of this environment and requires a silent pass. It is skipped
where ``systemd-analyze`` is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kizuki.cli.exit_codes import BY_CODE

PIPELINES = Path(__file__).parents[2] / "pipelines"
SERVICE = PIPELINES / "systemd" / "kizuki-nightly.service"
TIMER = PIPELINES / "systemd" / "kizuki-nightly.timer"
CRONTAB = PIPELINES / "cron" / "kizuki.crontab"
INSTALLED = "/opt/kizuki/.venv/bin/kizuki"


def _settings(unit: Path) -> dict[str, list[str]]:
    """key -> every value it is given in the unit (systemd keys may repeat)."""
    out: dict[str, list[str]] = {}
    for line in unit.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def _kizuki_binary() -> Path:
    found = Path(sys.executable).parent / "kizuki"
    if not found.exists():
        pytest.skip("no kizuki console script beside this Python (uv sync installs it)")
    return found


@pytest.fixture
def units(tmp_path: Path) -> tuple[Path, Path]:
    """The two units, with ExecStart pointing at an existing kizuki."""
    text = SERVICE.read_text(encoding="utf-8")
    assert text.count(INSTALLED) == 1
    service = tmp_path / SERVICE.name
    service.write_text(text.replace(INSTALLED, str(_kizuki_binary())), encoding="utf-8")
    timer = tmp_path / TIMER.name
    shutil.copy(TIMER, timer)
    return service, timer


def _verify(*units: Path) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed")
    return subprocess.run(
        [tool, "verify", *map(str, units)], capture_output=True, text=True, timeout=120
    )


def test_systemd_analyze_verify_passes_silently(units: tuple[Path, Path]) -> None:
    done = _verify(*units)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "" and done.stdout.strip() == ""


def test_verify_would_catch_a_broken_unit(units: tuple[Path, Path], tmp_path: Path) -> None:
    """The check above can fail: a misspelt key warns, a missing program is refused."""
    service, timer = units
    typo = tmp_path / "typo" / SERVICE.name
    typo.parent.mkdir()
    typo.write_text(
        service.read_text(encoding="utf-8").replace("SuccessExitStatus=", "SuccessExitStatuz="),
        encoding="utf-8",
    )
    shutil.copy(timer, typo.parent / TIMER.name)
    warned = _verify(typo, typo.parent / TIMER.name)
    assert "SuccessExitStatuz" in warned.stderr
    moved = tmp_path / "moved" / SERVICE.name
    moved.parent.mkdir()
    shutil.copy(SERVICE, moved)  # ExecStart still names /opt/kizuki/...
    if Path(INSTALLED).exists():
        pytest.skip(f"{INSTALLED} exists on this machine")
    refused = _verify(moved)
    assert refused.returncode != 0 and "not executable" in refused.stderr


def test_the_service_acts_on_the_exit_codes_as_documented() -> None:
    s = _settings(SERVICE)
    alert = [c.code for c in BY_CODE.values() if c.name == "alert"]
    assert s["SuccessExitStatus"] == [" ".join(map(str, alert))] == ["4"]
    prevent = {int(v) for v in s["RestartPreventExitStatus"][0].split()}
    assert prevent == {c for c, e in BY_CODE.items() if e.name in ("bug", "usage", "refused")}
    assert s["Restart"] == ["on-failure"]  # so 5 (locked) and a killed run are retried
    assert s["Type"] == ["oneshot"] and s["User"] == ["kizuki"]
    assert s["ExecStart"] == [f"{INSTALLED} run ${{KIZUKI_PIPELINE}}"]
    assert s["Environment"][0] == "KIZUKI_PIPELINE=/etc/kizuki/nightly.yaml"
    assert s["EnvironmentFile"] == ["-/etc/kizuki/kizuki.env"]
    for key, value in {
        "ProtectSystem": "strict",
        "PrivateTmp": "true",
        "NoNewPrivileges": "true",
        "UMask": "0077",
        "ReadWritePaths": "/var/lib/kizuki",
        "ProtectHome": "true",
    }.items():
        assert s[key] == [value], key
    assert "flock" not in " ".join(s["ExecStart"])


def test_the_timer_runs_at_two_persistently_with_a_random_delay() -> None:
    t = _settings(TIMER)
    assert t["OnCalendar"] == ["*-*-* 02:00:00"]
    assert t["Persistent"] == ["true"]
    assert t["RandomizedDelaySec"] and t["RandomizedDelaySec"][0] != "0"
    assert t["Unit"] == [SERVICE.name] and t["WantedBy"] == ["timers.target"]


# ---------------------------------------------------------------------------- cron


def _crontab() -> tuple[dict[str, str], list[str]]:
    """The crontab's variables and its job lines, each split as (5 time fields, user, command)."""
    env: dict[str, str] = {}
    jobs: list[str] = []
    for line in CRONTAB.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        head = line.split(None, 1)[0]
        if "=" in head and not head[0].isdigit() and head[0] != "*":
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
        else:
            jobs.append(line)
    return env, jobs


def test_the_crontab_has_one_nightly_line_for_the_kizuki_user() -> None:
    env, jobs = _crontab()
    assert len(jobs) == 1
    fields = jobs[0].split(None, 6)
    assert fields[:5] == ["0", "2", "*", "*", "*"] and fields[5] == "kizuki"
    assert "%" not in fields[6]  # cron would turn it into a newline
    assert "flock" not in fields[6]
    assert env["KIZUKI_BIN"] == INSTALLED and env["KIZUKI_PIPELINE"] == "/etc/kizuki/nightly.yaml"


def _cron_run(tmp_path: Path, codes: list[int]) -> tuple[str, list[str]]:
    """Run the crontab's command with a stand-in kizuki that exits with ``codes`` in turn.

    Out: what cron would mail (stdout and stderr of the line), and the stand-in's calls."""
    env, jobs = _crontab()
    command = jobs[0].split(None, 6)[6]
    calls = tmp_path / "calls"
    stub = tmp_path / "kizuki"
    stub.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> "{calls}"\n'
        f'n=$(wc -l < "{calls}")\n'
        f"set -- {' '.join(map(str, codes))}\n"
        'shift $((n - 1))\necho "progress line of run $n" >&2\nexit "$1"\n',
        encoding="utf-8",
    )
    stub.chmod(0o755)
    env |= {
        "KIZUKI_BIN": str(stub),
        "KIZUKI_CRON_LOG": str(tmp_path / "cron.log"),
        "KIZUKI_RETRY_AFTER_S": "0",
    }
    done = subprocess.run(
        [env["SHELL"], "-c", command],
        capture_output=True,
        text=True,
        env={**env, "PATH": os.environ["PATH"]},
        timeout=60,
    )
    assert done.returncode == 0  # the line itself never fails; what it says is the point
    made = calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []
    return done.stdout + done.stderr, made


@pytest.mark.parametrize(
    ("codes", "runs", "says"),
    [
        ([0], 1, None),
        ([4], 1, "done with an alert (exit 4)"),
        ([5, 0], 2, None),  # retried once; the retry finished (or was already done)
        ([5, 4], 2, "done with an alert (exit 4)"),
        ([5, 5], 2, "still holds the lock (exit 5)"),
        ([3], 1, "input refused (exit 3)"),
        ([2], 1, "usage error (exit 2)"),
        ([1], 1, "failed (exit 1, a bug)"),
    ],
)
def test_the_cron_line_handles_each_exit_code(
    tmp_path: Path, codes: list[int], runs: int, says: str | None
) -> None:
    mailed, calls = _cron_run(tmp_path, codes)
    assert calls == ["run /etc/kizuki/nightly.yaml"] * runs
    if says is None:
        assert mailed == ""
    else:
        assert mailed.count("\n") == 1 and says in mailed
    log = (tmp_path / "cron.log").read_text(encoding="utf-8")
    assert log.splitlines() == [f"progress line of run {i + 1}" for i in range(runs)]
