"""The synthetic history of tests/community (the same session fixture)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "kizuki_community_conftest", Path(__file__).parents[1] / "community" / "conftest.py"
)
assert _spec and _spec.loader
_mod = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("kizuki_community_conftest", _mod)
_spec.loader.exec_module(_mod)
synthetic_history = _mod.synthetic_history
