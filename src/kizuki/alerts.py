"""Alerts: what fired, named by check, subject and a text code with its parameters, never a value.

An alert names its check (``feature_drift``, ``table_missing``, ...; see
``configs/monitor.yaml``), what it fired on (``utility``, ``water_recent@湯湾``,
``care.level``, ...) and carries the aggregate figures of its text as parameters (PSI,
shares, row counts; never a record's value or identifier). Its words come from the word
catalogue when it is shown (:func:`kizuki.pages.words.alert_text`, ``alerts.yaml`` keyed
by :attr:`Alert.code`). Whether an alert fails the command is decided by ``fail_on``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from kizuki.errors import CheckFailed


@dataclass(frozen=True)
class Alert:
    """One fired check.

    ``check``: the check's name; ``subject``: what it fired on; ``params``: the values its
    text shows (numbers, names of tables, features, districts, codes); ``text``: the key of
    its text in the catalogue when the check has several (default: the check);
    ``fails``: whether it fails the command.
    """

    check: str
    subject: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    text: str | None = None
    fails: bool = True

    @property
    def code(self) -> str:
        """The key of the alert's text in the word catalogue (``alerts.yaml``)."""
        return self.text or self.check

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: check, subject, code, params, fails."""
        return {
            "check": self.check,
            "subject": self.subject,
            "code": self.code,
            "params": dict(self.params),
            "fails": self.fails,
        }


def with_policy(alerts: Iterable[Alert], fail_on: Iterable[str]) -> list[Alert]:
    """The alerts with ``fails`` set from the configured list of failing checks."""
    failing = set(fail_on)
    return [replace(a, fails=a.check in failing) for a in alerts]


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
