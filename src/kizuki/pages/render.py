"""The Jinja environment of the pages: templates from ``kizuki/pages/templates/``, escaping on.

Every value a template prints is HTML-escaped unless it is ``Markup`` (the charts of
:mod:`kizuki.pages.charts`), so a value from a drop (a district, an id) never becomes
markup. Templates see the filters of :mod:`kizuki.pages.format`, the charts, and
``issue_name`` / ``join`` of :mod:`kizuki.pages.words`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from kizuki.pages import charts
from kizuki.pages.format import FILTERS
from kizuki.pages.words import Words, issue_name, join


@cache
def environment() -> jinja2.Environment:
    """The page templates' environment (built once, on first use)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kizuki.pages", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    env.globals.update(
        hbars=charts.hbars,
        paired_bars=charts.paired_bars,
        dot_whisker=charts.dot_whisker,
        lines=charts.lines,
        issue_name=issue_name,
        join=join,
    )
    return env


def render_page(template: str, w: Words, **context: Any) -> str:
    """``templates/<template>`` rendered in ``w``'s language with its words as ``w``."""
    return environment().get_template(template).render(lang=w.lang, w=w, **context)
