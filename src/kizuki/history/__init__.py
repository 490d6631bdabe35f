"""A municipality's run history (contract §9): ``runs/<as_of>/``, ``ledger.parquet``, ``lock``."""

from kizuki.history.layout import LEDGER_COLUMNS, STATUSES, HistoryLayout, run_dir_name

__all__ = ["LEDGER_COLUMNS", "STATUSES", "HistoryLayout", "run_dir_name"]
