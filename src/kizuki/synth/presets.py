"""Synthetic municipality presets (``configs/synth.yaml``), validated on load."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from kizuki.config import StrictModel, load_config
from kizuki.contract.declaration import is_valid_municipality_code
from kizuki.errors import ConfigError

#: the largest municipality a synthetic drop may have: 横浜市, the largest in Japan, has
#: about 1.8 million households
MAX_HOUSEHOLDS = 2_000_000
#: history length bounds (months)
MIN_MONTHS, MAX_MONTHS = 24, 240
#: households × months above this would need far more memory than a municipality's
#: server has (the ``city`` preset, 1 million households × 48 months, is 48 million)
MAX_HOUSEHOLD_MONTHS = 120_000_000
#: seeds are 32-bit (numpy's generators take larger ones, but a seed is typed by a person)
MAX_SEED = 2**32 - 1
#: the code of a synthetic drop that is not a real municipality's: prefecture 99 does not
#: exist (01–47), the check digit is valid (99001 → 9)
FICTIONAL_CODE = "990019"
FICTIONAL_NAME = "架空市（合成データ）"


class Preset(StrictModel):
    """One municipality's size, age structure and districts; ``municipality_code``: its
    real 全国地方公共団体コード (None: a fictional municipality, :data:`FICTIONAL_CODE`)."""

    name_ja: str
    municipality_code: str | None = None
    households: int = Field(gt=0, le=MAX_HOUSEHOLDS)
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

    @field_validator("municipality_code")
    @classmethod
    def _code(cls, v: str | None) -> str | None:
        if v is not None and not is_valid_municipality_code(v):
            raise ValueError("municipality_code must be 6 digits with a valid check digit")
        return v


class SynthConfig(StrictModel):
    """``configs/synth.yaml``."""

    config_version: Literal[1]
    end_month: str
    default_months: int = Field(48, ge=MIN_MONTHS, le=MAX_MONTHS)
    default_seed: int = Field(0, ge=0, le=MAX_SEED)
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
    #: the municipality its drop.yaml names (code with check digit, name)
    municipality_code: str = FICTIONAL_CODE
    municipality_name: str = FICTIONAL_NAME


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
    if households is not None and not 1 <= households <= MAX_HOUSEHOLDS:
        raise ConfigError(
            f"The 'households' parameter must be an int from 1 to {MAX_HOUSEHOLDS:,} (the "
            f"largest Japanese municipality has about 1.8 million); got {households}"
        )
    if months is not None and not MIN_MONTHS <= months <= MAX_MONTHS:
        raise ConfigError(
            f"The 'months' parameter must be an int from {MIN_MONTHS} to {MAX_MONTHS}; got {months}"
        )
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise ConfigError(f"The 'seed' parameter must be an int from 0 to {MAX_SEED}; got {seed}")
    n = households if households is not None else p.households
    length = months if months is not None else cfg.default_months
    if n * length > MAX_HOUSEHOLD_MONTHS:
        raise ConfigError(
            f"{n:,} households × {length} months is more than {MAX_HOUSEHOLD_MONTHS:,} "
            "household-months, more than a synthetic drop is made for; give fewer of either"
        )
    # a preset at its own size is that municipality; scaled, it is a fictional one
    real = households is None and p.municipality_code is not None
    return SynthSpec(
        households=n,
        people_per_household=p.people_target / p.households,
        share_65plus=p.share_65plus,
        districts=tuple(p.districts),
        bimonthly_districts=tuple(p.bimonthly_districts),
        foreign_share=p.foreign_share,
        end_month=dt.date.fromisoformat(cfg.end_month + "-01"),
        months=length,
        seed=seed if seed is not None else cfg.default_seed,
        name=name if households is None else f"{name}-{n}",
        municipality_code=p.municipality_code if real and p.municipality_code else FICTIONAL_CODE,
        municipality_name=p.name_ja if real else FICTIONAL_NAME,
    )
