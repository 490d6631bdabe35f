"""Synthetic municipalities: data drops in the contract's exact format, with hidden truth.

``generate(spec) -> SynthDrop`` simulates households month by month (composition,
births, deaths, moves), six latent issues that start, persist and resolve, the noisy
traces each leaves in every source table, confounders, and case records that are a
delayed, partial and biased view of the latent needs. ``write_drop`` writes it as
parquet or as CP932 CSVs in the form municipalities really send (``csv-jp``).
"""
