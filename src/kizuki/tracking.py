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

Before any heavy work, every command that uses the store calls :func:`check_store`: it
refuses (:class:`~kizuki.errors.StoreUnavailable`, one line, exit 3) a malformed URI,
an unreachable server (one attempt, a few seconds), an unwritable or damaged SQLite
file or an out-of-date schema; it creates the schema of a new SQLite store once, under
a file lock beside the database (``<db>.init.lock``), so that commands started together
do not race in MLflow's schema creation; and it marks FAILED the runs that processes
of this machine left RUNNING when they were killed (their recorded pid is gone).

Accepted URIs (anything else is refused): ``sqlite:////absolute/path/mlflow.db`` (a
relative ``sqlite:///x.db`` is refused: it would name another store in every working
folder, so a nightly ``score`` could silently miss what ``train`` registered) and
``http(s)://host[:port]`` (an MLflow tracking server; put database servers behind one).

Others log through the small API here: :func:`start_run` → :class:`Run`
(``log_params``, ``log_metrics``, ``log_artifact``, ``log_artifact_dir``, ``log_text``,
``end``; also a context manager), :func:`register`, :func:`resolve_model_uri`,
:func:`download_model`, :func:`load_model`, :func:`champion_version`, :func:`set_champion`.
Only the workflows (``kizuki.pipeline``, ``kizuki.cli``) import this module (.importlinter).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from kizuki.errors import KizukiError, ModelArtifactsMissing, ModelNotFound, StoreUnavailable
from kizuki.io.atomic import private_dirs, private_file
from kizuki.io.locks import pid_alive, wait_lock
from kizuki.io.model_files import DOCUMENT
from kizuki.io.sqlite_probe import sqlite_problem
from kizuki.model import IssueModels, load_models

