"""Contract design: the same evaluation paid under candidate rules, and how robust the ranking and the
money are to the index's weights (METHODS 5 and 12).

A consultant choosing a pay-for-performance contract with a client needs, for each candidate rule, what it
costs, how the money is spread and who gains or loses against another rule; and, because the index that
moves the money rests on weights someone chose, how far each unit's rank and payout move when those
weights move. Everything here is computed from an :class:`~gps_core.evaluation.Evaluation`; the rules are
the params' :class:`~gps_core.params.PayoutRule`.

References
----------
OECD/JRC (2008), Handbook on Constructing Composite Indicators, ch. 6 (uncertainty and sensitivity).
Saisana M., Saltelli A., Tarantola S. (2005), Uncertainty and sensitivity analysis techniques as tools for
the quality assessment of composite indicators. JRSS A 168(2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from .. import p4p, value
from ..index import DIMENSIONS, dimension_weight_vector, indicator_positions
from .evaluation import Evaluation, pay, production, unit_table

UNIT = ["unit_id"]


def compare(ev: Evaluation, rules: list) -> pd.DataFrame:
    """Every candidate rule paid on the same annual IP: one row per rule and unit.

    Returns ``rule``, ``unit_id``, ``specialty``, ``ip``, ``volume``, ``payout`` (cents; a withhold's net
    may be negative).
    """
    units = unit_table(ev)
    ann = ev.annual.assign(unit_id=lambda d: d["unit_id"].astype(str))
    ip = ann.set_index("unit_id")["ip"]
    spec = ann.set_index("unit_id")["specialty"].astype(str) if "specialty" in ann else ip.index.to_series()
    parts = []
    for rule in rules:
        res = pay(rule, ip, production(rule, units, ev.labels))
        parts.append(
            pd.DataFrame(
                {
                    "rule": rule.name,
                    "unit_id": res["unit_id"].astype(str),
                    "specialty": spec.reindex(res["unit_id"].astype(str)).to_numpy(),
                    "ip": ip.reindex(res["unit_id"].astype(str)).to_numpy(),
                    "volume": res["volume"].to_numpy(),
                    "payout": res["payout"].to_numpy(np.int64),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out["rule"] = pd.Categorical(out["rule"], categories=[r.name for r in rules])
    return out


def costs(table: pd.DataFrame) -> pd.DataFrame:
    """Per rule: total cost, units paid and their share, median, 90th percentile and largest payout, the
    share of the money going to the top tenth of units and the Gini coefficient of the payouts."""
    rows = []
    for rule, d in table.groupby("rule", observed=True, sort=False):
        pay_ = d["payout"].to_numpy()
        s = p4p.summary(d)
        top = np.sort(np.maximum(pay_, 0))[::-1][: max(1, int(np.ceil(len(pay_) / 10)))].sum()
        pos = np.maximum(pay_, 0).sum()
        rows.append(
            {
                "rule": rule,
                "total": s["total"],
                "units": s["units"],
                "paid": s["paid"],
                "share_paid": s["share_paid"],
                "median": float(np.median(pay_)),
                "p90": float(np.quantile(pay_, 0.9)),
                "largest": s["largest"],
                "top_decile_share": float(top / pos) if pos else np.nan,
                "gini": s["gini"],
            }
        )
    return pd.DataFrame(rows)


def by_group(table: pd.DataFrame, column: str = "specialty") -> pd.DataFrame:
    """Payout per rule summed by ``column`` (specialty by default): one row per group, one column per rule
    (cents), groups ordered by the first rule's amount."""
    wide = table.pivot_table(index=column, columns="rule", values="payout", aggfunc="sum", observed=True)
    wide = wide.sort_values(wide.columns[0], ascending=False)
    wide.columns = wide.columns.astype(str)
    return wide.reset_index().rename_axis(columns=None)


