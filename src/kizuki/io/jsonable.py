"""Values made ready for JSON: the one converter every JSON output (manifest, monitor,
audit, performance) uses before :func:`kizuki.io.atomic.write_json`."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any


def jsonable(value: Any) -> Any:
    """``value`` with NaN/inf as None, dates as ISO text, tuples as lists (for json.dumps).

    In: any nesting of dicts, lists, tuples, floats, dates and other JSON scalars.
    Out: the same structure that ``json.dumps`` accepts without a ``default``.
    """
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
