"""One call from params to every result table of an annual evaluation (the notebooks display them).

``run(params)`` loads and validates the inputs, scores, builds the index, peers, the annual
evaluation, alerts and stars, and returns an :class:`Evaluation` of tidy tables with the provenance.
``unit_view`` selects what a scorecard shows for one unit.
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import warnings
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__, artefact, p4p, refdata, riskadjust
from ..annual import alerts, annual_evaluation
from ..catalog import DIMENSIONS, SHIPPED, effective_weights, load_catalog, override_bands
from ..errors import InputError
from ..index import (
    UNIT,
    aggregate_measurements,
    peer_compare,
    performance_index,
    rollup,
    score_indicators,
    volume,
)
from ..io import names
from ..io.sources import load_source
from ..schemas import bounds, check_months
from ..scoring import full_score_gap
from ..stars import cms_star_tiers, exact_star_tiers
from ..stats import indicator_interval


@dataclass(frozen=True)
class Evaluation:
    """Every table behind an annual evaluation report."""

    params: object
    catalog: pd.DataFrame
    weights: pd.Series
    measurements: pd.DataFrame
    scores: pd.DataFrame
    index: pd.DataFrame
    annual: pd.DataFrame
    alerts: pd.DataFrame
    provenance: dict = field(default_factory=dict)
    program: pd.DataFrame | None = None  # monthly IP of the whole program, rolled up from the units
    members: pd.DataFrame | None = None  # doctors inside each team, when units are pooled specialties
    trace: pd.DataFrame | None = None  # record-level sources: every record behind every number
    risk: dict = field(default_factory=dict)  # risk models by indicator, with their diagnostics
    rules: dict | None = None  # definitions and attribution of the record-derived indicators
    payouts: dict = field(default_factory=dict)  # contract rule name -> one row per unit (gps_core.p4p)
    stays: pd.DataFrame | None = None  # validated encounters of a record-level source (e.g. for cost)
    labels: pd.Series | None = None  # each named unit's label by its code (params unit_names, gps_core.io.names)

    @property
    def latest(self) -> pd.Timestamp:
        return self.index["period"].max()

    @property
    def program_ip(self) -> float:
        """Annual IP of the whole program: mean of its monthly roll-up."""
        return float(self.program["ip"].mean()) if self.program is not None else float("nan")


def build_catalog(params) -> pd.DataFrame:
    """The params' catalogue with its band overrides applied."""
    cat = load_catalog(params.catalog)
    if params.bands:
        over = {
            k: {f: v for f, v in b.model_dump().items() if v is not None and f != "why"}
            for k, b in params.bands.items()
        }
        cat = override_bands(cat, over, "params: bands")
    return cat


@cache
def revision() -> str | None:
    """The git commit of the code that ran, when it runs from a git checkout (with ``+changes`` when files
    differ from that commit), else None: a report can then be traced to the exact code, not only the
    version."""
    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists() or shutil.which("git") is None:
        return None
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()  # fmt: skip
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+changes" if dirty else head or None


def provenance(params, inputs: list[dict]) -> dict:
    """Params, versions, reference-table checksums and input hashes of a run."""
    man = refdata.manifest()
    catalog = getattr(params, "catalog", None)  # a risk study has no indicator catalogue
    used = SHIPPED.get(catalog)
    if catalog is None:
        tables = []
    elif used:
        tables = man[man["file"] == used][["file", "version", "sha256"]].to_dict("records")
    else:
        from ..params import shown, where

        tables = [{"file": shown(catalog), "version": "client file", "sha256": refdata.sha256(where(catalog))}]
    return {
        "params": params.model_dump(mode="json"),
        "gps_core": __version__,
        **({"revision": revision()} if revision() else {}),
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "reference_tables": tables,
        "inputs": inputs,
        "generated_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
    }


# a contract design's own params: the evaluation it starts from is the annual report's
DESIGN_ONLY = frozenset({"candidates", "uncertainty", "value"})


