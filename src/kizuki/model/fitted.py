"""``check_is_fitted``: the one test, before predicting, that ``fit`` ran.

As in scikit-learn, a constructor only stores its arguments and ``fit`` sets the
attributes it learns, named with a trailing underscore (``boosters_``). An estimator
with no such attribute has not been fitted (nor loaded from a model folder).
"""

from __future__ import annotations

from kizuki.errors import NotFittedError


def check_is_fitted(estimator: object) -> None:
    """Raise :class:`~kizuki.errors.NotFittedError` unless ``estimator`` holds a learnt
    attribute (a public name ending in ``_``). In: any estimator. Out: None."""
    learnt = [k for k in vars(estimator) if k.endswith("_") and not k.startswith("_")]
    if not learnt:
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet; call 'fit' first"
        )
