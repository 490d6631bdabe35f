"""Experiment tracking and the model registry (MLflow). The only module importing mlflow.

The store is ``KIZUKI_TRACKING_URI`` when set, else a local SQLite file that needs no
server: ``sqlite:///<cwd>/kizuki-tracking/mlflow.db`` with artifacts beside it. MLflow's
anonymous usage telemetry is switched off before mlflow is imported: a municipal
system must not phone home.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kizuki.errors import ModelNotFound

MODEL_NAME = "kizuki"
CHAMPION = "champion"


def _quiet_env() -> None:
    os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
    os.environ["DO_NOT_TRACK"] = "true"
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")


def tracking_uri() -> str:
    """The tracking store URI (see module docstring)."""
    uri = os.environ.get("KIZUKI_TRACKING_URI")
    if uri:
        return uri
    folder = Path.cwd() / "kizuki-tracking"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'mlflow.db'}"


def _artifact_root() -> str | None:
    uri = tracking_uri()
    if uri.startswith("sqlite:///"):
        return (Path(uri.removeprefix("sqlite:///")).parent / "artifacts").as_uri()
    return None


def _mlflow() -> Any:
    _quiet_env()
    import logging

    import mlflow

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    logging.getLogger("alembic").setLevel(logging.ERROR)
    mlflow.set_tracking_uri(tracking_uri())
    mlflow.set_registry_uri(tracking_uri())
    return mlflow


def _experiment(mlflow: Any, name: str) -> str:
    exp = mlflow.get_experiment_by_name(name)
    if exp is not None:
        return str(exp.experiment_id)
    return str(mlflow.create_experiment(name, artifact_location=_artifact_root()))


class Run:
    """An open tracking run: log params, metrics, files; close with :meth:`end`."""

    def __init__(self, experiment: str, run_name: str) -> None:
        self.mlflow = _mlflow()
        exp_id = _experiment(self.mlflow, experiment)
        self.run = self.mlflow.start_run(experiment_id=exp_id, run_name=run_name)
        self.run_id: str = self.run.info.run_id

    def params(self, params: Mapping[str, Any]) -> None:
        """Log parameters (values as text)."""
        self.mlflow.log_params({k: str(v)[:500] for k, v in params.items()})

    def metrics(self, metrics: Mapping[str, float | None]) -> None:
        """Log metrics (None values are skipped)."""
        self.mlflow.log_metrics({k: float(v) for k, v in metrics.items() if v is not None})

    def artifact(self, path: Path, folder: str | None = None) -> None:
        """Log one file."""
        self.mlflow.log_artifact(str(path), artifact_path=folder)

    def artifacts(self, path: Path, folder: str | None = None) -> None:
        """Log a folder."""
        self.mlflow.log_artifacts(str(path), artifact_path=folder)

    def text(self, text: str, name: str) -> None:
        """Log a text file."""
        self.mlflow.log_text(text, name)

    def end(self, status: str = "FINISHED") -> None:
        """Close the run."""
        self.mlflow.end_run(status=status)


def register(run: Run, artifact_folder: str = "model") -> str:
    """Register the run's ``model`` folder as a new version of ``kizuki``; returns its URI."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient()
    try:
        client.get_registered_model(MODEL_NAME)
    except Exception:
        client.create_registered_model(MODEL_NAME, description="kizuki per-issue risk models")
    source = f"{run.run.info.artifact_uri}/{artifact_folder}"
    mv = client.create_model_version(MODEL_NAME, source=source, run_id=run.run_id)
    return f"models:/{MODEL_NAME}/{mv.version}"


def champion_version() -> str | None:
    """The version the ``champion`` alias points to, or None."""
    from mlflow.tracking import MlflowClient

    _mlflow()
    try:
        return str(MlflowClient().get_model_version_by_alias(MODEL_NAME, CHAMPION).version)
    except Exception:
        return None


def set_champion(version: str) -> None:
    """Point the ``champion`` alias at ``version``."""
    from mlflow.tracking import MlflowClient

    _mlflow()
    MlflowClient().set_registered_model_alias(MODEL_NAME, CHAMPION, version)


def set_version_tag(version: str, key: str, value: str) -> None:
    """Tag a model version (e.g. its validation score)."""
    from mlflow.tracking import MlflowClient

    _mlflow()
    MlflowClient().set_model_version_tag(MODEL_NAME, version, key, value)


def download_model(uri: str | None) -> tuple[Path, str]:
    """Resolve ``models:/kizuki@champion``, ``models:/kizuki/3`` (or None: the champion) to a
    local folder; returns (folder, version). A local folder path is returned as is."""
    if uri is not None and not uri.startswith("models:/"):
        p = Path(uri)
        if not (p / "model.json").exists():
            raise ModelNotFound(f"no kizuki model at {uri} (expected model.json in the folder)")
        return p, f"local:{p.name}"
    mlflow = _mlflow()
    from mlflow.tracking import MlflowClient

    client = MlflowClient()
    ref = (uri or f"models:/{MODEL_NAME}@{CHAMPION}").removeprefix("models:/")
    try:
        if "@" in ref:
            name, alias = ref.split("@", 1)
            mv = client.get_model_version_by_alias(name, alias)
        else:
            name, version = ref.split("/", 1)
            mv = client.get_model_version(name, version)
    except Exception:
        raise ModelNotFound(
            f"no registered model matches {uri or 'the champion'}; run `kizuki train` first "
            f"(tracking store: {tracking_uri()})"
        ) from None
    local = mlflow.artifacts.download_artifacts(artifact_uri=mv.source)
    return Path(local), str(mv.version)
