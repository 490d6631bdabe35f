"""Synthetic municipality presets (``configs/synth.yaml``), validated on load."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from kizuki.config import StrictModel, load_config
from kizuki.errors import ConfigError


class Preset(StrictModel):
    """One municipality's size, age structure and districts."""

    name_ja: str
    households: int = Field(gt=0)
    people_target: int = Field(gt=0)
    share_65plus: float = Field(gt=0, lt=1)
    districts: list[str] = Field(min_length=1)
    bimonthly_districts: list[str] = Field(default_factory=list)
    foreign_share: float = Field(0.02, ge=0, lt=1)

    @model_validator(mode="after")
    def _bimonthly_known(self) -> Preset:
        unknown = set(self.bimonthly_districts) - set(self.districts)
        if unknown:
            raise ValueError(f"bimonthly_districts not in districts: {sorted(unknown)}")
        return self


class SynthConfig(StrictModel):
    """``configs/synth.yaml``."""

    config_version: Literal[1]
    end_month: str
    default_months: int = Field(48, ge=24, le=240)
    default_seed: int = 0
    presets: dict[str, Preset]

    @field_validator("end_month")
    @classmethod
    def _month(cls, v: str) -> str:
        dt.date.fromisoformat(v + "-01")
        return v


@dataclass(frozen=True)
class SynthSpec:
    """Everything the generator needs: size, shape, length, seed."""

    households: int
    people_per_household: float
    share_65plus: float
    districts: tuple[str, ...]
    bimonthly_districts: tuple[str, ...]
    foreign_share: float
    end_month: dt.date
    months: int
    seed: int
    name: str


def load_synth_config(directory: Path | None = None) -> SynthConfig:
    """Read and validate ``configs/synth.yaml``."""
    return load_config(SynthConfig, "synth", directory)


def make_spec(
    preset: str | None,
    households: int | None,
    months: int | None,
    seed: int | None,
    config: SynthConfig | None = None,
) -> SynthSpec:
    """Resolve CLI choices into a :class:`SynthSpec`.

    ``--households N`` alone scales the ``ashiya`` shape to N households (its districts,
    ageing and household size); with ``--preset`` it overrides the preset's size.
    """
    cfg = config or load_synth_config()
    name = preset or "ashiya"
    if name not in cfg.presets:
        raise ConfigError(
            f"unknown preset '{name}'; expected one of: {', '.join(sorted(cfg.presets))}"
        )
    p = cfg.presets[name]
    if households is not None and households < 1:
        raise ConfigError(
            "The 'households' parameter must be a positive int; got " + str(households)
        )
    if months is not None and months < 24:
        raise ConfigError(
            "The 'months' parameter must be an int of at least 24; got " + str(months)
        )
    n = households if households is not None else p.households
    return SynthSpec(
        households=n,
        people_per_household=p.people_target / p.households,
        share_65plus=p.share_65plus,
        districts=tuple(p.districts),
        bimonthly_districts=tuple(p.bimonthly_districts),
        foreign_share=p.foreign_share,
        end_month=dt.date.fromisoformat(cfg.end_month + "-01"),
        months=months if months is not None else cfg.default_months,
        seed=seed if seed is not None else cfg.default_seed,
        name=name if households is None else f"{name}-{n}",
    )
