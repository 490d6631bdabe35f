"""JSON-ready values for the machine-readable twin of a page (monitor.json, audit.json, ...)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from kizuki.alerts import Alert
from kizuki.io.jsonable import jsonable
from kizuki.pages.words import alert_text


def frame_records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON-ready records (NaN → null, dates → ISO)."""
    return [jsonable(r) for r in frame.to_dicts()]


def alert_records(alerts: Sequence[Alert]) -> list[dict[str, Any]]:
    """Alerts as JSON-ready records: check, subject, code, params, fails and their text in
    both languages (``message_en``, ``message_ja``)."""
    return [
        jsonable(
            {**a.to_dict(), "message_en": alert_text(a, "en"), "message_ja": alert_text(a, "ja")}
        )
        for a in alerts
    ]
