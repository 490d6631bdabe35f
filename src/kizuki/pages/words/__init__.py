"""The word catalogue: every word a page shows, in Japanese and English, one YAML file per page.

``<page>.yaml`` maps a key to ``{ja: ..., en: ...}`` (or a section of such keys, read as
``section.key``). A text may hold Jinja placeholders and filters of
:mod:`kizuki.pages.format` (``{{ n|integer }}``), filled by :meth:`Words.__call__`; words
are plain text (never markup), escaped where a page shows them. Alert texts live in
``alerts.yaml`` keyed by the alert's code (:func:`alert_text`). To add a word: add its key
with both languages to the page's file (``tests/pages/test_words.py`` checks both exist).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import jinja2

from kizuki.alerts import Alert
from kizuki.contract.schema import ISSUE_NAMES_EN, ISSUE_NAMES_JA
from kizuki.io.files import read_package_yaml
from kizuki.pages.format import FILTERS

#: the catalogue's files (without .yaml), one per page plus the alert texts
PAGES = (
    "report",
    "xlsx",
    "monitor",
    "performance",
    "audit",
    "community",
    "history",
    "model_card",
    "register",
    "alerts",
)
LANGS = ("ja", "en")


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for key, value in data.items():
        if isinstance(value, dict) and set(value) != set(LANGS):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


@cache
def catalogue(page: str) -> dict[str, dict[str, str]]:
    """``page``'s words: key (``section.key`` inside sections) -> {ja: text, en: text}."""
    if page not in PAGES:
        raise KeyError(f"word catalogue: no page {page!r} (pages: {', '.join(PAGES)})")
    return _flatten(read_package_yaml(__package__, f"{page}.yaml") or {})


@cache
def _texts() -> jinja2.Environment:
    """Jinja for word texts: plain text out (the page escapes it), strict about parameters."""
    env = jinja2.Environment(autoescape=False, undefined=jinja2.StrictUndefined)
    env.filters.update(FILTERS)
    return env


@cache
def _template(text: str) -> jinja2.Template:
    return _texts().from_string(text)


def fill(text: str, **params: Any) -> str:
    """``text`` with its ``{{ placeholders }}`` filled from ``params``."""
    if "{{" not in text and "{%" not in text:
        return text
    return _template(text).render(**params)


class Words:
    """The words of one page in one language: ``w["title"]``, ``w.title``, ``w("alerts", n=3)``."""

    def __init__(self, page: str, lang: str) -> None:
        self.page = page
        self.lang = "en" if lang == "en" else "ja"
        self._entries = catalogue(page)

    def __getitem__(self, key: str) -> str:
        return self(key)

    def __getattr__(self, key: str) -> str:
        if key.startswith("_") or key not in self._entries:
            raise AttributeError(f"word catalogue {self.page}: no key {key!r}")
        return self(key)

    def __call__(self, key: str, **params: Any) -> str:
        """The text of ``key``, its placeholders filled from ``params``."""
        entry = self._entries.get(key)
        if entry is None:
            raise KeyError(f"word catalogue {self.page}: no key {key!r}")
        return fill(entry[self.lang], **params)

    def get(self, key: str, default: str) -> str:
        """The text of ``key``, or ``default`` when the catalogue has none (e.g. a district)."""
        return self(key) if key in self._entries else default

    def section(self, name: str) -> dict[str, str]:
        """The texts of a section, ``key -> text`` in catalogue order."""
        head = f"{name}."
        return {k[len(head) :]: self(k) for k in self._entries if k.startswith(head)}


def words(page: str, lang: str) -> Words:
    """The words of ``page`` in ``lang`` (ja unless ``en``)."""
    return Words(page, lang)


def alert_text(alert: Alert, lang: str) -> str:
    """The alert's one-line text in ``lang``, from ``alerts.yaml`` and its parameters."""
    return Words("alerts", lang)(alert.code, **alert.params)


def issue_name(issue: str, lang: str) -> str:
    """The contract's name of an issue code in ``lang`` (the code itself if unknown)."""
    names = ISSUE_NAMES_EN if lang == "en" else ISSUE_NAMES_JA
    return names.get(issue, issue)


def join(items: Iterable[str], lang: str) -> str:
    """「a、b」 or "a, b"."""
    return ("、" if lang != "en" else ", ").join(items)
