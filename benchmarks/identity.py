"""Show that a change left kizuki's outputs identical: the same run, before and after.

Usage::

    uv run python benchmarks/identity.py --before COMMIT [--preset ashiya] [--keep DIR]
    uv run python benchmarks/identity.py --runs RUN_A RUN_B

With ``--before``, the script checks out ``COMMIT`` into a temporary git worktree,
runs ``kizuki demo`` there and in this checkout (each with its own fresh tracking
store, so both register ``models:/kizuki/1``), and compares the two scoring runs.
With ``--runs``, it compares two existing run folders.

Compared: ``features.parquet``, ``scores.parquet`` and ``shortlist.parquet`` must be
frame-identical (same columns in the same order, same dtypes, same values, same row
order), and the manifests must agree on every input-table count. The visible text
of ``report.html`` is compared too (``benchmarks/page_text.py``: one line per block, run
ids and versions masked, the page kit's listed unifications applied) and reported.
Exit 0 when the frames are identical, 1 otherwise; prints one line per file.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

sys.path.insert(0, str(Path(__file__).resolve().parent))
from page_text import differences, mask, visible_text  # a sibling script

ROOT = Path(__file__).resolve().parents[1]
FRAMES = ("features", "scores", "shortlist")
#: monthly tables a scoring run may read only in part (the months its features need)
WINDOWED = ("utility", "school", "care_usage")


def compare_runs(a: Path, b: Path) -> bool:
    """Compare two run folders; prints a line per file; True when every frame is identical."""
    same = True
    for name in FRAMES:
        fa, fb = pl.read_parquet(a / f"{name}.parquet"), pl.read_parquet(b / f"{name}.parquet")
        try:
            assert_frame_equal(fa, fb)
            print(f"{name}.parquet: identical ({fa.height:,} rows x {fa.width} columns)")
        except AssertionError as exc:
            same = False
            first = str(exc).splitlines()[0]
            print(f"{name}.parquet: DIFFERENT: {first}")
    ma = json.loads((a / "manifest.json").read_text(encoding="utf-8"))
    mb = json.loads((b / "manifest.json").read_text(encoding="utf-8"))
    counts = ("sha256", "rows_read", "rows_rejected", "knowledge_date_min", "knowledge_date_max")
    for table, entry in (ma.get("inputs") or {}).items():
        other = (mb.get("inputs") or {}).get(table, {})
        for key in counts:
            if key in entry and entry.get(key) != other.get(key):
                if table in WINDOWED and key in ("rows_read", "rows_rejected", "knowledge_date_min"):
                    # a scoring run reads only the months its features need (issue 12)
                    print(
                        f"manifest.json: table {table}: {key} {entry.get(key)} -> "
                        f"{other.get(key)} (a windowed read of a monthly table)"
                    )
                    continue
                same = False
                print(f"manifest.json: table {table}: {key} differs")
    print("manifest.json: input hashes, counts and knowledge-date ranges compared")
    old, new = (
        mask(visible_text((run / "report.html").read_text(encoding="utf-8"))) for run in (a, b)
    )
    diff = differences(old, new)
    if not diff:
        print(f"report.html: same visible text ({len(new):,} lines; run id and version masked)")
    else:
        print(f"report.html: visible text differs ({len(diff)} diff lines); first:")
        print("\n".join(diff[:12]))
    return same


def _demo(checkout: Path, out: Path, preset: str) -> Path:
    """Run ``kizuki demo`` in ``checkout`` into ``out`` with a fresh tracking store."""
    env = {k: v for k, v in __import__("os").environ.items() if k != "KIZUKI_TRACKING_URI"}
    env["KIZUKI_TRACKING_URI"] = f"sqlite:///{out / 'tracking' / 'mlflow.db'}"
    (out / "tracking").mkdir(parents=True, exist_ok=True)
    cmd = ["uv", "run", "--quiet", "kizuki", "demo", "--out", str(out), "--preset", preset]
    subprocess.run(cmd, cwd=checkout, env=env, check=True, stdout=subprocess.DEVNULL)
    return out / "run"


def main(argv: list[str]) -> int:
    """Entry point; returns the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", help="git commit to compare this checkout against")
    ap.add_argument("--runs", nargs=2, type=Path, help="two run folders to compare")
    ap.add_argument("--preset", default="ashiya")
    ap.add_argument("--keep", type=Path, help="keep the demo folders here")
    args = ap.parse_args(argv)
    if args.runs:
        return 0 if compare_runs(*args.runs) else 1
    if not args.before:
        ap.error("give --before COMMIT or --runs A B")
    work = args.keep or Path(tempfile.mkdtemp(prefix="kizuki-identity-"))
    tree = work / "before-tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(tree), args.before], cwd=ROOT, check=True)
    try:
        before = _demo(tree, work / "before", args.preset)
        after = _demo(ROOT, work / "after", args.preset)
        return 0 if compare_runs(before, after) else 1
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
