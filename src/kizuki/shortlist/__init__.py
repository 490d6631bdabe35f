"""Per-district shortlists within capacity (see :mod:`kizuki.shortlist.select`)."""

from kizuki.shortlist.capacity import capacity_of, district_capacities, unknown_districts
from kizuki.shortlist.config import Capacity, ShortlistConfig, load_shortlist_config
from kizuki.shortlist.select import SHORTLIST_SCHEMA, build_shortlist

__all__ = [
    "SHORTLIST_SCHEMA",
    "Capacity",
    "ShortlistConfig",
    "build_shortlist",
    "capacity_of",
    "district_capacities",
    "load_shortlist_config",
    "unknown_districts",
]
