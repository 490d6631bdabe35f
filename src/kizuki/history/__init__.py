"""A municipality's run history (contract §9): ``runs/<as_of>/``, ``ledger.parquet``, ``lock``."""
