"""The run-history overview page (``pages/history.html``, contract §9): one page over every
run of a municipality's history, read from the ledger and the run folders."""
