"""Measure the community interval's coverage over several synthetic histories (the figures
quoted in src/kizuki/configs/community.yaml). Not a test: run it by hand, niced; each
history takes about a minute and a little over 1 GB.

    nice -n 10 uv run python tests/community/coverage_sweep.py OUT_DIR 5 6 7 8
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl

from kizuki.community import community_table, load_community_config

spec = importlib.util.spec_from_file_location("hb", Path(__file__).parent / "history_builder.py")
assert spec and spec.loader
hb = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hb)


def main(
    out: Path, seeds: list[int], errors: tuple[float, ...] = (0.0, 0.1, 0.2, 0.25, 0.3)
) -> None:
    cfg = load_community_config()
    for seed in seeds:
        base = out / f"seed{seed}"
        base.mkdir(parents=True, exist_ok=True)
        history, drop = (
            (base / "history", base / "drop")
            if (base / "history").is_dir()
            else hb.build_history(base, 45159, runs=6, seed=seed)
        )
        for c in errors:
            t = community_table(history, drop, cfg.model_copy(update={"calibration_error": c}))
            cells = t.filter(pl.col("matured") & pl.col("district").is_not_null())
            inside = cells.filter(pl.col("realised").is_between(pl.col("low"), pl.col("high")))
            totals = t.filter(pl.col("matured") & pl.col("district").is_null())
            held = totals.filter(pl.col("realised").is_between(pl.col("low"), pl.col("high")))
            print(
                f"seed {seed} c {c}: districts {inside.height}/{cells.height} = "
                f"{inside.height / cells.height:.3f}, municipality {held.height}/{totals.height}"
            )


if __name__ == "__main__":
    main(Path(sys.argv[1]), [int(s) for s in sys.argv[2:]])
