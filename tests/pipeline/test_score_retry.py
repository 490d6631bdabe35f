"""A scoring run is safe to retry (issue 11 items 4 and 6), on stand-in stages:
"already done" for the same inputs, other inputs refused without --overwrite, the new
run built beside the old one and swapped in whole (nothing of the old left), the folder
locked while written, files that are not a run never replaced."""

from __future__ import annotations

import fcntl
import os
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from kizuki.config import validate_config
from kizuki.errors import FolderUnusable, RunLocked
from kizuki.io.files import file_digest
from kizuki.io.locks import folder_lock, lock_path
from kizuki.pipeline.score import (
    Components,
    DropInput,
    LoadedModel,
    RunNotWritten,
    RunRefused,
    TableInput,
    run_score,
)
from kizuki.report import ReportConfig
from kizuki.runs import find_runs, read_manifest
from kizuki.shortlist import ShortlistConfig

AS_OF = date(2026, 3, 31)
SHORTLIST_CFG = validate_config(
    ShortlistConfig, {"config_version": 1, "capacity": {"default": {"count": 5}}}
)
REPORT_CFG = validate_config(
    ReportConfig, {"config_version": 1, "bands": {"high": 0.3, "medium": 0.1}}
)
HASHES = {"residents": "ab" * 32}


def _components(tiny_models, kit, *, version: str = "tiny/1", hashes=None) -> Components:
    features = kit.make_features(120, seed=4)
    residents = pl.DataFrame(
        {"household_id": features["household_id"], "known_on": [date(2026, 6, 30)] * 120}
    ).lazy()
    drop = DropInput(
        tables={"residents": residents},
        inputs={"residents": TableInput("residents.parquet", "ab" * 32, 120, 0, "parquet")},
    )
    return Components(
        load=lambda path: drop,
        features=lambda tables, as_of: features,
        model=lambda uri: LoadedModel(tiny_models, uri or "models:/kizuki@champion", 6),
        checklist=kit.RuleChecklist,
        feature_items=lambda: kit.ITEMS,
        texts=lambda: kit.TEXTS,
        resolve=lambda uri: version,
        fingerprint=lambda path: dict(hashes or HASHES),
    )


def _score(comp: Components, out: Path, **kw):
    return run_score(
        Path("drop"),
        kw.pop("as_of", AS_OF),
        out,
        components=comp,
        shortlist_config=SHORTLIST_CFG,
        report_config=REPORT_CFG,
        **kw,
    )