def run(params, store: str | Path | None = None) -> Evaluation:
    """Compute the annual evaluation described by validated params (inputs checked against the contracts'
    plausible bounds, raised where the params' ``limits`` say so).

    Parameters
    ----------
    store
        A reports root: the evaluation is read from its run artefact there when one exists for these params
        and inputs, and computed and saved there otherwise (:mod:`gps_core.artefact`), so that the annual
        report, every scorecard, the payouts and the contract design of a run share one computation.

    Raises
    ------
    InputError
        When the inputs break their contract (every problem listed, nothing computed).
    """
    if store is None:
        with bounds(params.limits):
            return _run(params)

    def compute() -> dict:
        with bounds(params.limits):
            ev = _run(params)
        return {f.name: getattr(ev, f.name) for f in fields(Evaluation) if f.name != "params"}

    result, folder = artefact.cached("evaluation", params, store, compute, DESIGN_ONLY)
    prov = {**result["provenance"], "params": params.model_dump(mode="json"), "artefact": folder.name}
    return Evaluation(params=params, **{**result, "provenance": prov})


def _run(params) -> Evaluation:
    cat = build_catalog(params)
    loaded = load_source(params.source, cat, params.client, params.program, params.period)
    inputs = loaded.inputs
    m = check_months(loaded.measurements, params.period.first, params.period.months, inputs[0]["file"])
    labels = None
    if params.unit_names is not None:
        labels, info = unit_labels(params.unit_names, m["unit_id"].cat.categories)
        inputs = [*inputs, info]
    units = m if params.unit_level == "as_is" else aggregate_measurements(m, "specialty")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores = score_indicators(units, cat)
        ix = performance_index(scores, cat, params.dimension_weights, params.missing_policy)
        ix = peer_compare(ix, params.peer_by)
        ann = annual_evaluation(
            ix,
            params.period.first,
            params.target,
            params.min_months,
            params.baseline_months,
            neutral=params.neutral_band,
            reference=params.reference,
        )
    ann = add_stars(ann)
    al = alerts(ix, ann, params.target, params.n_lowest)
    program = rollup(ix, unit_volumes(units, params.volume_indicator), ["client", "program"])
    members = None
    if params.unit_level == "specialty":
        with warnings.catch_warnings(record=True) as more:
            warnings.simplefilter("always")
            members = member_summary(score_indicators(m, cat), cat, params)
        caught += more
    prov = provenance(params, inputs)
    prov["warnings"] = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    n_small = int((scores["small_denominator"] & ~scores["missing"]).sum())
    prov["small_denominators"] = {"small": n_small, "values": len(scores)}  # numbers; reports word them
    weights = effective_weights(cat, params.dimension_weights)
    pay = payouts(params.contract, ann, units) if params.contract is not None else {}
    # computed on the codes (a finance file names units by code); shown by name from here on
    named = (lambda t: relabel(t, labels)) if labels is not None else (lambda t: t)
    return Evaluation(
        params,
        cat,
        weights,
        named(m),
        named(scores),
        named(ix),
        named(ann),
        named(al),
        prov,
        program,
        named(members),
        named(loaded.trace),
        loaded.risk,
        loaded.rules,
        named(pay),
        named(loaded.stays),
        labels,
    )


def unit_labels(spec, codes) -> tuple[pd.Series, dict]:
    """The params' names file read and checked against the units of the data (``codes``): the labels and
    the file's provenance.

    Raises
    ------
    InputError
        The file breaks its contract, or a unit's label is another unit's code (the two would merge)."""
    from ..params import shown, where

    path = where(spec)
    labels = names.read(path)
    clash = names.clashes(codes, labels)
    if clash:
        raise InputError([f"the label of a unit is another unit's code: {c}; rename it" for c in clash[:20]],
                         str(path))  # fmt: skip
    return labels, {"file": shown(spec), "sha256": refdata.sha256(path), "role": "unit names"}


def relabel(table, labels: pd.Series):
    """A table (or a dict of tables) with each named unit's code in ``unit_id`` replaced by its label;
    a payout rule's terms (``attrs``) kept."""
    if isinstance(table, dict):
        return {k: relabel(v, labels) for k, v in table.items()}
    if not isinstance(table, pd.DataFrame) or "unit_id" not in table.columns:
        return table
    out = table.assign(unit_id=names.relabel(table["unit_id"], labels))
    out.attrs = dict(table.attrs)
    return out


