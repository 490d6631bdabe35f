"""The nightly runner: ``kizuki run PIPELINE.yaml`` over a municipality's history (contract §9).

Reads a pipeline file, takes the history's lock, runs the stages (validate, score,
monitor, performance, audit, train) through :mod:`kizuki.pipeline`, and records each
attempt in the history's ledger.
"""
