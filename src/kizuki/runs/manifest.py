"""``manifest.json`` of a scoring run as a typed, versioned model (contract §5).

The manifest is written last: a run folder with a manifest is a complete run. It
names files, hashes, counts, the knowledge-date range of each input table and, since
version 2, the code counts of each table's code columns (so monitor compares runs
without reloading their drops); it never holds a record's identifiers or values.

Versions: 1 (no code counts) and 2 (``inputs.<table>.codes`` and
``codes_window_months``) are read; :data:`MANIFEST_VERSION` is written. Reading
validates the file and raises :class:`NotARun` (not a manifest, or a field missing or
of the wrong type, named by its path) or :class:`UnknownManifestVersion`.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from kizuki.errors import KizukiError
from kizuki.io.atomic import write_json
from kizuki.io.files import read_json

#: the version :func:`write_manifest` writes
MANIFEST_VERSION = 2
#: the versions :func:`read_manifest` accepts
READABLE_VERSIONS = (1, 2)


class NotARun(KizukiError):
    """A path given as a scoring run is not a complete, readable run folder."""


class UnknownManifestVersion(NotARun):
    """A run folder's manifest has a version this kizuki does not read."""


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CodeVersion(_Part):
    """kizuki's version, and the git commit (and whether the tree was dirty) when known."""

    kizuki: str
    git_commit: str | None = None
    git_dirty: bool | None = None


class ModelInfo(_Part):
    """The model that scored the run."""

    uri: str
    version: str
    horizon_months: int


class Municipality(_Part):
    """The municipality a drop.yaml names: 全国地方公共団体コード (check digit verified) and name."""

    code: str | None = None
    name: str | None = None


class TableBasis(_Part):
    """One table's declared source, purpose and legal basis (drop.yaml)."""

    source: str | None = None
    purpose: str | None = None
    legal_basis: str | None = None


class DeclarationInfo(_Part):
    """The drop's ``drop.yaml`` as the run used it (contract v2 §1).

    ``file``: ``drop.yaml``, or None for a drop without one (contract v1);
    ``accepted_undeclared``: the run was told to use undeclared tables and did;
    ``tables``: per table read, its declared basis or ``"undeclared"``.
    """

    file: str | None = None
    sha256: str | None = None
    contract_version: int | None = None
    municipality: Municipality | None = None
    extracted_on: dt.date | None = None
    accepted_undeclared: bool = False
    tables: dict[str, TableBasis | Literal["undeclared"]] = {}


class DropInfo(_Part):
    """The drop the run read: its folder, the optional tables it lacked, its newest date.

    ``declaration``: what its drop.yaml declares (absent in manifests written before
    drop.yaml was read); ``missing_table_policy``: per optional table absent, the
    policy applied (``alert`` or ``allow``; configs/validation.yaml ``missing_tables``).
    """

    path: str | None = None
    missing_tables: list[str] = []
    newest_knowledge_date: dt.date | None = None
    declaration: DeclarationInfo | None = None
    missing_table_policy: dict[str, Literal["refuse", "alert", "allow"]] = {}


#: column -> code -> rows
CodeColumns = dict[str, dict[str, int]]


class InputTable(_Part):
    """One input table: present or not; file, hash, rows read and rejected, knowledge dates.

    ``codes``: per code column of the table, rows per canonical code among the rows kept,
    known in the ``codes_window_months`` months up to the as-of date (version 2).
    ``validation``: ``validated`` (checked by this run) or ``cached`` (the same file, by
    hash, was validated before: ``validated_in`` names the run or time that did it);
    ``window_from``: the first month read when the run read only the months it needs
    (``rows_read`` then counts the rows of the window).
    """

    present: bool
    file: str | None = None
    format: str | None = None
    sha256: str | None = None
    rows_read: int | None = None
    rows_rejected: int | None = None
    knowledge_date_min: dt.date | None = None
    knowledge_date_max: dt.date | None = None
    codes: CodeColumns | None = None
    validation: str | None = None
    validated_in: str | None = None
    window_from: dt.date | None = None