def production(rule, units: pd.DataFrame, labels: pd.Series | None = None) -> pd.DataFrame:
    """A rule's production per unit (index ``unit_id`` as text) in column ``volume``: the cycle's sum of
    its indicator's denominators, or the amount received (currency units) from the client's finance file,
    which also gives ``list_size`` and ``prevalence`` for a per-point rule. ``labels``: the units' labels
    when ``units`` are named (:attr:`Evaluation.labels`), so that the file may name units by code."""
    spec = rule.production
    if spec.file is not None:
        from ..io.sources import read_amounts

        known = sorted(set(units["unit_id"].astype(str)))
        f, _ = read_amounts(spec.file, known, labels)
        return f.set_index("unit_id").assign(volume=lambda d: d["amount"] / 100).drop(columns="amount")
    prod = units[units["indicator_id"] == spec.indicator].groupby("unit_id", observed=True)["denominator"].sum()
    if prod.empty:
        raise InputError([f"contract rule '{rule.name}': indicator {spec.indicator} has no rows"], "params: contract")
    return pd.DataFrame({"volume": prod.to_numpy(float)}, index=pd.Index(prod.index.astype(str), name="unit_id"))


def pay(rule, ip: pd.Series, prod: pd.DataFrame) -> pd.DataFrame:
    """One payout rule of the params on an index per unit (``ip`` indexed by ``unit_id``; a unit without
    an index gets 0) with its production (:func:`production`; units without production get none).
    Amounts in cents (METHODS 12)."""
    prod = prod.reindex(ip.index)
    volume = prod["volume"].fillna(0.0).to_numpy()
    money = rule.production.price is not None or rule.production.file is not None
    amount = volume * (rule.production.price or 1.0) * (100 if money else 1)
    u = pd.DataFrame({"unit_id": ip.index, "index": ip.fillna(0.0).to_numpy(), "production": amount})
    u = p4p.validate_units(u.assign(received=amount))
    if rule.kind == "budget_pool":
        cap = p4p.cents(rule.cap) if rule.cap is not None else None
        res = p4p.budget_pool(u, p4p.cents(rule.budget), alpha=rule.alpha, minimum=rule.minimum, cap=cap)
    elif rule.kind == "additional_percentage":
        tiers = [tuple(t) for t in rule.tiers] if rule.tiers else None
        res = p4p.additional_percentage(u, floor=rule.floor, target=rule.target, max_rate=rule.max_rate, tiers=tiers)
    elif rule.kind == "withhold":
        res = p4p.withhold(u.assign(tps=u["index"], base=amount), rule.rate)
        res["payout"] = res["net"]
    else:  # per point: the IP converted to points, paid per point with list-size and prevalence factors
        pts = u.assign(
            points=np.round(u["index"] / 100 * rule.max_points, 2),  # 2 dp: the explanation recomputes it
            list_size=prod["list_size"].fillna(0.0).to_numpy(),
            prevalence=prod["prevalence"].to_numpy() if "prevalence" in prod else 1.0,
        )
        res = p4p.per_point(pts, p4p.cents(rule.point_value), rule.national_list, rule.national_prevalence)
        res.insert(1, "index", u["index"].to_numpy())
    res["volume"] = volume
    return res


