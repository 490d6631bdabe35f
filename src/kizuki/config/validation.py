"""Validation settings (``configs/validation.yaml``): the reject limits and the
missing-table policy of the door, turned into :class:`kizuki.io.drop.DoorRules`."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal, cast

from pydantic import Field, field_validator

from kizuki.config import StrictModel, load_config
from kizuki.contract.schema import MISSING_TABLE_DEFAULT, TABLES
from kizuki.io.drop import DoorRules, MissingAction

#: the policy for an optional table that ``missing_tables`` does not name (the packaged
#: default, from the contract; see ``configs/validation.yaml`` for why)
DEFAULT_MISSING_TABLES: dict[str, MissingAction] = {
    name: cast(MissingAction, action) for name, action in MISSING_TABLE_DEFAULT.items()
}


class ValidationConfig(StrictModel):
    """How strict the door is: the reject-share limit, overall and per table, and what the
    absence of each optional table means."""

    config_version: Literal[1]
    reject_limit: float = Field(0.01, ge=0.0, le=1.0)
    table_limits: dict[str, float] = Field(default_factory=dict)
    missing_tables: dict[str, MissingAction] = Field(
        default_factory=lambda: dict(DEFAULT_MISSING_TABLES)
    )
    why: dict[str, str] = Field(default_factory=dict)

    # the door's settings are not among issue 16's consequential settings: their reasons
    # (why:) are shown when given, never required (a municipality's one-line
    # validation.yaml stays valid)
    _why_required: ClassVar[tuple[str, ...]] = ()

    @field_validator("table_limits")
    @classmethod
    def _known_tables(cls, v: dict[str, float]) -> dict[str, float]:
        for name, limit in v.items():
            if name not in TABLES:
                raise ValueError(f"unknown table '{name}' (expected one of {', '.join(TABLES)})")
            if not 0.0 <= limit <= 1.0:
                raise ValueError(f"limit for '{name}' must be between 0 and 1")
        return v

    @field_validator("missing_tables")
    @classmethod
    def _optional_tables(cls, v: dict[str, MissingAction]) -> dict[str, MissingAction]:
        optional = [name for name, t in TABLES.items() if not t.required]
        for name in v:
            if name not in optional:
                raise ValueError(
                    f"'{name}' is not an optional table (expected one of {', '.join(optional)}; "
                    "residents is always required)"
                )
        # a table the file does not name keeps its packaged default
        return {name: v.get(name, DEFAULT_MISSING_TABLES[name]) for name in optional}

    def door(self, *, accept_undeclared: bool = False) -> DoorRules:
        """The door's rules: these limits and policy, and whether undeclared tables are used."""
        return DoorRules(
            reject_limit=self.reject_limit,
            table_limits=dict(self.table_limits),
            missing_tables=dict(self.missing_tables),
            accept_undeclared=accept_undeclared,
        )


def load_validation_config(directory: Path | None = None) -> ValidationConfig:
    """Read and validate ``configs/validation.yaml``."""
    return load_config(ValidationConfig, "validation", directory)
