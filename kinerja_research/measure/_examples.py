"""Small deterministic example data for docstrings and quick checks (not a substitute for ``synth``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__: list[str] = []


def example_items(
    n: int = 200, *, k: int = 4, loading: float = 0.7, points: int = 5, seed: int = 0, prefix: str = "X"
) -> pd.DataFrame:
    """``n`` answers to ``k`` items of one factor with standardised loading ``loading``, cut to a 1..points scale.

    The latent and item scores are standard normal; each item is cut at equally spaced normal quantiles.
    """
    rng = np.random.default_rng(seed)
    f = rng.standard_normal(n)
    e = rng.standard_normal((n, k))
    z = loading * f[:, None] + np.sqrt(1 - loading**2) * e
    cuts = np.linspace(-1.5, 1.5, points - 1)
    x = 1 + (z[:, :, None] > cuts).sum(axis=2)
    return pd.DataFrame(x.astype(float), columns=[f"{prefix}{i + 1}" for i in range(k)])