def _state(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        p.relative_to(folder).as_posix(): (file_digest(p)["sha256"], p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_retry_of_the_same_inputs_is_already_done_and_rewrites_nothing(
    tiny_models, kit, tmp_path: Path
) -> None:
    comp = _components(tiny_models, kit)
    out = tmp_path / "run"
    first = _score(comp, out)
    assert not first.already_done
    before = _state(out)
    again = _score(comp, out)
    assert again.already_done and again.result is None
    assert again.manifest.run_id == first.manifest.run_id
    assert _state(out) == before  # hashes and modification times unchanged


@pytest.mark.parametrize(
    ("change", "word"),
    [
        ({"as_of": date(2026, 3, 30)}, "as-of date"),
        ({"version": "tiny/2"}, "model version"),
        ({"hashes": {"residents": "ef" * 32}}, "drop files"),
        ({"lang": "en"}, "language"),
    ],
)
def test_other_inputs_need_overwrite(tiny_models, kit, tmp_path: Path, change, word) -> None:
    out = tmp_path / "run"
    _score(_components(tiny_models, kit), out)
    before = _state(out)
    change = dict(change)
    comp = _components(
        tiny_models, kit, version=change.pop("version", "tiny/1"), hashes=change.pop("hashes", None)
    )
    with pytest.raises(RunRefused, match="already holds a scoring run") as exc:
        _score(comp, out, **change)
    assert word in str(exc.value) and exc.value.exit_code == 2
    assert _state(out) == before
    replaced = _score(comp, out, overwrite=True, **change)
    assert not replaced.already_done
    assert read_manifest(out / "manifest.json").run_id == replaced.manifest.run_id


def test_an_edited_output_is_not_already_done(tiny_models, kit, tmp_path: Path) -> None:
    comp = _components(tiny_models, kit)
    out = tmp_path / "run"
    _score(comp, out)
    (out / "shortlist.csv").write_bytes(b"opened and saved in a spreadsheet")
    with pytest.raises(RunRefused, match="differ from its manifest"):
        _score(comp, out)


def test_overwrite_leaves_nothing_of_the_old_run(tiny_models, kit, tmp_path: Path) -> None:
    out = tmp_path / "run"
    _score(_components(tiny_models, kit), out)
    for sub in ("monitor", "audit"):
        (out / sub).mkdir()
        (out / sub / f"{sub}.html").write_text("old report")
    (out / "rejects").mkdir(exist_ok=True)
    (out / "rejects" / "utility.parquet").write_bytes(b"old rejects")
    new = _score(_components(tiny_models, kit, version="tiny/2"), out, overwrite=True)
    names = {p.relative_to(out).as_posix() for p in out.rglob("*")}
    assert names == set(new.manifest.files) | {"manifest.json"}  # exactly the new run's files
    assert not [p for p in tmp_path.iterdir() if ".kizuki-" in p.name]  # no temporary sibling
    assert new.manifest.out == str(out.resolve())


def test_a_folder_of_other_files_is_never_replaced(tiny_models, kit, tmp_path: Path) -> None:
    out = tmp_path / "home"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(FolderUnusable, match="not part of a kizuki run"):
        _score(_components(tiny_models, kit), out, overwrite=True)
    assert (out / "notes.txt").read_text() == "mine"


def test_an_incomplete_run_is_replaced_and_killed_runs_leftovers_removed(
    tiny_models, kit, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "scores.parquet").write_bytes(b"half")  # an old-style crash: no manifest
    (out / ".report.html.x1y2.tmp").write_bytes(b"")
    stale = tmp_path / "run.kizuki-incomplete-20260101T000000Z-abcdef"
    stale.mkdir()
    (stale / "features.parquet").write_bytes(b"partial")
    summary = _score(_components(tiny_models, kit), out)
    assert not stale.exists()
    expected = {n.split("/")[0] for n in summary.manifest.files} | {"manifest.json"}
    assert {p.name for p in out.iterdir()} == expected


def test_a_second_writer_is_refused_at_once_naming_the_holder(
    tiny_models, kit, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    with folder_lock(out, "score"), pytest.raises(RunLocked, match=f"pid {os.getpid()}") as exc:
        _score(_components(tiny_models, kit), out)
    assert exc.value.exit_code == 5
    assert not out.exists()  # nothing started
    # the lock is gone with its holder: the next run proceeds
    assert not _score(_components(tiny_models, kit), out).already_done


def test_the_lock_is_an_os_lock_on_a_file_beside_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with folder_lock(out):
        fd = os.open(lock_path(out), os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    assert lock_path(out) == tmp_path / "run.lock"


def test_a_full_disk_keeps_the_old_run_whole(tiny_models, kit, tmp_path: Path, monkeypatch) -> None:
    import kizuki.pipeline.score as score_mod

    out = tmp_path / "run"
    _score(_components(tiny_models, kit), out)
    before = _state(out)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(score_mod, "write_reports", full)
    with pytest.raises(RunNotWritten, match="No space left") as exc:
        _score(_components(tiny_models, kit, version="tiny/2"), out, overwrite=True)
    assert exc.value.exit_code == 3
    assert _state(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run", "run.lock"]


def test_readers_of_a_folder_of_runs_skip_temporary_siblings(
    tiny_models, kit, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    _score(_components(tiny_models, kit), runs / "2026-03-31")
    import shutil

    shutil.copytree(runs / "2026-03-31", runs / "2026-03-31.kizuki-incomplete-x")
    assert [r.path.name for r in find_runs([runs])] == ["2026-03-31"]