class Cohort(_Part):
    """One issue's cohort: households scored, and known cases left out of it."""

    households: int
    known_cases: int


class DistrictListing(_Part):
    """One district's capacity and what was listed."""

    district: str
    households: int
    capacity: int
    rule: str
    listed: int
    compound: int
    known_case: int


class ShortlistInfo(_Part):
    """The shortlist's rule and counts."""

    priority: str
    min_score: float
    listed: int
    compound: int
    known_case: int
    districts: list[DistrictListing]
    configured_districts_not_in_drop: list[str] = []


class ReasonsInfo(_Part):
    """How many (household, issue) pairs were explained, and the faithfulness check."""

    pairs_explained: int
    max_abs_error_vs_raw_output: float | None = None


class FileDigest(_Part):
    """sha256 and size of one written file."""

    sha256: str
    bytes: int


class Manifest(_Part):
    """``manifest.json`` (see module docstring); field order is the file's key order.

    ``started_at`` / ``finished_at``: ISO 8601 UTC text as written (``...+00:00``);
    ``timings_s``: seconds per stage plus ``total``; ``files``: every file written
    before the manifest, by its name in the run folder.
    """

    manifest_version: int
    run_id: str
    started_at: str
    finished_at: str
    as_of: dt.date
    lang: Literal["ja", "en"]
    code_version: CodeVersion
    config_hash: str
    model: ModelInfo
    drop: DropInfo
    inputs: dict[str, InputTable]
    codes_window_months: int | None = None
    households: int
    cohorts: dict[str, Cohort]
    shortlist: ShortlistInfo
    reasons: ReasonsInfo
    timings_s: dict[str, float]
    files: dict[str, FileDigest]
    out: str

    @field_validator("manifest_version")
    @classmethod
    def _known_version(cls, v: int) -> int:
        if v not in READABLE_VERSIONS:
            raise ValueError(f"manifest_version must be one of {READABLE_VERSIONS}")
        return v

    def to_json(self) -> dict[str, Any]:
        """The manifest as JSON-ready data: an absent table is ``{"present": false}``;
        keys a version-1 manifest lacked are left out when they are unset."""
        data = self.model_dump(mode="json")
        if data["codes_window_months"] is None:
            del data["codes_window_months"]
        for name, table in self.inputs.items():
            if not table.present:
                data["inputs"][name] = {"present": False}
            elif table.codes is None:
                del data["inputs"][name]["codes"]
        return data


def write_manifest(path: Path, manifest: Manifest) -> Path:
    """Write ``manifest.json`` atomically (UTF-8, indented, keys in field order)."""
    return write_json(path, manifest.to_json())


def parse_manifest(raw: object, source: str) -> Manifest:
    """Validate parsed JSON into a :class:`Manifest`.

    In: the parsed file and its name for messages. Out: the manifest. Raises
    :class:`UnknownManifestVersion` or :class:`NotARun` naming the field that is wrong.
    """
    if not isinstance(raw, dict) or "manifest_version" not in raw:
        raise NotARun(f"{source} is not a kizuki run manifest (no manifest_version)")
    version = raw["manifest_version"]
    if version not in READABLE_VERSIONS:
        raise UnknownManifestVersion(
            f"{source} has manifest_version {json.dumps(version)}; this kizuki reads "
            f"{', '.join(map(str, READABLE_VERSIONS))} (a newer kizuki wrote it?)"
        )
    try:
        return Manifest.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        n = exc.error_count()
        more = f" (and {n - 1} more)" if n > 1 else ""
        raise NotARun(
            f"{source} is not a valid version-{version} run manifest: "
            f"field '{where}': {first['msg']}{more}"
        ) from None


def read_manifest(path: Path | str) -> Manifest:
    """Read and validate a run's ``manifest.json`` (:class:`NotARun` when it cannot be)."""
    path = Path(path)
    try:
        raw = read_json(path)
    except FileNotFoundError:
        raise NotARun(f"{path.parent} holds no scoring run (no {path.name})") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotARun(f"{path} is not readable JSON ({type(exc).__name__})") from None
    return parse_manifest(raw, str(path))
