"""Features as of a date, one row per household (see :mod:`kizuki.features.build`)."""
