"""Every validated config a pipeline run uses, loaded once, with the hash that identifies them.

:func:`load_settings` reads the packaged configs (or the override folder of
``--config-dir`` / ``KIZUKI_CONFIG_DIR``) for the stages a pipeline runs.
:meth:`Settings.hash` is the run's config hash (contract §9): the configs and the
pipeline's stage options and alert policy, never its paths (the drop's file hashes
stand for the drop; moving a history folder does not make its runs new).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kizuki.config import config_hash

if TYPE_CHECKING:
    from kizuki.audit.config import AuditConfig
    from kizuki.checklist import ChecklistConfig
    from kizuki.community import CommunityConfig
    from kizuki.config.validation import ValidationConfig
    from kizuki.features.config import FeatureConfig
    from kizuki.model.config import ModelConfig
    from kizuki.monitor.config import MonitorConfig
    from kizuki.outreach.config import OutreachConfig
    from kizuki.report import ReportConfig
    from kizuki.runner.config import Pipeline
    from kizuki.shortlist import ShortlistConfig


@dataclass(frozen=True)
class Settings:
    """The validated configs of one pipeline run."""

    features: FeatureConfig
    checklist: ChecklistConfig
    shortlist: ShortlistConfig
    report: ReportConfig
    validation: ValidationConfig
    monitor: MonitorConfig
    audit: AuditConfig
    model: ModelConfig
    outreach: OutreachConfig
    community: CommunityConfig

    def hash(self, pipeline: Pipeline) -> str:
        """The config hash of a run of ``pipeline`` with these configs."""
        spec = pipeline.spec
        return config_hash(
            self.features,
            self.checklist,
            self.shortlist,
            self.report,
            self.validation,
            self.monitor,
            self.audit,
            self.model,
            self.outreach,
            self.community,
            spec.stages,
            spec.alerts,
        )


def load_settings(config_dir: Path | None = None) -> Settings:
    """Load and validate every config a pipeline stage may use (ConfigRefused, exit 3,
    naming the file and field of a bad one)."""
    from kizuki.audit.config import load_audit_config
    from kizuki.checklist import load_checklist_config
    from kizuki.community import load_community_config
    from kizuki.config.validation import load_validation_config
    from kizuki.features.config import load_feature_config
    from kizuki.model.config import load_model_config
    from kizuki.monitor.config import load_monitor_config
    from kizuki.outreach.config import load_outreach_config
    from kizuki.report import load_report_config
    from kizuki.shortlist import load_shortlist_config

    return Settings(
        features=load_feature_config(config_dir),
        checklist=load_checklist_config(config_dir),
        shortlist=load_shortlist_config(config_dir),
        report=load_report_config(config_dir),
        validation=load_validation_config(config_dir),
        monitor=load_monitor_config(config_dir),
        audit=load_audit_config(config_dir),
        model=load_model_config(config_dir),
        outreach=load_outreach_config(config_dir),
        community=load_community_config(config_dir),
    )
