"""The pipeline file of ``kizuki run PIPELINE.yaml``: what to run, on which drop, into which history.

A pipeline file is YAML validated on load (unknown keys are errors that quote the key)::

    pipeline: nightly            # the name recorded in the ledger
    drop: ../data/drop           # paths relative to the pipeline file's folder
    history: ../data/history
    tracking: null               # a store URI or a path to a SQLite file; null: the
                                 # KIZUKI_TRACKING_URI / default store
    lang: ja
    as_of: newest                # newest complete month-end of the drop, or a date
    stages:                      # which stages run, with their options; they always run
      validate: {}               # in the order of STAGE_ORDER whatever the file's order
      score: {model: champion}
      monitor: {against: previous}
      performance: {}
      audit: {run: newest_matured}
      pages: {}
    alerts:
      fail_on: configured        # or a list of alert checks that give exit status 4

:func:`load_pipeline` reads and validates a file into a :class:`Pipeline` (paths
resolved), refusing a bad one with :class:`~kizuki.errors.ConfigRefused` (exit 3).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, field_validator, model_validator

from kizuki.config import StrictModel, validate_config
from kizuki.errors import ConfigError, ConfigRefused
from kizuki.io.files import read_yaml

#: the order stages run in (a file lists which ones run, never their order)
STAGE_ORDER = ("validate", "train", "score", "monitor", "performance", "audit", "pages")


class ValidateStage(StrictModel):
    """``validate``: load and check the drop (contract §1, §4); refused: exit 3."""

    reject_limit: float | None = Field(default=None, ge=0.0, le=1.0)
    accept_undeclared: bool = False


class TrainStage(StrictModel):
    """``train``: train as of the run's date, register, move the champion alias only when
    the new version wins by the champion rule (configs/model.yaml)."""

    compare_without_pu: bool = False


class ScoreStage(StrictModel):
    """``score``: a scoring run (§5) into ``runs/<as_of>``; ``model`` is ``champion`` (the
    registered champion) or a model URI."""

    model: str = "champion"


class MonitorStage(StrictModel):
    """``monitor``: drift and data quality of this run against the previous run of the
    history (skipped, and said so, for the first run)."""

    against: Literal["previous"] = "previous"


class PerformanceStage(StrictModel):
    """``performance``: realised and estimated precision and recall of every past run of
    the history, from the drop's outcomes (``performance/``)."""


class AuditStage(StrictModel):
    """``audit``: the fairness audit of the newest run whose horizon has matured (skipped,
    and said so, while none has)."""

    run: Literal["newest_matured"] = "newest_matured"


class PagesStage(StrictModel):
    """``pages``: ``pages/history.html`` and ``pages/community.html`` over the history."""


class Stages(StrictModel):
    """The stages that run (absent: not run) and their options."""

    validate_: ValidateStage | None = Field(default=None, alias="validate")
    train: TrainStage | None = None
    score: ScoreStage | None = None
    monitor: MonitorStage | None = None
    performance: PerformanceStage | None = None
    audit: AuditStage | None = None
    pages: PagesStage | None = None

    def names(self) -> tuple[str, ...]:
        """The stages that run, in :data:`STAGE_ORDER`."""
        return tuple(s for s in STAGE_ORDER if self.option(s) is not None)

    def option(self, stage: str) -> StrictModel | None:
        """The options of ``stage`` (None: it does not run)."""
        value: StrictModel | None = getattr(self, "validate_" if stage == "validate" else stage)
        return value

    @model_validator(mode="after")
    def _needs(self) -> Stages:
        if not self.names():
            raise ValueError("no stage to run: name at least one of " + ", ".join(STAGE_ORDER))
        needs_score = [s for s in ("monitor",) if self.option(s) is not None]
        if needs_score and self.score is None:
            raise ValueError(f"stage '{needs_score[0]}' needs the stage 'score'")
        return self


class AlertPolicy(StrictModel):
    """Which fired alerts make the run end with exit status 4 (``alert`` in the ledger).

    ``configured``: each stage's own configured policy (monitor.yaml ``fail_on``, the
    audit's, validation.yaml's missing tables); a list: exactly those alert checks.
    """

    fail_on: Literal["configured"] | tuple[str, ...] = "configured"


class PipelineFile(StrictModel):
    """The pipeline file as written (paths not yet resolved)."""

    pipeline: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    drop: Path
    history: Path
    tracking: str | None = None
    lang: Literal["ja", "en"] = "ja"
    as_of: Literal["newest"] | dt.date = "newest"
    stages: Stages
    alerts: AlertPolicy = AlertPolicy()
    description: str | None = None

    @field_validator("as_of", mode="before")
    @classmethod
    def _as_of(cls, value: object) -> object:
        if isinstance(value, str) and value != "newest":
            return dt.date.fromisoformat(value)
        return value


class Pipeline(StrictModel):
    """A validated pipeline with absolute paths: ``source`` is the file it came from."""

    source: Path
    spec: PipelineFile
    drop: Path
    history: Path
    tracking: str | None

    @property
    def name(self) -> str:
        """The pipeline's name (the ledger's ``pipeline`` column)."""
        return self.spec.pipeline


def _tracking(value: str | None, base: Path) -> str | None:
    if value is None or "://" in value:
        return value
    path = Path(value).expanduser()
    path = path if path.is_absolute() else (base / path)
    return f"sqlite:///{path.resolve()}"


def _resolve(path: Path, base: Path) -> Path:
    path = path.expanduser()
    return (path if path.is_absolute() else base / path).resolve()


def load_pipeline(path: Path) -> Pipeline:
    """Read and validate a pipeline file.

    In: the file's path. Out: a :class:`Pipeline` whose drop, history and tracking
    paths are absolute (relative ones are taken from the file's folder). Raises
    :class:`~kizuki.errors.ConfigRefused` (exit 3) naming the file and the bad key.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigRefused(f"pipeline file not found: {path}")
    try:
        raw = read_yaml(path)
    except OSError as exc:
        raise ConfigRefused(
            f"pipeline file cannot be read: {path} ({type(exc).__name__})"
        ) from None
    except UnicodeDecodeError:
        raise ConfigRefused(f"pipeline file {path} is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ConfigRefused(f"pipeline file {path} is not valid YAML{where}") from None
    if not isinstance(raw, dict):
        raise ConfigRefused(f"pipeline file {path}: expected a mapping of keys at the top level")
    try:
        spec = validate_config(PipelineFile, raw, source=f"pipeline file {path}")
    except ConfigError as exc:
        raise ConfigRefused(str(exc)) from None
    base = path.resolve().parent
    return Pipeline(
        source=path.resolve(),
        spec=spec,
        drop=_resolve(spec.drop, base),
        history=_resolve(spec.history, base),
        tracking=_tracking(spec.tracking, base),
    )
