"""Score drift bins: a block of tied scores moving by a hair is not drift; a real shift is."""

from __future__ import annotations

import numpy as np
import polars as pl

from kizuki.monitor.bins import Encoded, fit
from kizuki.monitor.config import load_monitor_config
from kizuki.monitor.drift import score_tests


def _scores(n: int, seed: int, block: float, shift_odds: float = 1.0) -> pl.DataFrame:
    """Two-thirds of households in two tied blocks at the bottom (as trees and isotonic
    calibration give), the rest spread over a log-odds range; ``shift_odds`` multiplies
    the odds of the spread part."""
    rng = np.random.default_rng(seed)
    tied = np.where(rng.random(n) < 0.75, block, 1.1006e-5)
    logit = rng.normal(-5, 1.5, n) + np.log(shift_odds)
    spread = 1 / (1 + np.exp(-logit))
    score = np.where(rng.random(n) < 0.66, tied, spread)
    return pl.DataFrame({"household_id": [f"H{i}" for i in range(n)], "issue": "eight050", "score": score})


def test_a_tied_block_moving_by_a_hair_raises_no_alarm_but_a_real_shift_does() -> None:
    config = load_monitor_config().drift
    ref = _scores(40_000, 1, block=1.1477e-5)
    hair = _scores(40_000, 2, block=1.1006e-5)  # the big block merges into the small one
    real = _scores(40_000, 3, block=1.1477e-5, shift_odds=5.0)
    plain = config.model_copy(update={"score_min_logit_width": 0.0})
    (t_hair,) = score_tests(ref, hair, config)
    (t_real,) = score_tests(ref, real, config)
    (t_hair_plain,) = score_tests(ref, hair, plain)
    (t_real_plain,) = score_tests(ref, real, plain)
    assert t_hair.psi < 0.02 < config.practical_psi < t_hair_plain.psi
    assert t_real.psi > config.practical_psi
    assert t_real.psi >= 0.9 * t_real_plain.psi  # no loss of sensitivity to a real shift
    # without the minimum width the hair-shift would have read as a large PSI
    ref_e = Encoded("numeric", np.log(ref["score"].to_numpy() / (1 - ref["score"].to_numpy())))
    bins = fit(ref_e, config.bins)
    assert any(abs(e - np.log(1.1477e-5 / (1 - 1.1477e-5))) < 1e-9 for e in bins.edges)


def test_min_width_bins_keep_reference_membership_and_spacing() -> None:
    rng = np.random.default_rng(0)
    x = np.concatenate([np.full(5000, -11.4), np.full(2000, -11.37), rng.normal(-4, 2, 3000)])
    bins = fit(Encoded("numeric", x), 10, min_width=0.25)
    edges = np.asarray(bins.edges)
    assert np.all(np.diff(edges) >= 0.25)
    assert edges[0] - x.min() >= 0.25 and x.max() - edges[-1] >= 0.25
    assert not np.any(np.isin(edges, x))  # no edge sits on a reference value
    assert len(edges) >= 4  # the spread part still gets several bins
