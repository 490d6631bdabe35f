"""Reliability diagram (PNG via matplotlib when installed) and a plain-text fallback."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from pathlib import Path

import polars as pl


def have_matplotlib() -> bool:
    """Whether matplotlib can be imported here."""
    return importlib.util.find_spec("matplotlib") is not None


def reliability_markdown(tables: Mapping[str, pl.DataFrame]) -> str:
    """One Markdown table per issue: decile, n, mean predicted, observed."""
    out = ["# Reliability (validation period, calibrated model)", ""]
    for issue, t in tables.items():
        out += [
            f"## {issue}",
            "",
            "| decile | n | mean predicted | observed |",
            "|---|---|---|---|",
        ]
        out += [
            f"| {d} | {n} | {mp:.5f} | {ob:.5f} |"
            for d, n, mp, ob in t.select("decile", "n", "mean_predicted", "observed").iter_rows()
        ]
        out.append("")
    return "\n".join(out)


def reliability_png(tables: Mapping[str, pl.DataFrame], path: Path) -> bool:
    """Write a reliability diagram (one panel per issue, log-log axes) to ``path``.

    In: per issue, deciles (mean_predicted, observed). Returns False (writing nothing)
    when matplotlib is not installed.
    """
    if not have_matplotlib():
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(tables)
    cols = 3
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.6 * rows), squeeze=False)
    for ax, (issue, t) in zip(axes.flat, tables.items(), strict=False):
        mp = t["mean_predicted"].to_numpy()
        ob = t["observed"].to_numpy()
        hi = max(float(mp.max(initial=0)), float(ob.max(initial=0)), 1e-3) * 1.1
        ax.plot([0, hi], [0, hi], color="#999999", lw=1, ls="--")
        ax.plot(mp, ob, marker="o", color="#1f5f8b")
        ax.set_title(issue)
        ax.set_xlabel("mean predicted")
        ax.set_ylabel("observed rate")
        ax.set_xlim(0, hi)
        ax.set_ylim(0, hi)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.tight_layout()
    from kizuki.io.atomic import write_with

    write_with(path, lambda tmp: fig.savefig(tmp, format="png", dpi=90))
    plt.close(fig)
    return True
