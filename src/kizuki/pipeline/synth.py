"""``kizuki synth``: write a synthetic data drop (contract §7).

:func:`run_synth` generates the municipality a spec describes
(:func:`kizuki.synth.presets.make_spec`) and writes its tables and ``truth/``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from kizuki.io.faults import PathFault, check_writable
from kizuki.pipeline.progress import Progress, quiet
from kizuki.synth.generate import generate
from kizuki.synth.presets import SynthSpec
from kizuki.synth.write import write_drop


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`run_synth` wrote: the drop folder, its files, rows per table."""

    out: Path
    files: list[Path]
    rows: dict[str, int]


def run_synth(
    out: Path, spec: SynthSpec, fmt: str = "parquet", *, progress: Progress = quiet
) -> SynthSummary:
    """Generate the drop ``spec`` describes and write it into ``out``.

    In: the folder, the spec (households, months, seed, preset shape), the format
    (``parquet`` or ``csv-jp``), a progress callback. Out: :class:`SynthSummary`. A
    folder that cannot be written is refused (:class:`PathFault`) before generating; the
    drop (tables, ``drop.yaml``, ``truth/``) is written whole or not at all.
    """
    if out.exists() and not out.is_dir():
        raise PathFault(f"synth: --out {out} is a file; give the folder to write the drop into")
    check_writable(out if out.is_dir() else out.parent)  # before any work, not after it
    t0 = time.perf_counter()
    progress(
        f"synth: {spec.name}, {spec.households:,} households, {spec.months} months, seed {spec.seed}"
    )
    drop = generate(spec)
    files = write_drop(drop, out, fmt)
    rows = {k: v.height for k, v in drop.tables.items()}
    progress(
        "synth: "
        + ", ".join(f"{k} {v:,}" for k, v in rows.items())
        + f" ({time.perf_counter() - t0:.1f} s)"
    )
    progress(
        f"synth: drop.yaml names {spec.municipality_code} {spec.municipality_name} "
        "(synthetic data: no legal basis needed)"
    )
    return SynthSummary(out=out, files=files, rows=rows)
