"""Calibration of raw LightGBM margins into probabilities (isotonic or Platt), as JSON."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Calibrator:
    """A monotone map from raw margin to probability: ``kind`` isotonic (x, y knots) or platt (a, b)."""

    kind: str
    x: tuple[float, ...] = ()
    y: tuple[float, ...] = ()
    a: float = 1.0
    b: float = 0.0

    def __call__(self, raw: np.ndarray) -> np.ndarray:
        """Probabilities for raw margins (monotone non-decreasing in ``raw``)."""
        raw = np.asarray(raw, dtype=float)
        if self.kind == "isotonic":
            return np.interp(raw, np.asarray(self.x), np.asarray(self.y))
        return 1.0 / (1.0 + np.exp(-(self.a * raw + self.b)))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"kind": self.kind, "x": list(self.x), "y": list(self.y), "a": self.a, "b": self.b}

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> Calibrator:
        """Inverse of :meth:`to_dict`."""
        return cls(str(d["kind"]), tuple(d["x"]), tuple(d["y"]), float(d["a"]), float(d["b"]))  # type: ignore[arg-type]


def fit_calibrator(raw: np.ndarray, y: np.ndarray, isotonic_min_positives: int) -> Calibrator:
    """Isotonic when there are enough positives, else Platt scaling (1-D logistic)."""
    y = np.asarray(y, dtype=float)
    if y.sum() >= isotonic_min_positives:
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw, y)
        return Calibrator(
            "isotonic", tuple(map(float, iso.X_thresholds_)), tuple(map(float, iso.y_thresholds_))
        )
    from sklearn.linear_model import LogisticRegression

    if y.sum() == 0:
        return Calibrator("platt", a=0.0, b=-10.0)
    lr = LogisticRegression(C=1.0).fit(np.asarray(raw).reshape(-1, 1), y)
    return Calibrator("platt", a=float(lr.coef_[0, 0]), b=float(lr.intercept_[0]))
