"""Which months of the monthly tables the features as of T read: ``months_needed``.

In: the feature config, the as-of date T, and optionally a window of knowledge dates
that something else counts over (the manifest's code counts). Out: per monthly table
(``utility``, ``school``, ``care_usage``), the first month a feature looks at. A
loader may read only those months (:class:`kizuki.io.validating.Window`), plus each
household's or person's newest older row, which the features taking "the newest row
ever" (water arrears, school-cost aid) and the membership of a child in the school
table need. Every feature value is the same as over the whole history
(``tests/perf/test_window.py``).
"""

from __future__ import annotations

import datetime as dt

from kizuki.calendar import month_start
from kizuki.contract.schema import TABLES
from kizuki.features.care import last_known_claim_month
from kizuki.features.config import FeatureConfig
from kizuki.features.money import STOP_NOTICE_MONTHS, UNPAID_GROWTH_MONTHS
from kizuki.features.water import COUNT_MONTHS
from kizuki.io.validating import Window

#: tables with a month column that grow with every month of history
MONTHLY_TABLES = ("utility", "school", "care_usage")
#: the monthly tables some feature reads "the newest row ever" of (water arrears, school
#: aid) or the mere presence of a row (a child in the school table): a windowed read
#: carries each entity's newest older row; care usage is read in its window only
CARRY_TABLES = ("utility", "school")


def _knowledge_margin(table: str) -> int:
    """Months a row's knowledge date can lie after its month under the contract default
    (lag plus a two-month billing period)."""
    return TABLES[table].knowledge.lag_months + 1


def months_needed(
    config: FeatureConfig, as_of: dt.date, known_window_months: int = 0
) -> dict[str, dt.date]:
    """Per monthly table: the first month (a month's first day) the features as of
    ``as_of`` read; ``known_window_months``: rows known in that many months up to
    ``as_of`` are needed too (their months start up to the knowledge lag earlier)."""
    k, h = config.water_recent_months, config.water_history_months
    water = month_start(as_of, -max(k + 12, h))
    utility = min(
        month_start(water, -1),  # a bi-monthly reading of the month before covers it
        month_start(as_of, -UNPAID_GROWTH_MONTHS),
        month_start(as_of, -STOP_NOTICE_MONTHS),
        month_start(as_of, -COUNT_MONTHS),
    )
    sy = as_of.year if as_of.month >= 4 else as_of.year - 1
    school = min(month_start(as_of, -max(config.school_windows_months)), dt.date(sy, 4, 1))
    care_usage = month_start(last_known_claim_month(as_of), -(config.no_service_months - 1))
    needed = {"utility": utility, "school": school, "care_usage": care_usage}
    if known_window_months:
        for table, since in needed.items():
            back = known_window_months + _knowledge_margin(table)
            needed[table] = min(since, month_start(as_of, -back))
    # one month more on every side: a window edge never decides a value
    return {t: month_start(d, -1) for t, d in needed.items()}


def windows_for(
    config: FeatureConfig, as_of: dt.date, known_window_months: int = 0
) -> dict[str, Window]:
    """Per monthly table, the :class:`~kizuki.io.validating.Window` a run as of ``as_of``
    reads (:func:`months_needed`), for :func:`kizuki.io.drop.load_drop`."""
    needed = months_needed(config, as_of, known_window_months)
    return {t: Window(needed[t], as_of, carry=t in CARRY_TABLES) for t in MONTHLY_TABLES}
