"""The page kit: every HTML page kizuki writes is built from these parts.

- ``templates/``: Jinja2 templates (escaping on): ``base.html`` (the layout and the one
  inline stylesheet ``style.css`` with the palette), ``macros.html`` (tables, alert
  boxes), one template per page (``report.html``, ``monitor.html``, ``performance.html``,
  ``audit.html``);
- :mod:`kizuki.pages.words`: the word catalogue, ``words/<page>.yaml`` in ja and en,
  alert texts in ``words/alerts.yaml``;
- :mod:`kizuki.pages.format`: how numbers, shares, dates and missing values print;
- :mod:`kizuki.pages.charts`: inline SVG charts;
- :mod:`kizuki.pages.render`: the environment and :func:`render_page`.

A page's data is gathered by its owner (``report/html.py``, ``monitor/report.py``,
``audit/report.py``) and handed to :func:`render_page` with its template and words.
To add a page: a template that extends ``base.html``, a words file, and the function
that gathers its data.
"""

from kizuki.pages.render import render_page
from kizuki.pages.words import Words, alert_text, words

__all__ = ["Words", "alert_text", "render_page", "words"]
