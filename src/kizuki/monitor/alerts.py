"""Alerts: what fired, named by check and subject (feature, table, district, code), never a value.

An alert's message names the check and the subject and gives aggregate figures
(PSI, shares, counts of rows); it never carries a record's value or identifier.
Whether an alert fails the command is decided by ``fail_on`` in the config.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from kizuki.errors import CheckFailed


@dataclass(frozen=True)
class Alert:
    """One fired check.

    ``check``: the check's name (see ``configs/monitor.yaml``); ``subject``: what it
    fired on (``utility``, ``water_recent@湯湾``, ``care.level``, ...); ``message_en`` /
    ``message_ja``: one line each; ``fails``: whether it fails the command.
    """

    check: str
    subject: str
    message_en: str
    message_ja: str
    fails: bool = True

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)

    def message(self, lang: str) -> str:
        """The message in ``lang`` (ja or en)."""
        return self.message_ja if lang == "ja" else self.message_en


def with_policy(alerts: Iterable[Alert], fail_on: Iterable[str]) -> list[Alert]:
    """The alerts with ``fails`` set from the configured list of failing checks."""
    failing = set(fail_on)
    return [
        Alert(a.check, a.subject, a.message_en, a.message_ja, a.check in failing) for a in alerts
    ]


def summary_line(command: str, alerts: Sequence[Alert], limit: int = 8) -> str:
    """One line naming what fired, grouped by check: ``monitor: 3 alerts: table_missing
    utility; feature_drift water_recent, water_cv_12m``."""
    by_check: dict[str, list[str]] = {}
    for a in alerts:
        by_check.setdefault(a.check, []).append(a.subject)
    parts = []
    for check, subjects in by_check.items():
        shown = ", ".join(subjects[:limit])
        more = f" (+{len(subjects) - limit} more)" if len(subjects) > limit else ""
        parts.append(f"{check} {shown}{more}")
    n = len(alerts)
    return f"{command}: {n} alert{'s' if n != 1 else ''}: " + "; ".join(parts)


def raise_if_failing(command: str, alerts: Sequence[Alert]) -> None:
    """Raise :class:`~kizuki.errors.CheckFailed` naming the failing alerts, if any."""
    failing = [a for a in alerts if a.fails]
    if failing:
        raise CheckFailed(summary_line(command, failing))
