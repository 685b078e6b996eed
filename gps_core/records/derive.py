"""From record-level files (encounters, surgeries, survey answers) to monthly measurements, risk-adjusted.

``trace`` lists every record behind every numerator and denominator (the drill-down); ``adjust`` fits the
patient-level risk models of METHODS 8 on a reference population and gives each traced record its expected
outcome; ``to_measurements`` sums both into the measurements contract, where a risk-adjusted indicator
carries ``expected`` and ``reference_rate`` and is scored on O/E x reference rate
(:func:`gps_core.index.score_indicators`).

Covariates available to a risk model (patsy formula, right-hand side): ``age``, ``sex``,
``admission_type``, ``chapter`` (ICD-10 chapter of the principal diagnosis, I-XXII), ``dx3`` (3-character
ICD-10 category), and for surgical indicators ``wound_class`` and ``asa``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import riskadjust
from ..errors import InputError
from . import encounters as enc_mod
from . import surgeries, surveys
from .attribution import DEFAULT, Rules, concat

# ICD-10 chapters by the first three characters (WHO 2019), as (first code, chapter).
CHAPTERS = (
    ("A00", "I"),
    ("C00", "II"),
    ("D50", "III"),
    ("E00", "IV"),
    ("F00", "V"),
    ("G00", "VI"),
    ("H00", "VII"),
    ("H60", "VIII"),
    ("I00", "IX"),
    ("J00", "X"),
    ("K00", "XI"),
    ("L00", "XII"),
    ("M00", "XIII"),
    ("N00", "XIV"),
    ("O00", "XV"),
    ("P00", "XVI"),
    ("Q00", "XVII"),
    ("R00", "XVIII"),
    ("S00", "XIX"),
    ("U00", "XXII"),
    ("V01", "XX"),
    ("Z00", "XXI"),
)


def chapter(codes: pd.Series) -> np.ndarray:
    """ICD-10 chapter (roman numeral) of each code, by binary search on the chapter starts."""
    starts = np.array([c for c, _ in CHAPTERS])
    names = np.array([n for _, n in CHAPTERS], dtype=object)
    three = codes.astype(str).str[:3].to_numpy(dtype=str)
    return names[np.searchsorted(starts, three, side="right") - 1]


@dataclass(frozen=True)
class Records:
    """Validated record-level tables of one client (surgeries and surveys optional)."""

    encounters: pd.DataFrame
    surgeries: pd.DataFrame | None = None
    surveys: pd.DataFrame | None = None


@dataclass(frozen=True)
class RiskSpec:
    """One indicator's risk model: GLM family and the covariates (right-hand side of the formula)."""

    family: riskadjust.Family
    covariates: str


@dataclass
class Adjusted:
    """The traced records with their expected outcomes, and each model with its diagnostics."""

    trace: pd.DataFrame
    models: dict = field(default_factory=dict)


def trace(records: Records, rules: Rules = DEFAULT) -> pd.DataFrame:
    """Every record behind every numerator and denominator, one row per (indicator, record)."""
    parts = [enc_mod.trace(records.encounters, rules)]
    if records.surgeries is not None:
        parts.append(surgeries.trace(records.surgeries, records.encounters, rules))
    if records.surveys is not None:
        parts.append(surveys.trace(records.surveys, records.encounters, rules))
    return concat(parts)


