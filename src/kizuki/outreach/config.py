"""The outreach configuration (``configs/outreach.yaml``), validated.

Hold-back months per issue, the results that hold a household back, the team-code
length; each consequential setting carries its rationale under ``why:``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from kizuki.config import StrictModel, load_config
from kizuki.contract.schema import ISSUES

#: visit results (contract §8), in the order the entry sheet offers them
RESULTS = ("need_confirmed", "no_need", "declined", "not_reached", "moved")


class HoldBack(StrictModel):
    """Months of hold-back: a default and per-issue overrides (keyed by issue code)."""

    default: int = Field(default=3, ge=0, le=60)
    issues: dict[str, int] = Field(default_factory=dict)

    @field_validator("issues")
    @classmethod
    def _known_issues(cls, v: dict[str, int]) -> dict[str, int]:
        for issue, months in v.items():
            if issue not in ISSUES:
                raise ValueError(f"'{issue}' is not an issue code ({', '.join(ISSUES)})")
            if not 0 <= months <= 60:
                raise ValueError(f"months for '{issue}' must be between 0 and 60")
        return v

    def months(self, issue: str) -> int:
        """The hold-back months of ``issue``."""
        return self.issues.get(issue, self.default)


class OutreachConfig(StrictModel):
    """``configs/outreach.yaml``."""

    config_version: Literal[1]
    hold_back_months: HoldBack = Field(default_factory=HoldBack)
    hold_back_results: tuple[str, ...] = ("no_need", "declined")
    team_code_max_length: int = Field(default=16, ge=1, le=64)
    why: dict[str, str] = Field(default_factory=dict)

    @field_validator("hold_back_results")
    @classmethod
    def _known_results(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for r in v:
            if r not in RESULTS:
                raise ValueError(f"'{r}' is not a visit result ({', '.join(RESULTS)})")
            if r == "need_confirmed":
                raise ValueError("need_confirmed puts a household in support; it cannot hold back")
        return v

    @model_validator(mode="after")
    def _why_names_settings(self) -> OutreachConfig:
        settings = set(type(self).model_fields) - {"why", "config_version"}
        for key in self.why:
            if key not in settings:
                raise ValueError(f"why: '{key}' names no setting of outreach.yaml")
        return self


def load_outreach_config(directory: Path | None = None) -> OutreachConfig:
    """Read and validate ``configs/outreach.yaml`` (or the one in ``directory``)."""
    return load_config(OutreachConfig, "outreach", directory)
