"""Fairness audit of a scoring run: who is listed, who is missed, by group."""
