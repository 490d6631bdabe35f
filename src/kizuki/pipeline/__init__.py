"""Workflows: each command's work as one function of explicit inputs.

Every workflow takes paths, dates, validated configs and a ``progress`` callback and
returns a typed summary: :func:`~kizuki.pipeline.score.run_score`,
:func:`~kizuki.pipeline.train.run_train`, :func:`~kizuki.pipeline.monitor.run_monitor`,
:func:`~kizuki.pipeline.performance.run_performance`,
:func:`~kizuki.pipeline.audit.run_audit`, and :func:`~kizuki.pipeline.validate.run_validate`,
:func:`~kizuki.pipeline.features.run_features`, :func:`~kizuki.pipeline.synth.run_synth`,
:func:`~kizuki.pipeline.demo.run_demo`. They wire the stage packages (logic lives
there); the CLI parses options, loads configs, calls one of them and prints.
"""