MODEL_NAME = "kizuki"
CHAMPION = "champion"
#: environment switches that turn MLflow's usage telemetry off (mlflow 3.x)
TELEMETRY_OFF = {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
#: seconds the first request to a tracking server may take (MLflow's own default is 120 s
#: per attempt, and 7 retries with back-off: about four minutes for a dead server)
PROBE_TIMEOUT_S = 4
#: tags a run carries so that a later process can tell it was left RUNNING by a killed one
PID_TAG, HOST_TAG = "kizuki.pid", "kizuki.host"

#: set by :func:`using_store` (the demo's own store wins over the environment)
_store_override: list[str] = []
#: URIs already checked by this process (with write access when True)
_checked: dict[str, bool] = {}


def _quiet_env() -> None:
    os.environ.update(TELEMETRY_OFF)
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")


def tracking_uri() -> str:
    """The tracking store URI (see module docstring); creates the default folder.

    Inside :func:`using_store` that store, whatever the environment says."""
    if _store_override:
        return _store_override[-1]
    uri = os.environ.get("KIZUKI_TRACKING_URI")
    if uri:
        return uri
    folder = Path.cwd() / "kizuki-tracking"
    try:
        private_dirs(folder)
    except OSError as exc:
        raise StoreUnavailable(
            f"tracking store: the default folder {folder} cannot be created "
            f"({exc.strerror or type(exc).__name__}); set KIZUKI_TRACKING_URI"
        ) from None
    return f"sqlite:///{folder / 'mlflow.db'}"


def artifact_root(uri: str | None = None) -> str | None:
    """Where new experiments keep artifacts: ``artifacts/`` beside a SQLite file, else
    None (the tracking server decides)."""
    uri = uri or tracking_uri()
    if uri.startswith("sqlite:///"):
        return (Path(uri.removeprefix("sqlite:///")).parent / "artifacts").as_uri()
    return None


@contextlib.contextmanager
def using_store(uri: str) -> Iterator[str]:
    """Use the store ``uri`` for every call inside the block, whatever
    ``KIZUKI_TRACKING_URI`` says (the demo keeps its models in its own folder)."""
    _store_override.append(uri)
    try:
        yield uri
    finally:
        _store_override.pop()


def sqlite_path(uri: str) -> Path:
    """The database file of a ``sqlite:////abs/path`` URI (StoreUnavailable for any other
    form of SQLite URI: relative, in memory, with a host)."""
    rest = uri.removeprefix("sqlite:")
    if not rest.startswith("////"):
        raise StoreUnavailable(
            f"tracking store: {_shown(uri)} is not an absolute SQLite path; write "
            "sqlite:////absolute/path/mlflow.db (a relative path would name a different "
            "store in every working folder)"
        )
    return Path(rest[3:].split("?", 1)[0])


def _shown(uri: str) -> str:
    """The URI without a password, for messages."""
    parts = urlsplit(uri)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return uri


def store_kind(uri: str) -> str:
    """``sqlite`` or ``http`` for an accepted URI; StoreUnavailable (one line) otherwise."""
    scheme = urlsplit(uri).scheme.lower() if "://" in uri or uri.startswith("sqlite:") else ""
    if scheme == "sqlite":
        sqlite_path(uri)
        return "sqlite"
    if scheme in ("http", "https"):
        parts = urlsplit(uri)
        try:
            _ = parts.port
        except ValueError:
            raise StoreUnavailable(f"tracking store: {_shown(uri)} has a malformed port") from None
        if not parts.hostname:
            raise StoreUnavailable(f"tracking store: {_shown(uri)} names no host")
        return "http"
    raise StoreUnavailable(
        f"tracking store: KIZUKI_TRACKING_URI {_shown(uri)!r} is not supported; use "
        "sqlite:////absolute/path/mlflow.db or http(s)://host:port (an MLflow tracking server)"
    )


@contextlib.contextmanager
def _env(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _reason(exc: BaseException) -> str:
    """A short, one-line reason of a store error (no traceback, no request bodies)."""
    text = " ".join(str(exc).split())
    for marker in ("Max retries exceeded", "Connection refused", "timed out", "Name or service"):
        if marker in text:
            return {
                "Max retries exceeded": "no answer",
                "Connection refused": "connection refused",
                "timed out": f"no answer within {PROBE_TIMEOUT_S} s",
                "Name or service": "host name not found",
            }[marker]
    return (text[:200] + "…") if len(text) > 200 else text or type(exc).__name__


def _probe_server(uri: str) -> None:
    """One quick request to a tracking server (PROBE_TIMEOUT_S, no retries)."""
    parts = urlsplit(uri)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=PROBE_TIMEOUT_S):
            pass
    except OSError as exc:
        raise StoreUnavailable(
            f"tracking store {_shown(uri)} is unreachable "
            f"({exc.strerror or _reason(exc)}); nothing was started"
        ) from None
    with _env(
        MLFLOW_HTTP_REQUEST_MAX_RETRIES="0",
        MLFLOW_HTTP_REQUEST_TIMEOUT=str(PROBE_TIMEOUT_S),
    ):
        client = _client()
        try:
            client.search_experiments(max_results=1)
        except Exception as exc:
            raise StoreUnavailable(
                f"tracking store {_shown(uri)} did not answer as an MLflow tracking server "
                f"({_reason(exc)}); nothing was started"
            ) from None


def _open_sqlite(uri: str, write: bool) -> None:
    """Check the database file, then let MLflow open it (creating the schema of a new
    store once, under ``<db>.init.lock``)."""
    path = sqlite_path(uri)
    problem = sqlite_problem(path, write=write)
    if problem:
        raise StoreUnavailable(f"tracking store: {problem}; nothing was started")
    with wait_lock(path.parent / f"{path.name}.init.lock"):
        client = _client()
        try:
            client.search_experiments(max_results=1)
            client.search_registered_models(max_results=1)
        except Exception as exc:
            raise StoreUnavailable(
                f"tracking store {_shown(uri)} cannot be used ({_reason(exc)}); nothing was started"
            ) from None


def check_store(write: bool = True) -> str:
    """Make sure the tracking store answers before any heavy work; returns its URI.

    In: whether the command will write to it (train, monitor, audit, demo) or only read
    the registry (score). Raises :class:`~kizuki.errors.StoreUnavailable` (exit 3) with
    one line naming the store and what is wrong. Checked once per process and store.
    """
    uri = tracking_uri()
    if _checked.get(uri) is True or (_checked.get(uri) is False and not write):
        return uri
    kind = store_kind(uri)
    if kind == "sqlite":
        _open_sqlite(uri, write)
    else:
        _probe_server(uri)
    _checked[uri] = write
    if write:
        fail_orphaned_runs()
    return uri


def fail_orphaned_runs() -> list[str]:
    """Mark FAILED the runs left RUNNING by kizuki processes of this machine that no
    longer exist (killed: their ``kizuki.pid`` tag names a dead process). Out: run ids."""
    client = _client()
    host = socket.gethostname()
    done: list[str] = []
    try:
        experiments = client.search_experiments(max_results=1000)
        ids = [e.experiment_id for e in experiments]
        if not ids:
            return done
        runs = client.search_runs(
            ids,
            filter_string=f"attributes.status = 'RUNNING' and tags.`{HOST_TAG}` = '{host}'",
            max_results=1000,
        )
    except Exception:  # a store that cannot be searched was refused by check_store already
        return done
    for r in runs:
        try:
            pid = int(r.data.tags.get(PID_TAG, "0"))
        except ValueError:
            continue
        if pid != os.getpid() and not pid_alive(pid):
            client.set_terminated(r.info.run_id, status="FAILED", end_time=int(time.time() * 1000))
            client.set_tag(r.info.run_id, "kizuki.failed_because", "process killed")
            done.append(r.info.run_id)
    return done


def _mlflow() -> Any:
    """mlflow, imported with telemetry off and pointed at the store."""
    _quiet_env()
    import mlflow

    for name in ("mlflow", "alembic", "sqlalchemy"):
        logging.getLogger(name).setLevel(logging.ERROR)
    uri = tracking_uri()
    kind = store_kind(uri)
    if kind == "sqlite":
        sqlite_path(uri).parent.mkdir(parents=True, exist_ok=True)
        private_file(sqlite_path(uri))  # owner-only database (its journal gets the same mode)
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
    try:
        return str(mlflow.create_experiment(name, artifact_location=artifact_root()))
    except Exception:
        # another process created it in between (commands started together)
        exp = mlflow.get_experiment_by_name(name)
        if exp is None:
            raise
        return str(exp.experiment_id)


class Run:
    """An open tracking run. Use :func:`start_run`; close with :meth:`end` or a ``with`` block
    (an exception marks the run FAILED)."""

    def __init__(
        self, experiment: str, run_name: str, tags: Mapping[str, str] | None = None
    ) -> None:
        check_store(write=True)
        self._mlflow = _mlflow()
        exp_id = _experiment_id(self._mlflow, experiment)
        own = {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}
        parent = _parents[-1] if _parents else None
        if parent is not None:  # a stage of a pipeline run: nested under it, in its experiment
            exp_id = parent.experiment_id
            own["kizuki.stage_of"] = experiment
        self._run = self._mlflow.start_run(
            experiment_id=exp_id,
            run_name=run_name,
            tags={**own, **dict(tags or {})},
            nested=parent is not None,
        )
        self.experiment_id: str = exp_id
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
    """Open a run in ``experiment`` (created when new) of the tracking store; inside
    :func:`nested_under`, a child of that run, in the parent's experiment (the stage's own
    experiment name is its ``kizuki.stage_of`` tag)."""
    return Run(experiment, run_name, tags)


#: the open parent runs (a pipeline run); :class:`Run` nests under the innermost
_parents: list[Run] = []


@contextlib.contextmanager
def nested_under(parent: Run) -> Iterator[Run]:
    """Every run started inside the block (train, monitor, audit, the runner's own stage
    runs) is a child of ``parent`` (MLflow's ``mlflow.parentRunId``)."""
    _parents.append(parent)
    try:
        yield parent
    finally:
        _parents.remove(parent)


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
        try:
            client.create_registered_model(name, description="kizuki per-issue risk models")
        except Exception:
            client.get_registered_model(name)  # created by a process started together
    mv = client.create_model_version(
        name, source=f"{run.artifact_uri}/{artifact_path}", run_id=run.run_id, tags=dict(tags or {})
    )
    return ModelRef(name, str(mv.version))


def _model_version(uri: str | None) -> Any:
    ref = (uri or f"models:/{MODEL_NAME}@{CHAMPION}").removeprefix("models:/")
    check_store(write=False)
    client = _client()
    try:
        if "@" in ref:
            name, alias = ref.split("@", 1)
            return client.get_model_version_by_alias(name, alias)
        name, version = ref.split("/", 1)
        return client.get_model_version(name, version)
    except Exception as exc:
        if not _is_not_found(exc):
            raise StoreUnavailable(
                f"tracking store {_shown(tracking_uri())} did not answer ({_reason(exc)})"
            ) from None
        raise ModelNotFound(
            f"no registered model matches {uri or 'the champion'}; run `kizuki train` first "
            f"(tracking store: {_shown(tracking_uri())})"
        ) from None


def _is_not_found(exc: BaseException) -> bool:
    """Whether a registry error means "the store answered: no such model/version/alias"."""
    code = getattr(exc, "error_code", None)
    return code in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE", "NOT_FOUND") or (
        isinstance(exc, ValueError) and "models:/" not in str(exc)
    )


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
    try:
        local = Path(_mlflow().artifacts.download_artifacts(artifact_uri=mv.source))
    except Exception as exc:
        raise ModelArtifactsMissing(
            f"model version {mv.version} is registered but its files cannot be read from "
            f"the artifact store ({_reason(exc)}); register it again with `kizuki train`"
        ) from None
    if not (local / DOCUMENT).is_file():
        raise ModelArtifactsMissing(
            f"model version {mv.version} is registered but its files are incomplete "
            f"({DOCUMENT} missing); register it again with `kizuki train`"
        )
    return local, str(mv.version)


