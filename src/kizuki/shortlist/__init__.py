"""Per-district shortlists within capacity (see :mod:`kizuki.shortlist.select`)."""

from kizuki.shortlist.capacity import capacity_of, district_capacities, unknown_districts
from kizuki.shortlist.config import Capacity, ShortlistConfig, load_shortlist_config
from kizuki.shortlist.marks import FOLLOWUP_COLUMNS, mark_followup
from kizuki.shortlist.select import (
    HELD_BACK_SCHEMA,
    SHORTLIST_SCHEMA,
    build_shortlist,
    held_back_rows,
)

__all__ = [
    "FOLLOWUP_COLUMNS",
    "HELD_BACK_SCHEMA",
    "SHORTLIST_SCHEMA",
    "Capacity",
    "ShortlistConfig",
    "build_shortlist",
    "capacity_of",
    "district_capacities",
    "held_back_rows",
    "load_shortlist_config",
    "mark_followup",
    "unknown_districts",
]