def shifts(table: pd.DataFrame, base: str) -> pd.DataFrame:
    """Gainers and losers between ``base`` and every other rule: one row per other rule and unit with
    both payouts and the difference (``other - base``, cents)."""
    wide = table.pivot_table(index="unit_id", columns="rule", values="payout", aggfunc="sum", observed=True)
    wide.columns = wide.columns.astype(str)
    if base not in wide.columns:
        raise ValueError(f"unknown rule {base!r}; rules are {list(wide.columns)}")
    rows = [
        pd.DataFrame(
            {
                "rule": other,
                "unit_id": wide.index.astype(str),
                "base": wide[base].to_numpy(np.int64),
                "other": wide[other].to_numpy(np.int64),
            }
        )
        for other in wide.columns
        if other != base
    ]
    out = pd.concat(rows, ignore_index=True)
    out["difference"] = out["other"] - out["base"]
    # units in the order of their total change over the other rules, biggest gain first (the chart's order)
    total = out.groupby("unit_id")["difference"].sum()
    rank = out["unit_id"].map(total.rank(method="first", ascending=False))
    return out.assign(order=rank.astype(int).to_numpy())


def shift_summary(sh: pd.DataFrame) -> pd.DataFrame:
    """Per other rule: units that gain, lose or keep their payout, and the money moved between units
    (the sum of the gains, i.e. of the losses when both rules cost the same)."""
    g = sh.groupby("rule", sort=False)["difference"]
    return pd.DataFrame(
        {
            "gain": g.apply(lambda d: int((d > 0).sum())),
            "lose": g.apply(lambda d: int((d < 0).sum())),
            "same": g.apply(lambda d: int((d == 0).sum())),
            "gained": g.apply(lambda d: int(d[d > 0].sum())),
            "lost": g.apply(lambda d: int(-d[d < 0].sum())),
        }
    ).reset_index()


# --------------------------------------------------------------------------------------------------
# Robustness of the ranking and of the money to the weights (METHODS 5)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draws:
    """Annual IP of every unit under random weights: ``ip`` has shape (units, draws); ``nominal`` is the
    evaluation's annual IP; the weights of each draw are kept (``weights``: catalogue rows x draws,
    ``dimension_weights``: dimensions x draws, ``zero``: draws under the "zero" missing policy)."""

    units: pd.Index
    ip: np.ndarray
    nominal: np.ndarray
    spread: float
    policies: tuple[str, ...]
    weights: np.ndarray
    dimension_weights: np.ndarray
    zero: np.ndarray


def _cells(scores: pd.DataFrame, catalog: pd.DataFrame):
    """The scores as dense (unit-month x indicator) matrices of fractions earned and presence."""
    ucode, units = pd.factorize(scores["unit_id"].astype(str), sort=True)
    pcode, periods = pd.factorize(scores["period"], sort=True)
    row = indicator_positions(scores["indicator_id"], catalog)
    f = scores["fraction"].to_numpy(float)
    ok = ~np.isnan(f)
    n_c, n_i = len(units) * len(periods), len(catalog)
    cell = ucode * len(periods) + pcode
    frac, present = np.zeros((n_c, n_i)), np.zeros((n_c, n_i))
    frac[cell[ok], row[ok]] = f[ok]
    present[cell[ok], row[ok]] = 1.0
    has_row = np.bincount(cell, minlength=n_c) > 0
    # indicators each unit is expected to report ("zero" policy): those for everyone and those it reported
    expect = np.zeros((len(units), n_i))
    expect[:, (catalog["applies_to"] == "all").to_numpy()] = 1.0
    expect[ucode[ok], row[ok]] = 1.0
    return units, len(periods), frac, present, has_row, expect


