"""Random draws used when firms and workers are created, shaped for common random numbers."""

from __future__ import annotations

import numpy as np
from scipy.special import betaincinv


def mean_one_lognormal(rng: np.random.Generator, sigma: float, shape: tuple[int, ...]) -> np.ndarray:
    """Lognormal factors with mean exactly 1 in expectation."""
    return np.exp(rng.normal(-0.5 * sigma**2, sigma, shape))


def beta_with_mean(rng: np.random.Generator, mean: np.ndarray, concentration: float) -> np.ndarray:
    """Beta draws with the given means; a mean of exactly 0 or 1 gives exactly 0 or 1.

    Drawn by inverting the CDF of one uniform per firm, so a firm keeps its rank
    (its quantile) whatever the mean: common random numbers across scenarios.
    """
    inner = (mean > 0.0) & (mean < 1.0)
    safe_mean = np.where(inner, mean, 0.5)
    quantile = rng.random(mean.shape)
    draws = betaincinv(safe_mean * concentration, (1.0 - safe_mean) * concentration, quantile)
    return np.where(inner, draws, mean).astype(np.float64)