def model_frame(t: pd.DataFrame, records: Records) -> pd.DataFrame:
    """Outcome ``y`` (the record's numerator contribution) and covariates for traced rows of one indicator."""
    enc = records.encounters
    pos = pd.Index(enc["encounter_id"]).get_indexer(t["encounter_id"].astype(object))
    if (pos < 0).any():
        raise InputError(
            [f"{int((pos < 0).sum())} records of {t['indicator_id'].iloc[0]} name no stay; a risk model needs it"],
            "risk adjustment",
        )
    df = pd.DataFrame(
        {
            "y": t["numerator"].to_numpy(float),
            "age": enc["age"].to_numpy(float)[pos],
            "sex": enc["sex"].astype(str).to_numpy()[pos],
            "admission_type": enc["admission_type"].astype(str).to_numpy()[pos],
            "chapter": chapter(enc["diagnosis"])[pos],
            "dx3": enc["diagnosis"].astype(str).str[:3].to_numpy()[pos],
        }
    )
    if records.surgeries is not None:
        s = records.surgeries
        sp = pd.Index(s["surgery_id"]).get_indexer(t["record_id"].astype(object))
        if (sp >= 0).all():
            df["wound_class"] = s["wound_class"].astype(str).to_numpy()[sp]
            if "asa" in s:
                df["asa"] = s["asa"].to_numpy(float)[sp]
    return df


def adjust(
    t: pd.DataFrame,
    records: Records,
    specs: dict[str, RiskSpec],
    reference: Records | None = None,
    rules: Rules = DEFAULT,
    reference_name: str | None = None,
) -> Adjusted:
    """Expected outcome of every traced record of the risk-adjusted indicators (METHODS 8).

    Each model is fitted on the reference population (``reference``, traced with the same rules; by
    default the client's own records) and predicts the client's records. The reference rate of an indicator
    is its crude rate in the reference population. ``reference_name`` (None: the client's own records) is
    carried into each model's diagnostics for the report.
    """
    out = t.copy()
    out["expected"] = np.nan
    out["reference_rate"] = np.nan
    ref_t = t if reference is None else trace(reference, rules)
    ref_records = records if reference is None else reference
    models = {}
    for ind, spec in specs.items():
        rows = np.flatnonzero(out["indicator_id"].to_numpy() == ind)
        ref_rows = ref_t[ref_t["indicator_id"] == ind]
        if len(rows) == 0 or len(ref_rows) == 0:
            raise InputError(
                [f"risk_adjustment names {ind}, but the records give it no cases; remove it or send its data"],
                "params: risk_adjustment",
            )
        ref_df = model_frame(ref_rows, ref_records)
        try:
            model = riskadjust.fit(ref_df, f"y ~ {spec.covariates}", spec.family)
            exp = model.predict(model_frame(out.iloc[rows], records))
        except ValueError as e:
            raise InputError([f"{ind}: {e}"], "params: risk_adjustment") from None
        out.iloc[rows, out.columns.get_loc("expected")] = exp
        out.iloc[rows, out.columns.get_loc("reference_rate")] = model.reference_rate
        diag = riskadjust.diagnostics(model, ref_df)
        models[ind] = {"family": spec.family, "covariates": spec.covariates, "reference": reference_name, **diag}
    return Adjusted(out, models)


def to_measurements(t: pd.DataFrame, client: str, program: str, unit_type: str) -> pd.DataFrame:
    """Monthly sums of the traced records per unit and indicator in the measurements contract (plus
    ``expected`` and ``reference_rate`` when the trace is risk-adjusted)."""
    cols = ["numerator", "denominator"] + (["expected"] if "expected" in t else [])
    g = t.groupby(["unit_id", "period", "indicator_id"], observed=True, sort=True)
    m = g[cols].sum(min_count=1).reset_index()
    if "reference_rate" in t:
        m["reference_rate"] = g["reference_rate"].first().to_numpy()
    # A doctor's specialty: the one most of their records carry (a surgeon may also discharge stays).
    n = t.groupby(["unit_id", "specialty"], observed=True).size().reset_index(name="n")
    n = n.sort_values(["unit_id", "n"], ascending=[True, False]).drop_duplicates("unit_id")
    spec = n.set_index("unit_id")["specialty"]
    m.insert(0, "client", client)
    m.insert(1, "program", program)
    m["unit_type"] = unit_type
    m["specialty"] = m["unit_id"].map(spec)
    return m
