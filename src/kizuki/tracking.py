"""Experiment tracking and the model registry (MLflow). The only module importing mlflow.

Store: ``KIZUKI_TRACKING_URI`` when set (any MLflow tracking URI, e.g.
``sqlite:////srv/kizuki/mlflow.db`` or ``http://mlflow.internal:5000``), else a local
SQLite file that needs no server: ``sqlite:///<cwd>/kizuki-tracking/mlflow.db``. For a
SQLite store, artifacts go to an ``artifacts/`` folder beside the database file.

MLflow's anonymous usage telemetry is switched off before mlflow is imported
(``MLFLOW_DISABLE_TELEMETRY=true`` and ``DO_NOT_TRACK=true``, the two switches mlflow
3.x reads in ``mlflow.telemetry.utils.is_telemetry_disabled``): a municipal system
must not phone home. mlflow is imported lazily, by the first call that needs it, so
commands that do not track never load it.

Others log through the small API here: :func:`start_run` → :class:`Run`
(``log_params``, ``log_metrics``, ``log_artifact``, ``log_artifact_dir``, ``log_text``,
``end``; also a context manager), :func:`register`, :func:`resolve_model_uri`,
:func:`download_model`, :func:`load_model`, :func:`champion_version`, :func:`set_champion`.
Only the workflows (``kizuki.pipeline``, ``kizuki.cli``) import this module (.importlinter).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from kizuki.errors import ModelNotFound
from kizuki.io.atomic import private_dirs, private_file
from kizuki.io.model_files import DOCUMENT
from kizuki.model import IssueModels, load_models

MODEL_NAME = "kizuki"
CHAMPION = "champion"
#: environment switches that turn MLflow's usage telemetry off (mlflow 3.x)
TELEMETRY_OFF = {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}


def _quiet_env() -> None:
    os.environ.update(TELEMETRY_OFF)
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")


def tracking_uri() -> str:
    """The tracking store URI (see module docstring); creates the default folder."""
    uri = os.environ.get("KIZUKI_TRACKING_URI")
    if uri:
        return uri
    folder = private_dirs(Path.cwd() / "kizuki-tracking")
    return f"sqlite:///{folder / 'mlflow.db'}"


def artifact_root(uri: str | None = None) -> str | None:
    """Where new experiments keep artifacts: ``artifacts/`` beside a SQLite file, else
    None (the tracking server decides)."""
    uri = uri or tracking_uri()
    if uri.startswith("sqlite:///"):
        return (Path(uri.removeprefix("sqlite:///")).parent / "artifacts").as_uri()
    return None


def _mlflow() -> Any:
    """mlflow, imported with telemetry off and pointed at the store."""
    _quiet_env()
    import mlflow

    for name in ("mlflow", "alembic", "sqlalchemy"):
        logging.getLogger(name).setLevel(logging.ERROR)
    uri = tracking_uri()
    if uri.startswith("sqlite:///"):  # owner-only database (SQLite gives its journal the same mode)
        private_file(Path(uri.removeprefix("sqlite:///")))
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return mlflow


def _client() -> Any:
    _mlflow()
    from mlflow.tracking import MlflowClient

    return MlflowClient()


def _experiment_id(mlflow: Any, name: str) -> str:
    exp = mlflow.get_experiment_by_name(name)
    if exp is not None:
        return str(exp.experiment_id)
    return str(mlflow.create_experiment(name, artifact_location=artifact_root()))


class Run:
    """An open tracking run. Use :func:`start_run`; close with :meth:`end` or a ``with`` block
    (an exception marks the run FAILED)."""

    def __init__(
        self, experiment: str, run_name: str, tags: Mapping[str, str] | None = None
    ) -> None:
        self._mlflow = _mlflow()
        exp_id = _experiment_id(self._mlflow, experiment)
        self._run = self._mlflow.start_run(
            experiment_id=exp_id, run_name=run_name, tags=dict(tags or {})
        )
        self.run_id: str = self._run.info.run_id
        self.artifact_uri: str = self._run.info.artifact_uri

    def log_params(self, params: Mapping[str, Any]) -> None:
        """Log parameters (values as text, at most 500 characters each)."""
        self._mlflow.log_params({k: str(v)[:500] for k, v in params.items()})

    def log_metrics(
        self, metrics: Mapping[str, float | int | None], step: int | None = None
    ) -> None:
        """Log metrics; None values are skipped (a metric that does not exist is not zero)."""
        self._mlflow.log_metrics(
            {k: float(v) for k, v in metrics.items() if v is not None}, step=step
        )

    def set_tags(self, tags: Mapping[str, str]) -> None:
        """Tag the run."""
        self._mlflow.set_tags(dict(tags))

    def log_artifact(self, path: Path, folder: str | None = None) -> None:
        """Log one file (into ``folder`` of the run's artifacts)."""
        self._mlflow.log_artifact(str(path), artifact_path=folder)

    def log_artifact_dir(self, path: Path, folder: str | None = None) -> None:
        """Log every file of a folder (into ``folder`` of the run's artifacts)."""
        self._mlflow.log_artifacts(str(path), artifact_path=folder)

    def log_text(self, text: str, name: str) -> None:
        """Log a text as a file named ``name``."""
        self._mlflow.log_text(text, name)

    def end(self, status: str = "FINISHED") -> None:
        """Close the run (FINISHED, FAILED or KILLED)."""
        self._mlflow.end_run(status=status)

    def __enter__(self) -> Run:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.end("FINISHED" if exc_type is None else "FAILED")


def start_run(experiment: str, run_name: str, tags: Mapping[str, str] | None = None) -> Run:
    """Open a run in ``experiment`` (created when new) of the tracking store."""
    return Run(experiment, run_name, tags)


@dataclass(frozen=True)
class ModelRef:
    """A registered model version: ``uri`` is ``models:/<name>/<version>``."""

    name: str
    version: str

    @property
    def uri(self) -> str:
        """The registry URI of this version."""
        return f"models:/{self.name}/{self.version}"


def register(
    run: Run,
    artifact_path: str = "model",
    name: str = MODEL_NAME,
    tags: Mapping[str, str] | None = None,
) -> ModelRef:
    """Register the run's ``artifact_path`` folder as a new version of ``name``."""
    client = _client()
    try:
        client.get_registered_model(name)
    except Exception:
        client.create_registered_model(name, description="kizuki per-issue risk models")
    mv = client.create_model_version(
        name, source=f"{run.artifact_uri}/{artifact_path}", run_id=run.run_id, tags=dict(tags or {})
    )
    return ModelRef(name, str(mv.version))


def _model_version(uri: str | None) -> Any:
    ref = (uri or f"models:/{MODEL_NAME}@{CHAMPION}").removeprefix("models:/")
    client = _client()
    try:
        if "@" in ref:
            name, alias = ref.split("@", 1)
            return client.get_model_version_by_alias(name, alias)
        name, version = ref.split("/", 1)
        return client.get_model_version(name, version)
    except Exception:
        raise ModelNotFound(
            f"no registered model matches {uri or 'the champion'}; run `kizuki train` first "
            f"(tracking store: {tracking_uri()})"
        ) from None


def resolve_model_uri(uri: str | None = None) -> ModelRef:
    """The concrete version behind ``models:/kizuki@champion``, ``models:/kizuki/3`` or
    None (the champion). ModelNotFound when nothing matches."""
    if uri is not None and not uri.startswith("models:/"):
        raise ModelNotFound(
            f"not a model registry URI: {uri} (expected models:/NAME/VERSION or models:/NAME@ALIAS)"
        )
    mv = _model_version(uri)
    return ModelRef(str(mv.name), str(mv.version))


def download_model(uri: str | None) -> tuple[Path, str]:
    """A local folder holding the model, and its version.

    ``uri``: ``models:/kizuki@champion``, ``models:/kizuki/3``, None (the champion), or a
    local model folder (returned as is, version ``local:<folder name>``)."""
    if uri is not None and not uri.startswith("models:/"):
        p = Path(uri)
        if not (p / DOCUMENT).is_file():
            raise ModelNotFound(f"no kizuki model in folder '{p.name}' ({DOCUMENT} missing)")
        return p, f"local:{p.name}"
    mv = _model_version(uri)
    local = _mlflow().artifacts.download_artifacts(artifact_uri=mv.source)
    return Path(local), str(mv.version)


def load_model(uri: str | None = None) -> IssueModels:
    """The fitted model behind a registry URI (``models:/kizuki@champion``,
    ``models:/kizuki/3``), a local model folder, or (None) the registered champion; its
    ``version`` is the registry's (``local:<folder>`` for a folder)."""
    folder, version = download_model(uri)
    return load_models(folder, version=version)


def champion_version(name: str = MODEL_NAME) -> str | None:
    """The version the ``champion`` alias points to, or None."""
    try:
        return str(_client().get_model_version_by_alias(name, CHAMPION).version)
    except Exception:
        return None


def set_champion(version: str, name: str = MODEL_NAME) -> None:
    """Point the ``champion`` alias at ``version``."""
    _client().set_registered_model_alias(name, CHAMPION, version)


def version_tags(version: str, name: str = MODEL_NAME) -> dict[str, str]:
    """The tags of a model version."""
    return dict(_client().get_model_version(name, version).tags)
