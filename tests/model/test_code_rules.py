"""Rules for all of src/kizuki: no side effects at import, no ``assert`` for invariants.

- LightGBM's OpenMP wait policy used to be set when ``kizuki.model.lgbm`` was imported;
  it is now set by :func:`kizuki.model.lgbm.load_lightgbm`, when a model is fitted or loaded.
- ``assert`` vanishes under ``python -O``; invariants raise a KizukiError subclass.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import kizuki

SRC = Path(kizuki.__file__).parent

CODE = textwrap.dedent(
    """
    import importlib, json, os, pkgutil, sys
    import kizuki
    # third-party libraries first: polars sets its allocator's variable when it loads
    import numpy, polars, pydantic, typer, yaml

    before = dict(os.environ)
    names = sorted(
        m.name
        for m in pkgutil.walk_packages(kizuki.__path__, "kizuki.")
        if not m.name.endswith("__main__")
    )
    for name in names:
        importlib.import_module(name)
    after = dict(os.environ)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    print(json.dumps({"modules": len(names), "changed": changed, "lightgbm": "lightgbm" in sys.modules}))
    """
)


def _run(code: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def test_importing_every_kizuki_module_leaves_os_environ_unchanged() -> None:
    import json

    out = json.loads(_run(CODE))
    assert out["modules"] > 50
    assert out["changed"] == []
    assert out["lightgbm"] is False


def test_lightgbm_is_loaded_with_passive_waiting_unless_the_operator_chose() -> None:
    code = textwrap.dedent(
        """
        import os
        from kizuki.model.lgbm import load_lightgbm
        load_lightgbm()
        print(os.environ.get("OMP_WAIT_POLICY"))
        """
    )
    assert _run(code) == "PASSIVE"
    chosen = "import os\nos.environ['OMP_WAIT_POLICY'] = 'ACTIVE'\n" + code
    assert _run(chosen) == "ACTIVE"


def test_no_assert_statement_in_src() -> None:
    found = [
        f"{path.relative_to(SRC)}:{node.lineno}"
        for path in sorted(SRC.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assert)
    ]
    assert len(list(SRC.rglob("*.py"))) > 50
    assert found == []
