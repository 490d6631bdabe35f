"""The kizuki error family.

Every error a user can cause (bad input, bad config, a refused drop, a failed
check) is a :class:`KizukiError`. The CLI turns one into a single line on stderr and
a non-zero exit; any other exception is a bug and keeps its traceback.

Messages name the table, column, rule and count, never a record's values.
"""

from __future__ import annotations


class KizukiError(Exception):
    """Base class for errors caused by input, configuration or a failed check."""

    exit_code: int = 2


class ConfigError(KizukiError):
    """A configuration file is missing, unreadable or fails validation."""


class ConfigRefused(ConfigError):
    """A config folder or file given by the operator is refused (contract §6: exit 3)."""

    exit_code = 3


class DropRefused(KizukiError):
    """A data drop breaks the contract and cannot be used (contract §4)."""

    exit_code = 3


class ContractError(KizukiError):
    """A frame or parameter does not have the shape the contract requires."""


class NotFittedError(KizukiError):
    """An estimator was used before ``fit`` (see :func:`kizuki.model.fitted.check_is_fitted`).

    Not a subclass of scikit-learn's ``NotFittedError``: that would load scikit-learn
    (about two seconds) for every command, since every module imports this one.
    """


class ParameterError(KizukiError, ValueError):
    """A function was called with a parameter outside its domain (see :func:`parameter_error`)."""


class ModelNotFound(KizukiError):
    """No registered model matches the requested URI or alias."""


class StoreUnavailable(KizukiError):
    """The tracking store cannot be used: unreachable, unwritable, corrupt, a malformed
    URI or a schema it cannot create (contract §6: exit 3, found before any work)."""

    exit_code = 3


class ModelArtifactsMissing(StoreUnavailable):
    """A registered model version whose files are gone from the artifact store (exit 3)."""


class RunLocked(KizukiError):
    """Another process holds the lock of the folder this run would write (contract §6: exit 5,
    nothing was started)."""

    exit_code = 5


class FolderUnusable(KizukiError):
    """An output folder cannot be written or holds files that are not kizuki's (exit 3)."""

    exit_code = 3


class CheckFailed(KizukiError):
    """A monitoring or audit check fired an alert the configuration says must fail the run."""

    exit_code = 4


def parameter_error(name: str, expected: str, got: object) -> ParameterError:
    """The one shape of a parameter error: ``The 'horizon' parameter must be a positive
    int; got -3``. In: the parameter's name, what it must be, the value given (a
    parameter of ours, never a record's value). Out: the error, to ``raise``."""
    return ParameterError(f"The '{name}' parameter must be {expected}; got {got!r}")
