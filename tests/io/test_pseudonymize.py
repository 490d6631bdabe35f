"""kizuki pseudonymize: consistent keyed IDs, raw keys and identifiers gone, key never written."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from kizuki.cli.main import app
from kizuki.io.drop import load_drop

runner = CliRunner()
KEY = "a-very-secret-key-for-tests-0123456789"


def _raw(folder: Path) -> None:
    folder.mkdir()
    (folder / "residents.csv").write_bytes(
        "宛名番号,世帯番号,氏名,住所,生年月,性別,続柄,地区,開始日\n"
        "100001,900001,山田花子,芦屋市1-1,S15.5,女,世帯主,精道,H30.4.1\n"
        "100002,900001,山田一郎,芦屋市1-1,S47.3,男,長男,精道,H30.4.1\n".encode("cp932")
    )
    (folder / "tax.csv").write_bytes(
        "宛名番号,年度,主たる所得,課税区分,申告有無,電話番号\n100001,R5,年金,非課税,申告あり,0797-00-0000\n".encode(
            "cp932"
        )
    )


def test_pseudonymize_is_consistent_and_drops_identifiers(tmp_path: Path, declare) -> None:
    raw, out = tmp_path / "raw", tmp_path / "drop"
    _raw(raw)
    declare(raw)  # the extract's drop.yaml travels with it into the drop
    (tmp_path / "key").write_text(KEY)
    result = runner.invoke(
        app, ["pseudonymize", str(raw), "--out", str(out), "--key-file", str(tmp_path / "key")]
    )
    assert result.exit_code == 0, result.output
    for f in out.iterdir():
        text = f.read_bytes().decode("utf-8-sig")
        for secret in ("100001", "900001", "山田", "芦屋市1-1", "0797", KEY):
            assert secret not in text
    assert KEY not in result.output
    assert (out / "drop.yaml").read_bytes() == (raw / "drop.yaml").read_bytes()
    loaded = load_drop(out)
    r = loaded.tables["residents"].collect()
    t = loaded.tables["tax"].collect()
    assert r["person_id"][0] == t["person_id"][0]  # same person, same ID across tables
    assert r["household_id"].n_unique() == 1 and r["person_id"].n_unique() == 2
    assert r["person_id"][0] != r["household_id"][0]


def test_same_key_same_ids_other_key_other_ids(tmp_path: Path, monkeypatch) -> None:
    raw = tmp_path / "raw"
    _raw(raw)
    ids = []
    for i, key in enumerate((KEY, KEY, KEY + "x")):
        monkeypatch.setenv("KIZUKI_PSEUDONYM_KEY", key)
        out = tmp_path / f"d{i}"
        assert runner.invoke(app, ["pseudonymize", str(raw), "--out", str(out)]).exit_code == 0
        ids.append(pl.read_csv(out / "residents.csv")["person_id"].to_list())
    assert ids[0] == ids[1] and ids[0] != ids[2]


def test_missing_key_is_a_one_line_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("KIZUKI_PSEUDONYM_KEY", raising=False)
    _raw(tmp_path / "raw")
    result = runner.invoke(
        app, ["pseudonymize", str(tmp_path / "raw"), "--out", str(tmp_path / "o")]
    )
    assert (
        result.exit_code != 0
        and "KIZUKI_PSEUDONYM_KEY" in result.output
        and "Traceback" not in result.output
    )
