"""audit.yaml ``reference_groups``: its keys name audited dimensions (checked on load),
its values name groups of the run (checked by the audit). Before, either typo was
silently ignored and the largest group became the reference."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from kizuki.audit.config import AuditConfig, load_audit_config
from kizuki.audit.core import audit_run
from kizuki.config import validate_config
from kizuki.errors import ConfigError
from kizuki.runs import read_run


def _config(**changes: Any) -> AuditConfig:
    raw = load_audit_config().model_dump(mode="json") | changes
    raw["bootstrap"] |= {"replicates": 100}
    return validate_config(AuditConfig, raw, "audit.yaml")


def test_a_reference_group_for_an_unknown_dimension_is_a_config_error_quoting_it() -> None:
    with pytest.raises(ConfigError, match=r"^audit\.yaml: .*reference_groups names 'nationalty'"):
        _config(reference_groups={"nationalty": "jp"})
    # a dimension and an intersection (by its name "a × b") are accepted
    ok = _config(reference_groups={"nationality": "jp", "district × nationality": "x × jp"})
    assert ok.reference_groups["nationality"] == "jp"


def test_a_reference_group_no_household_is_in_is_a_config_error_quoting_it(
    audit_run_dir: Path,
) -> None:
    run = read_run(audit_run_dir)
    with pytest.raises(ConfigError, match="reference_groups 'district' names group 'no-such-district'"):
        audit_run(
            run,
            _config(reference_groups={"district": "no-such-district"}),
            positive=None,
            known_until=None,
        )


def test_a_configured_reference_group_is_used(audit_run_dir: Path) -> None:
    run = read_run(audit_run_dir)
    sizes = run.features.group_by("district").len().sort("len")
    smallest = sizes["district"][0]
    assert smallest != sizes["district"][-1]
    result = audit_run(
        run, _config(reference_groups={"district": smallest}), positive=None, known_until=None
    )
    assert result.references["district"] == smallest
    ref_rows = result.rows.filter(pl.col("dimension") == "district", pl.col("reference"))
    assert set(ref_rows["group"].to_list()) == {smallest}
