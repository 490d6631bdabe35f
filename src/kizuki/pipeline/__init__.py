"""Pipelines: wiring of the stages (train, score); logic lives in the stage packages."""
