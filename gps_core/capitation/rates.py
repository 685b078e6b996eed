"""Capitation rates from risk scores (METHODS 10): budget-neutral normalization and per-member-month
payments that add up to the budget to the cent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError, ParamsError
from ..p4p import largest_remainder


def normalize(scores, member_months) -> np.ndarray:
    """Scores divided by their member-month-weighted mean, so the reference population averages 1.0."""
    s, mm = np.asarray(scores, float), np.asarray(member_months, float)
    if (mm < 0).any() or mm.sum() <= 0 or (s < 0).any() or not np.isfinite(s).all():
        raise InputError(["member-months must be >= 0 with a positive total, scores finite and >= 0"], "rates")
    return s / (np.sum(s * mm) / mm.sum())


def capitation(members: pd.DataFrame, budget: int, by: str | None = None) -> pd.DataFrame:
    """Split ``budget`` cents over members in proportion to member-months x normalized risk score.

    ``members``: ``member_id``, ``score``, ``member_months`` (and ``by``, e.g. a provider panel). The
    base rate is ``budget / Σ(mm x normalized score)`` per member-month; each member's PMPM is base x
    normalized score; payments are in cents by largest remainder, so they sum to the budget exactly.

    Returns the members with ``normalized``, ``pmpm`` (cents, not rounded), ``payment`` (cents); with
    ``by``, also one row per group in ``attrs["groups"]`` (members, member-months, mean score, payment,
    PMPM).
    """
    if budget < 0:
        raise ParamsError(f"capitation: the budget must be >= 0 cents, got {budget}")
    need = ["member_id", "score", "member_months"] + ([by] if by else [])
    missing = [c for c in need if c not in members.columns]
    if missing:
        raise InputError([f"missing column(s) {missing}"], "capitation members")
    mm = members["member_months"].to_numpy(float)
    z = normalize(members["score"].to_numpy(float), mm)
    base = budget / np.sum(mm * z)
    out = members.assign(normalized=z, pmpm=base * z, payment=largest_remainder(mm * z, budget))
    out.attrs["base_pmpm"] = base
    if by:
        g = out.assign(risk_months=mm * z).groupby(by, observed=True)
        grp = g.agg(
            members=("member_id", "size"),
            member_months=("member_months", "sum"),
            risk_months=("risk_months", "sum"),
            payment=("payment", "sum"),
        )
        grp["mean_score"] = grp.pop("risk_months") / grp["member_months"]
        grp["pmpm"] = grp["payment"] / grp["member_months"]
        out.attrs["groups"] = grp.reset_index()
    return out
