"""Fairness audit of a scoring run: who is listed, who is found, who is missed, by group.

:func:`audit_run` computes the group metrics at the list size with bootstrap intervals
and disparities against a reference group, suppressing small cells before anything
leaves; ``kizuki audit`` writes ``audit.html`` / ``audit.json`` (:mod:`kizuki.audit.report`).
"""

from __future__ import annotations

from kizuki.audit.config import AuditConfig, load_audit_config
from kizuki.audit.core import AuditResult, audit_run

__all__ = ["AuditConfig", "AuditResult", "audit_run", "load_audit_config"]