def payouts(contract, annual: pd.DataFrame, units: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every rule of the params' contract paid on the annual IP (METHODS 12), amounts in cents, each unit's
    line with the rule's terms in ``attrs["terms"]`` (:func:`gps_core.views.payouts.explain` words them).

    Production is the cycle's sum of the rule's indicator denominators per unit (times its price when the
    rule pays on an amount), or the amounts of the client's finance file. Units without production get none.
    """
    ip = annual.set_index(annual["unit_id"].astype(str))["ip"]
    out = {}
    for rule in contract.rules:
        res = pay(rule, ip, production(rule, units))
        out[rule.name] = res
    return out


def unit_table(ev: Evaluation) -> pd.DataFrame:
    """The measurements at the evaluated level (teams pooled from doctors when ``unit_level`` is specialty)."""
    m = ev.measurements
    return m if ev.params.unit_level == "as_is" else aggregate_measurements(m, "specialty")


def unit_volumes(units: pd.DataFrame, indicator: str | None) -> pd.DataFrame:
    """Volume of each unit-month for roll-ups: the denominator of ``indicator`` (e.g. E01 discharges), or
    1 for every unit-month (equal weights) when no volume indicator is set."""
    if indicator is None:
        return units[[*UNIT, "period"]].drop_duplicates().assign(volume=1.0)
    if indicator not in set(units["indicator_id"].astype(str)):
        raise InputError(
            [f"volume_indicator '{indicator}' has no rows in the data; choose one every unit reports"], "params"
        )
    return volume(units, indicator)


def member_summary(doctor_scores: pd.DataFrame, catalog: pd.DataFrame, params) -> pd.DataFrame:
    """Each doctor's own annual IP inside their team: mean monthly IP, months, latest IP and the share of
    values resting on small denominators (doctor-level values are noisy: read them with that share)."""
    dix = performance_index(doctor_scores, catalog, params.dimension_weights, params.missing_policy)
    g = dix.groupby(["specialty", "unit_id"], observed=True)
    out = g.agg(ip=("ip", "mean"), months=("ip", "count"), n_small=("n_small", "sum"), n_values=("n_indicators", "sum"))
    last = dix.sort_values("period").groupby(["specialty", "unit_id"], observed=True)["ip"].last()
    out["ip_latest"] = last
    out["share_small"] = out["n_small"] / out["n_values"]
    return out.reset_index()


def add_stars(annual: pd.DataFrame) -> pd.DataFrame:
    """Star tiers on the annual IP by the CMS k-means method and by the exact optimum (when at least 5
    distinct scores exist; otherwise NaN with a reason)."""
    out = annual.copy()
    ok = out["ip"].notna()
    if out.loc[ok, "ip"].nunique() >= 5:
        out.loc[ok, "stars"] = cms_star_tiers(out.loc[ok, "ip"]).to_numpy()
        out.loc[ok, "stars_exact"] = exact_star_tiers(out.loc[ok, "ip"]).to_numpy()
    else:
        out["stars"] = np.nan
        out["stars_exact"] = np.nan
    return out


def band_reasons(params) -> dict[str, str]:
    """The justification given in params for each overridden band (printed in the annex)."""
    return {k: b.why for k, b in params.bands.items() if b.why}


def trace_units(ev: Evaluation, n: int = 5) -> list[str]:
    """Units whose numbers the annual report traces: the critical ones (up to ``n``, most negative VD
    first), else the unit with the lowest annual IP."""
    crit = ev.annual[ev.annual["quadrant"] == "critical"].sort_values("vd")
    if len(crit):
        return list(crit["unit_id"].astype(str))[:n]
    return list(ev.annual.nsmallest(1, "ip")["unit_id"].astype(str))


def star_agreement(annual: pd.DataFrame) -> tuple[int, int]:
    """How many units get the same stars from seeded k-means and from the exact optimum, out of how many."""
    rated = annual.dropna(subset=["stars", "stars_exact"])
    return int((rated["stars"] == rated["stars_exact"]).sum()), len(rated)


def dimension_summary(ev: Evaluation) -> pd.DataFrame:
    """Annual mean of each dimension score per unit (long), with the peer mean."""
    cols = [f"dim_{d}" for d in DIMENSIONS]
    g = ev.index.groupby(["unit_id", ev.params.peer_by], observed=True)[cols].mean().reset_index()
    long = g.melt(id_vars=["unit_id", ev.params.peer_by], var_name="dimension", value_name="score")
    long["dimension"] = long["dimension"].str.removeprefix("dim_")
    long["peer_mean"] = long.groupby([ev.params.peer_by, "dimension"], observed=True)["score"].transform("mean")
    return long


def indicator_table(ev: Evaluation, unit_id: str | None = None, period: pd.Timestamp | None = None) -> pd.DataFrame:
    """Traceability table: numerator, denominator, value, band, fraction, weight, points and the gap to
    full score, per unit and indicator, for one month (default: the latest)."""
    period = ev.latest if period is None else pd.Timestamp(period)
    s = ev.scores[ev.scores["period"] == period]
    if unit_id is not None:
        s = s[s["unit_id"] == unit_id]
    cat = ev.catalog.set_index("indicator_id")
    rules = cat.loc[s["indicator_id"].astype(str)].reset_index()
    gap = full_score_gap(s["value"].to_numpy(), rules)
    keep = ["unit_id", "period", "indicator_id", "numerator", "denominator", "value", "fraction"]
    keep += [c for c in ("crude", "expected", "expected_value", "reference_rate") if c in s.columns]
    out = s[[*keep, "small_denominator", "missing"]].reset_index(drop=True)
    out["lower"], out["upper"], out["interval"] = indicator_interval(
        out["numerator"],
        out["denominator"],
        rules["unit"],
        rules["multiplier"],
        out.get("expected"),
        out.get("reference_rate"),
    )
    out["dimension"] = rules["dimension"].to_numpy()
    out["name_en"], out["name_pt"], out["unit"] = rules["name_en"], rules["name_pt"], rules["unit"]
    out["weight"] = ev.weights.reindex(out["indicator_id"].astype(str)).to_numpy()
    out["points"] = out["fraction"] * out["weight"]
    return pd.concat([out, gap], axis=1)


_SPLITS: dict[tuple, tuple] = {}  # identity of an evaluation's tables -> (the tables, their split by unit)


@dataclass(frozen=True)
class Split:
    """A table's rows by unit, and its empty frame for a unit without rows."""

    parts: dict
    empty: pd.DataFrame

    def __getitem__(self, unit: str) -> pd.DataFrame:
        return self.parts.get(unit, self.empty)


def _by_unit(ev: Evaluation) -> dict:
    """Every table a scorecard shows, split by unit once per evaluation: a batch of scorecards reads the same
    evaluation in a warm kernel, and filtering the whole program's tables again for each unit cost more than
    the rest of the unit's numbers. Each notebook builds its own Evaluation around the same memoized tables
    (:func:`gps_core.artefact.cached`), so the split is kept by the tables' identity (the few most recent, holding
    the tables so that an identity is never reused) and the params that shape it."""
    tables = (ev.index, ev.scores, ev.annual, ev.catalog, ev.measurements, ev.members, ev.trace, ev.payouts)
    k = (*map(id, tables), ev.params.peer_by, ev.params.unit_level)
    if k in _SPLITS:
        return _SPLITS[k][1]

    def split(df: pd.DataFrame | None, col: str = "unit_id") -> Split | None:
        if df is None:
            return None
        parts = {str(k): df.iloc[v] for k, v in df.groupby(df[col].astype(str), sort=False).indices.items()}
        return Split(parts, df.iloc[:0])

    t = ev.trace
    if t is not None:
        t = t[t["period"] == ev.latest]
        if ev.params.unit_level == "specialty":  # a doctor's records go to the team the doctor's numbers go to
            team = ev.measurements.drop_duplicates("unit_id").set_index("unit_id")["specialty"]
            t = t.assign(_unit=t["unit_id"].astype(str).map(team.astype(str).set_axis(team.index.astype(str))))
        else:
            t = t.assign(_unit=t["unit_id"].astype(str))
    got = {
        "units": set(ev.annual["unit_id"].astype(str)),
        "index": split(ev.index),
        "dimensions": split(dimension_summary(ev)),
        "indicators": split(indicator_table(ev)),
        "annual": split(ev.annual),
        "payouts": {name: split(res) for name, res in ev.payouts.items()},
        "members": split(ev.members, "specialty") if ev.members is not None else None,
        "trace": split(t, "_unit") if t is not None else None,
    }
    if len(_SPLITS) >= 4:
        _SPLITS.pop(next(iter(_SPLITS)))
    _SPLITS[k] = (tables, got)
    return got


def scored_sheets(ev: Evaluation) -> pd.DataFrame:
    """The technical sheets of the indicators the evaluation scored (the scorecards' annex)."""
    return ev.catalog[ev.catalog["indicator_id"].isin(ev.scores["indicator_id"].astype(str).unique())]


def first_unit(ev: Evaluation, units) -> str:
    """The unit a scorecard run by hand without one shows: the first the params name (``units``), else the
    evaluation's first."""
    return str(units[0]) if units != "all" and len(units) else str(ev.annual["unit_id"].iloc[0])


def unit_view(ev: Evaluation, unit_id: str) -> dict:
    """What a scorecard shows for one unit: its annual row, monthly IP with its peers, dimensions against
    peers, every indicator against its band in the latest month and its line of each payout rule. A named
    unit may be given by its code."""
    by = _by_unit(ev)
    if ev.labels is not None and unit_id not in by["units"]:
        unit_id = ev.labels.get(unit_id, unit_id)
    if unit_id not in by["units"]:
        known = ", ".join(sorted(by["units"])[:10])
        raise InputError([f"unit '{unit_id}' is not in the evaluation; units include {known}, ..."], "params: units")
    ix = by["index"][unit_id]
    team = None
    if by["members"] is not None:
        team = by["members"][unit_id].sort_values("ip", ascending=False)
    indicators = by["indicators"][unit_id].reset_index(drop=True)
    lines = {  # this unit's line of each pay-for-performance rule, as a one-row table with the rule's terms
        name: rows[unit_id] for name, rows in by["payouts"].items()
    }
    return {
        "unit": unit_id,
        "payouts": lines,
        "members": team,
        "latest": ix.sort_values("period").iloc[-1],
        "sheets": ev.catalog[ev.catalog["indicator_id"].isin(indicators["indicator_id"].astype(str))],
        "annual": by["annual"][unit_id],
        "monthly": ix,
        "dimensions": by["dimensions"][unit_id],
        "indicators": indicators,
    }


def records_behind(ev: Evaluation, unit_id: str, period: pd.Timestamp | None = None) -> pd.DataFrame:
    """Drill-down of one unit and month: every record behind its numerators and denominators (record-level
    sources only; a team's rows are its doctors' records)."""
    if ev.trace is None:
        return pd.DataFrame()
    if period is None or pd.Timestamp(period) == ev.latest:  # the scorecards' month, split once
        return _by_unit(ev)["trace"][unit_id].drop(columns="_unit").reset_index(drop=True)
    t = ev.trace[ev.trace["period"] == pd.Timestamp(period)]
    unit = t["unit_id"].astype(str)
    if ev.params.unit_level == "specialty":
        team = ev.measurements.drop_duplicates("unit_id").set_index("unit_id")["specialty"]
        unit = unit.map(team.astype(str).set_axis(team.index.astype(str)))
    return t[(unit == unit_id).to_numpy()].reset_index(drop=True)


def risk_by_unit(ev: Evaluation) -> pd.DataFrame:
    """Annual observed, expected, O/E with its Byar interval, crude and adjusted value per unit for every
    risk-adjusted indicator (METHODS 6 and 8)."""
    s = ev.scores
    if "expected" not in s.columns or not ev.risk:
        return pd.DataFrame()
    s = s[s["indicator_id"].astype(str).isin(list(ev.risk))]
    g = s.groupby(["unit_id", "indicator_id"], observed=True)
    out = g[["numerator", "denominator", "expected"]].sum().reset_index()
    out["reference_rate"] = g["reference_rate"].first().to_numpy()
    mult = ev.catalog.set_index("indicator_id")["multiplier"].reindex(out["indicator_id"].astype(str)).to_numpy()
    out["oe"] = out["numerator"] / out["expected"]
    out["crude"] = out["numerator"] / out["denominator"] * mult
    out["adjusted"] = out["oe"] * out["reference_rate"] * mult
    lo, hi, _ = indicator_interval(
        out["numerator"], out["denominator"], np.full(len(out), "ratio"), 1.0, out["expected"], 1.0
    )
    out["oe_lower"], out["oe_upper"] = lo, hi
    out["signal"] = riskadjust.signal(out["oe_lower"], out["oe_upper"])
    return out
