"""Governance outputs (contract §10): model cards and algorithm-register records."""
