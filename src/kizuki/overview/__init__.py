"""The run-history overview page (``pages/history.html``, contract §9): one page over every
run of a municipality's history, read from the ledger and the run folders.

:func:`write_history_page` (history folder, language) writes the page; :func:`history_rows`
gives its rows as data.
"""

from kizuki.overview.page import history_rows, write_history_page

__all__ = ["history_rows", "write_history_page"]
