"""Files written whole or not at all, as a set: a staging folder, or renames at the end.

:func:`write_together` writes several files (parquet, text, bytes) each to a temporary
sibling and renames them into place only once every one of them is written: a failure
leaves none of them (and the old ones, if any, untouched).

:func:`staged_folder` yields a staging folder inside the target; when the block ends
without an error, every file in it is moved (renamed, so no new space is needed) to the
same place in the target, replacing a file of the same name; when it fails (a full
disk, an interrupt), the staging folder is removed, and the target too when this call
created it. So an interrupted ``kizuki synth`` never leaves half a drop.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import polars as pl

from kizuki.io.atomic import atomic_path
from kizuki.io.faults import path_fault

#: name prefix of staging folders (hidden: a drop's loader ignores them)
PREFIX = ".kizuki-staging-"


@contextlib.contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """Yield a staging folder for ``target``; move its files into ``target`` on success.

    In: the folder to fill (created, with its parents, when absent). Out: the staging
    folder to write into. On an exception nothing of the block's files is left.
    """
    created = not target.exists()
    target.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=PREFIX, dir=target))
    try:
        yield stage
        for path in sorted(p for p in stage.rglob("*") if p.is_file()):
            final = target / path.relative_to(stage)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, final)
    except BaseException as exc:
        shutil.rmtree(stage, ignore_errors=True)
        if created:
            shutil.rmtree(target, ignore_errors=True)
        fault = path_fault(exc, target) if isinstance(exc, Exception) else None
        if fault is not None:
            raise fault from None
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def write_together(files: Mapping[Path, pl.DataFrame | str | bytes]) -> list[Path]:
    """Write every file of ``files`` (a frame as parquet, a str as UTF-8 text, bytes as
    they are); the files take their final names only after all were written.

    In: final path -> content. Out: the final paths, in the order given.
    """
    final: Path | None = None
    try:
        with contextlib.ExitStack() as stack:
            for final, content in files.items():
                tmp = stack.enter_context(atomic_path(final))
                if isinstance(content, pl.DataFrame):
                    content.write_parquet(tmp)
                elif isinstance(content, str):
                    tmp.write_text(content, encoding="utf-8")
                else:
                    tmp.write_bytes(content)
    except Exception as exc:
        fault = path_fault(exc, final)
        if fault is None:
            raise
        raise fault from None
    return list(files)
