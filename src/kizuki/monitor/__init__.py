"""Monitoring of scoring runs: drift with sample-size-aware tests, data quality, list
stability, reason drift, and performance while labels are late.

Entry points: :func:`compare_runs` (reference vs current run folder) and
:func:`performance_history` (past runs against the outcomes that have arrived); the
``kizuki monitor`` command writes their reports (:mod:`kizuki.monitor.report`).
"""

from __future__ import annotations

from kizuki.monitor.compare import MonitorResult, compare_runs
from kizuki.monitor.config import MonitorConfig, load_monitor_config
from kizuki.monitor.performance import estimate_error, performance_history, run_performance

__all__ = [
    "MonitorConfig",
    "MonitorResult",
    "compare_runs",
    "estimate_error",
    "load_monitor_config",
    "performance_history",
    "run_performance",
]
