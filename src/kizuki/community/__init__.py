"""地域診断, the community view: expected new cases per district and issue, with intervals.

- :func:`community_table` (history, drop) -> one row per (run, district, issue) and per
  (run, issue) for the whole municipality (:mod:`kizuki.community.table`);
- :func:`write_community_page` (history, drop, lang) writes ``pages/community.html``;
- :mod:`kizuki.community.interval`: the Poisson-binomial interval widened for
  calibration error; :mod:`kizuki.community.suppress`: small cells, as the audit does;
- configs/community.yaml (:class:`CommunityConfig`).
"""

from kizuki.community.config import CommunityConfig, load_community_config
from kizuki.community.page import write_community_page
from kizuki.community.table import COLUMNS, NoHistory, community_table

__all__ = [
    "COLUMNS",
    "CommunityConfig",
    "NoHistory",
    "community_table",
    "load_community_config",
    "write_community_page",
]
