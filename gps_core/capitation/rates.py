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


def scores(df: pd.DataFrame, source: str, unit: str, score: str, panels: list[str], decimal: str = ".") -> pd.DataFrame:
    """A quality score file checked against the plan's panels: ``panel``, ``score`` (``decimal``: the
    file's decimal mark, ``,`` for a Brazilian export).

    Raises
    ------
    InputError
        With the line and column of each bad row (missing or non-numeric score, outside 0-100, a panel
        listed twice or unknown), and every panel of the plan the file lacks.
    """
    from ..contract import Check

    c = Check(df, source, [unit, score], "a panel score file")
    c.decimal = df.attrs.get("decimal", decimal)
    c.text(unit)
    c.unique(unit, "panel")
    c.number(score, 0, 100)
    c.known(unit, panels, kind="panel", fix="use the panel names of the plan's member file")
    problems = list(c.problems)
    have = set(c.out[unit].dropna().astype(str))
    problems += [f"panel {p!r} of the plan has no score; add a row for it" for p in panels if p not in have]
    if problems:
        raise InputError(problems, source)
    out = c.done()
    return pd.DataFrame({"panel": out[unit].astype(str), "score": out[score].astype(float)})


def value_payment(groups: pd.DataFrame, by: str, s: pd.DataFrame, pool: int, alpha: float = 1.0,
                  minimum: float = 0.0) -> pd.DataFrame:  # fmt: skip
    """The value pool (cents) shared among panels in proportion to ``score ** alpha x risk-adjusted
    member-months`` (the panel's member-months x mean normalized score), panels scoring below ``minimum``
    excluded: :func:`gps_core.p4p.budget_pool` with the panels as units, so a larger or sicker panel earns
    more for the same score and Σ payouts equals the pool to the cent.

    ``groups``: :func:`capitation`'s ``attrs["groups"]``; ``s``: :func:`scores`.
    """
    from ..p4p import budget_pool

    risk_months = groups["member_months"].to_numpy(float) * groups["mean_score"].to_numpy(float)
    score = groups[by].astype(str).map(s.set_index("panel")["score"])
    units = pd.DataFrame({"unit_id": groups[by].astype(str), "index": score.to_numpy(float), "production": risk_months})
    return budget_pool(units, pool, alpha=alpha, minimum=minimum)
