"""The Health Value Score (HVS): quality relative to cost, per unit (METHODS 12).

Definition (every report that shows it prints it, :func:`gps_core.views.design.value_definition`):

- cost efficiency ``e = expected cost / observed cost``, the expected cost from a patient-level gamma GLM
  (log link) on the reference population, so a unit treating costlier patients is not penalized for them;
- cost score ``C = 100 x clamp((e - floor) / (target - floor), 0, 1)``: 0 at ``e = floor`` (20 % dearer
  than expected by default), 100 at ``e = target`` (20 % cheaper);
- ``HVS = w_q x IP + w_c x C`` with the weights renormalized to 1 (0.6 / 0.4 by default). A unit without cost
  data has no HVS (never imputed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import riskadjust
from .scoring import linear_band


def cost_efficiency(stays: pd.DataFrame, unit: str, covariates: str) -> pd.DataFrame:
    """Observed and expected cost per unit from a gamma GLM (log link) of ``cost`` on the covariates, fitted
    on all the stays given (the reference population). Stays without a cost are left out.

    Returns ``unit_id``, ``stays``, ``observed``, ``expected``, ``efficiency`` (expected / observed).
    """
    d = stays[stays["cost"].notna() & (stays["cost"] > 0)]
    model = riskadjust.fit(d, f"cost ~ {covariates}", "gamma")
    t = pd.DataFrame({"unit_id": d[unit].astype(str).to_numpy(), "o": d["cost"].to_numpy(float), "e": model.predict(d)})
    out = t.groupby("unit_id").agg(stays=("o", "size"), observed=("o", "sum"), expected=("e", "sum")).reset_index()
    out["efficiency"] = out["expected"] / out["observed"]
    return out


def health_value_score(
    ip: pd.Series,
    efficiency: pd.Series,
    *,
    w_quality: float = 0.6,
    w_cost: float = 0.4,
    floor: float = 0.8,
    target: float = 1.2,
) -> pd.DataFrame:
    """HVS per unit from the annual IP and the cost efficiency (both indexed by unit).

    Returns ``ip``, ``efficiency``, ``cost_score`` and ``hvs`` per unit (NaN where cost is missing), and the
    normalized weights, floor and target in ``attrs["terms"]``.

    Raises
    ------
    ValueError
        Negative weights, both weights 0, or ``target <= floor``.
    """
    if w_quality < 0 or w_cost < 0 or w_quality + w_cost == 0 or target <= floor:
        raise ValueError("weights must be >= 0 and not both 0, and target > floor")
    wq, wc = w_quality / (w_quality + w_cost), w_cost / (w_quality + w_cost)
    df = pd.DataFrame({"ip": ip, "efficiency": efficiency.reindex(ip.index)})
    df["cost_score"] = 100 * linear_band(df["efficiency"].to_numpy(float), floor, target)
    df["hvs"] = wq * df["ip"] + wc * df["cost_score"]
    df.attrs["terms"] = {"w_quality": wq, "w_cost": wc, "floor": floor, "target": target}  # the view words them
    return df


def quadrant(hvs: pd.DataFrame) -> pd.Series:
    """Quality against cost around the medians: ``high quality, low cost`` ... ``low quality, high cost``."""
    q = np.where(hvs["ip"] >= hvs["ip"].median(), "high quality", "low quality")
    c = np.where(hvs["efficiency"] >= hvs["efficiency"].median(), "low cost", "high cost")
    return pd.Series([f"{a}, {b}" for a, b in zip(q, c, strict=True)], index=hvs.index)