def weight_draws(
    ev: Evaluation,
    draws: int = 500,
    spread: float = 0.25,
    policies: tuple[str, ...] = ("redistribute",),
    seed: int = 2015,
) -> Draws:
    """Monte Carlo over the weights: each indicator weight and each dimension weight times
    ``1 + U(-spread, spread)`` independently, and the missing-weight policy drawn from ``policies``; the
    annual IP (mean of the monthly IPs, as :func:`gps_core.annual.annual_evaluation`) recomputed for every
    draw in a few matrix products.

    With ``spread = 0`` and the params' policy every draw equals the evaluation's annual IP (the tests pin
    this), so the draws differ from the report only by the weights.
    """
    if draws < 1 or not 0 <= spread < 1:
        raise ValueError(f"draws must be >= 1 and spread in [0, 1) (got {draws}, {spread})")
    bad = set(policies) - {"redistribute", "zero"}
    if not policies or bad:
        raise ValueError(f"policies must be among 'redistribute', 'zero' (got {list(policies)})")
    cat = ev.catalog
    units, n_p, frac, present, has_row, expect = _cells(ev.scores, cat)
    rng = np.random.default_rng(seed)
    w = cat["weight"].to_numpy(float)[:, None] * (1 + rng.uniform(-spread, spread, (len(cat), draws)))
    dw = dimension_weight_vector(ev.params.dimension_weights)[:, None] * (
        1 + rng.uniform(-spread, spread, (len(DIMENSIONS), draws))
    )
    zero = rng.choice(np.array([p == "zero" for p in policies]), draws)
    dim_of = cat["dimension"].astype(str).to_numpy()
    num = np.zeros((frac.shape[0], draws))
    den = np.zeros((frac.shape[0], draws))
    unit_of_cell = np.repeat(np.arange(len(units)), n_p)
    for d, name in enumerate(DIMENSIONS):
        cols = dim_of == name
        if not cols.any():
            continue
        earned = frac[:, cols] @ w[cols]
        shown = present[:, cols] @ w[cols]
        owed = (expect[:, cols] @ w[cols])[unit_of_cell]
        base = np.where(zero, owed, shown)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.where(base > 0, 100 * earned / base, np.nan)
        ok = ~np.isnan(score)
        num += np.where(ok, score * dw[d], 0.0)
        den += np.where(ok, dw[d], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ip = np.where(den > 0, num / den, np.nan)
    ip[~has_row] = np.nan
    monthly = ip.reshape(len(units), n_p, draws)
    seen = ~np.isnan(monthly)
    with np.errstate(invalid="ignore", divide="ignore"):
        annual = np.where(seen, monthly, 0.0).sum(axis=1) / seen.sum(axis=1)
    ann = ev.annual.assign(unit_id=lambda x: x["unit_id"].astype(str)).set_index("unit_id")["ip"]
    return Draws(units, annual, ann.reindex(units).to_numpy(float), spread, tuple(policies), w, dw, zero)


def rank_intervals(dr: Draws) -> pd.DataFrame:
    """Each unit's nominal rank (1 = highest annual IP), median rank and 5-95 % rank interval over the
    draws, and its mean absolute rank shift from the nominal rank (METHODS 5). Units without an IP are
    left out."""
    keep = ~np.isnan(dr.nominal)
    nominal = rankdata(-dr.nominal[keep], method="min")
    ranks = rankdata(-dr.ip[keep], axis=0, method="min")
    return pd.DataFrame(
        {
            "unit_id": dr.units[keep],
            "ip": dr.nominal[keep],
            "ip_p05": np.nanquantile(dr.ip[keep], 0.05, axis=1),
            "ip_p95": np.nanquantile(dr.ip[keep], 0.95, axis=1),
            "rank": nominal.astype(int),
            "median_rank": np.median(ranks, axis=1),
            "rank_p05": np.quantile(ranks, 0.05, axis=1, method="lower"),
            "rank_p95": np.quantile(ranks, 0.95, axis=1, method="higher"),
            "shift": np.abs(ranks - nominal[:, None]).mean(axis=1),
        }
    ).sort_values("rank", kind="stable", ignore_index=True)


def payout_intervals(ev: Evaluation, dr: Draws, rule) -> pd.DataFrame:
    """A rule paid on every draw's IP: each unit's nominal payout, mean payout, 5-95 % interval and the
    probability of being paid (cents)."""
    volume = production(rule, unit_table(ev), ev.labels)
    paid = np.column_stack(
        [pay(rule, pd.Series(dr.ip[:, k], index=dr.units), volume)["payout"].to_numpy() for k in range(dr.ip.shape[1])]
    )
    nominal = pay(rule, pd.Series(dr.nominal, index=dr.units), volume)["payout"].to_numpy()
    return pd.DataFrame(
        {
            "unit_id": dr.units,
            "payout": nominal,
            "mean": paid.mean(axis=1),
            "p05": np.quantile(paid, 0.05, axis=1),
            "p95": np.quantile(paid, 0.95, axis=1),
            "p_paid": (paid > 0).mean(axis=1),
        }
    )


# --------------------------------------------------------------------------------------------------
# Health Value Score per unit (METHODS 12)
# --------------------------------------------------------------------------------------------------


def health_value(ev: Evaluation, v) -> tuple[pd.DataFrame | None, str]:
    """The Health Value Score of every unit from the stays the evaluation read: cost efficiency by a gamma
    GLM on the value's covariates (:func:`gps_core.value.cost_efficiency`), scored with its band and
    combined with the annual IP.

    Returns the table (``unit_id``, ``stays``, ``observed``, ``expected``, ``efficiency``, ``ip``,
    ``cost_score``, ``hvs``, ``quadrant``; its definition and the medians that split the quadrants in
    ``attrs``) or ``None`` and the reason (no encounter source, or stays without cost).
    """
    from ..records.derive import chapter

    enc = ev.stays
    if enc is None:
        return None, "no_records"
    if "cost" not in enc or enc["cost"].notna().sum() == 0:
        return None, "no_cost"
    unit = "specialty" if ev.params.unit_level == "specialty" else ev.rules["level"]
    stays = pd.DataFrame(
        {
            "unit_id": enc[unit].astype(str).to_numpy(),
            "cost": enc["cost"].to_numpy(float),
            "age": enc["age"].to_numpy(float),
            "sex": enc["sex"].astype(str).to_numpy(),
            "admission_type": enc["admission_type"].astype(str).to_numpy(),
            "chapter": chapter(enc["diagnosis"]),
        }
    )
    eff = value.cost_efficiency(stays, "unit_id", v.covariates).set_index("unit_id")
    ip = ev.annual.assign(unit_id=lambda d: d["unit_id"].astype(str)).set_index("unit_id")["ip"]
    hvs = value.health_value_score(
        ip, eff["efficiency"], w_quality=v.w_quality, w_cost=v.w_cost, floor=v.floor, target=v.target
    )
    out = eff.join(hvs.drop(columns="efficiency"), how="right")
    out["quadrant"] = value.quadrant(out)
    out.attrs = {
        **hvs.attrs,
        "median_ip": float(out["ip"].median()),
        "median_efficiency": float(out["efficiency"].median()),
    }
    return out.rename_axis("unit_id").reset_index().sort_values("hvs", ascending=False, ignore_index=True), ""


# --------------------------------------------------------------------------------------------------
# The whole contract-design study of a params file
# --------------------------------------------------------------------------------------------------


@dataclass
class Design:
    """Everything ``p4p_simulation.ipynb`` shows, computed once."""

    evaluation: Evaluation
    table: pd.DataFrame
    costs: pd.DataFrame
    groups: pd.DataFrame
    shifts: pd.DataFrame
    moves: pd.DataFrame
    draws: Draws
    ranks: pd.DataFrame
    rule: str
    pays: pd.DataFrame
    value: pd.DataFrame | None
    no_value: str

    @property
    def groups_are_units(self) -> bool:
        """Payouts by specialty are payouts by unit (teams are specialties)."""
        return bool((self.table["specialty"].astype(str) == self.table["unit_id"].astype(str)).all())


def run(params, store=None) -> Design:
    """Evaluate the params' cycle, pay it under every candidate rule, draw the weights and, when asked,
    compute the Health Value Score (params :class:`~gps_core.params.P4PSimulationParams`). With ``store``
    (a reports root) the evaluation is the run artefact the annual report and scorecards read."""
    from .evaluation import run as evaluate

    ev = evaluate(params, store)
    rules = params.candidates
    table = compare(ev, rules)
    sh = shifts(table, rules[0].name)
    u = params.uncertainty
    dr = weight_draws(ev, u.draws, u.spread, tuple(u.policies), u.seed)
    name = u.rule or rules[0].name
    rule = next(r for r in rules if r.name == name)
    hvs, why = health_value(ev, params.value) if params.value is not None else (None, "not_asked")
    return Design(
        ev,
        table,
        costs(table),
        by_group(table),
        sh,
        shift_summary(sh),
        dr,
        rank_intervals(dr),
        name,
        payout_intervals(ev, dr, rule),
        hvs,
        why,
    )