def load_model(uri: str | None = None) -> IssueModels:
    """The fitted model behind a registry URI (``models:/kizuki@champion``,
    ``models:/kizuki/3``), a local model folder, or (None) the registered champion; its
    ``version`` is the registry's (``local:<folder>`` for a folder)."""
    folder, version = download_model(uri)
    try:
        return load_models(folder, version=version)
    except KizukiError:
        raise
    except (OSError, ValueError) as exc:
        raise ModelArtifactsMissing(
            f"model {version}: its files cannot be read ({type(exc).__name__}); "
            "register it again with `kizuki train`"
        ) from None


def champion_version(name: str = MODEL_NAME) -> str | None:
    """The version the ``champion`` alias points to, or None."""
    check_store(write=False)
    try:
        return str(_client().get_model_version_by_alias(name, CHAMPION).version)
    except Exception as exc:
        if not _is_not_found(exc):
            raise StoreUnavailable(
                f"tracking store {_shown(tracking_uri())} did not answer ({_reason(exc)})"
            ) from None
        return None


def set_champion(version: str, name: str = MODEL_NAME) -> None:
    """Point the ``champion`` alias at ``version``."""
    _client().set_registered_model_alias(name, CHAMPION, version)


def version_tags(version: str, name: str = MODEL_NAME) -> dict[str, str]:
    """The tags of a model version."""
    return dict(_client().get_model_version(name, version).tags)
