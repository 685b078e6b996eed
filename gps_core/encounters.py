"""Encounter-level data: the contract of an inpatient encounter table and the indicators computed from it.

Contract (one row per hospital stay; Brazilian values accepted where noted):

====================  =====================================================================================
encounter_id          unique id of the stay
patient_id            patient pseudonym (the same person across stays: readmissions link on it)
admission, discharge  dates, ``YYYY-MM-DD`` or ``DD/MM/YYYY``; discharge on or after admission
doctor_id, specialty  the discharging doctor and their specialty (the unit the stay is attributed to)
diagnosis             principal ICD-10 / CID-10 code, e.g. ``I21.0`` or ``I210``
discharge_status      ``alive`` | ``death`` | ``transfer`` (``alta``, ``óbito``/``obito``, ``transferência``)
admission_type        ``elective`` | ``urgent`` | ``emergency`` (``eletiva``, ``urgência``, ``emergência``)
age, sex              0-120 years; ``M`` | ``F``
cost                  optional, >= 0
====================  =====================================================================================

Indicators (catalogue ids), per unit and month of discharge:

- ``E01`` length of stay: patient-days / discharges; a same-day stay counts one patient-day.
- ``F01`` in-hospital mortality: deaths after 24 h of admission / discharges.
- ``F02`` 30-day readmission: index stays discharged alive and not transferred out; numerator = those
  followed by an unplanned (non-elective) admission of the same patient 0-30 days after discharge
  (exactly 30 days counts); attributed to the unit that discharged the index stay. Index stays whose
  30 days run past the last admission in the data are left out (incomplete follow-up).

Every numerator and denominator is traceable to its encounter ids (:func:`trace`).

References
----------
CMS, Hospital-Wide All-Cause Unplanned Readmission measure methodology (30-day window, transfers, planned
readmissions). ANAHP, Observatório: média de permanência and taxa de mortalidade institucional (> 24 h).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .errors import InputError
from .schemas import MAX_PER_KIND, parse_period

COLUMNS = (
    "encounter_id",
    "patient_id",
    "admission",
    "discharge",
    "doctor_id",
    "specialty",
    "diagnosis",
    "discharge_status",
    "admission_type",
    "age",
    "sex",
)
STATUS = {
    "alive": "alive",
    "alta": "alive",
    "death": "death",
    "óbito": "death",
    "obito": "death",
    "transfer": "transfer",
    "transferência": "transfer",
    "transferencia": "transfer",
}
ADMISSION = {
    "elective": "elective",
    "eletiva": "elective",
    "urgent": "urgent",
    "urgência": "urgent",
    "urgencia": "urgent",
    "emergency": "emergency",
    "emergência": "emergency",
    "emergencia": "emergency",
}
ICD10 = re.compile(r"^[A-Z]\d{2}(\.?[0-9A-Z]{1,4})?$")


def validate(df: pd.DataFrame, source: str = "encounters", line_offset: int = 2) -> pd.DataFrame:
    """Check an encounter table against the contract and return a typed copy.

    Raises
    ------
    InputError
        Listing every problem with line, column, value and the expected form (not only the first).
    """
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError([f"missing column(s) {missing}; an encounter table needs {list(COLUMNS)}"], source)
    out = df.copy()
    problems: list[str] = []

    def report(mask, fmt) -> None:
        idx = np.flatnonzero(np.asarray(mask))
        problems.extend(fmt(i) for i in idx[:MAX_PER_KIND])
        if len(idx) > MAX_PER_KIND:
            problems.append(f"... {len(idx) - MAX_PER_KIND} more rows with the same problem")

    for c in ("encounter_id", "patient_id", "doctor_id", "specialty"):
        out[c] = out[c].astype("string").str.strip()
        report(out[c].isna() | (out[c] == ""), lambda i, c=c: f"line {i + line_offset}, column '{c}': empty")
    for c in ("admission", "discharge"):
        raw = out[c]
        out[c] = parse_period(raw)
        report(
            out[c].isna(),
            lambda i, c=c, raw=raw: (
                f"line {i + line_offset}, column '{c}': '{raw.iloc[i]}' is not a date; use YYYY-MM-DD or DD/MM/YYYY"
            ),
        )
    report(
        out["discharge"] < out["admission"],
        lambda i: (
            f"line {i + line_offset}, columns 'admission'/'discharge': discharge "
            f"{out['discharge'].iloc[i]:%Y-%m-%d} is before admission {out['admission'].iloc[i]:%Y-%m-%d}"
        ),
    )
    for c, allowed in (("discharge_status", STATUS), ("admission_type", ADMISSION)):
        raw = out[c].astype("string").str.strip().str.lower()
        out[c] = raw.map(allowed)
        report(
            out[c].isna(),
            lambda i, c=c, raw=raw, allowed=allowed: (
                f"line {i + line_offset}, column '{c}': '{raw.iloc[i]}' is "
                f"not one of {sorted(set(allowed.values()))} "
                f"(or {sorted(k for k in allowed if k not in allowed.values())})"
            ),
        )
    sex = out["sex"].astype("string").str.strip().str.upper()
    report(
        ~sex.isin(["M", "F"]).fillna(False),
        lambda i: f"line {i + line_offset}, column 'sex': '{out['sex'].iloc[i]}' is not M or F",
    )
    out["sex"] = sex
    age = pd.to_numeric(out["age"], errors="coerce")
    report(
        age.isna() | (age < 0) | (age > 120),
        lambda i: f"line {i + line_offset}, column 'age': '{df['age'].iloc[i]}' is not an age 0-120",
    )
    out["age"] = age
    dx = out["diagnosis"].astype("string").str.strip().str.upper()
    report(
        ~dx.str.match(ICD10).fillna(False),
        lambda i: (
            f"line {i + line_offset}, column 'diagnosis': '{df['diagnosis'].iloc[i]}' is not an ICD-10 "
            "code (letter, 2 digits, optional subcategory, e.g. I21.0)"
        ),
    )
    out["diagnosis"] = dx
    if "cost" in out.columns:
        cost = pd.to_numeric(out["cost"], errors="coerce")
        report(
            out["cost"].notna() & (cost.isna() | (cost < 0)),
            lambda i: f"line {i + line_offset}, column 'cost': '{df['cost'].iloc[i]}' is not an amount >= 0",
        )
        out["cost"] = cost
    dup = out["encounter_id"].duplicated(keep=False)
    report(
        dup,
        lambda i: (
            f"line {i + line_offset}, column 'encounter_id': '{out['encounter_id'].iloc[i]}' appears "
            "more than once; each stay needs its own id"
        ),
    )
    if problems:
        raise InputError(problems, source)
    return out.reset_index(drop=True)


def _readmission_arrays(enc: pd.DataFrame, window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Aligned with ``enc`` rows: eligible index stay, row of its readmission (-1: none), days to it."""
    order = np.lexsort(
        (
            enc["encounter_id"].to_numpy(),
            enc["discharge"].to_numpy(),
            enc["admission"].to_numpy(),
            pd.factorize(enc["patient_id"])[0],
        )
    )
    e = enc.iloc[order].reset_index(drop=True)
    # The patient's next unplanned stay in admission order (ties: the later row), found with a shift and a
    # backward fill inside each patient: one vectorized pass, no pairwise join.
    patient = pd.factorize(e["patient_id"])[0]
    pos = pd.Series(np.where(e["admission_type"].to_numpy() != "elective", np.arange(len(e)), np.nan))
    nxt = pos.groupby(patient).shift(-1).groupby(patient).bfill()
    has = nxt.notna().to_numpy()
    j = nxt.fillna(0).astype(int).to_numpy()
    days = (e["admission"].to_numpy()[j] - e["discharge"].to_numpy()) / np.timedelta64(1, "D")
    hit = has & (days >= 0) & (days <= window)  # an overlapping stay is no readmission
    last = enc["admission"].max()
    ok = (e["discharge_status"].to_numpy() == "alive") & (
        e["discharge"].to_numpy() + np.timedelta64(window, "D") <= last.to_datetime64()
    )
    eligible, row, gap = np.zeros(len(e), bool), np.full(len(e), -1), np.full(len(e), np.nan)
    eligible[order] = ok
    row[order] = np.where(ok & hit, order[j], -1)
    gap[order] = np.where(ok & hit, days, np.nan)
    return eligible, row, gap


def readmissions(enc: pd.DataFrame, window: int = 30) -> pd.DataFrame:
    """Index stays eligible for the 30-day readmission indicator and their first unplanned readmission.

    Returns one row per eligible index stay: ``encounter_id``, ``readmission_id`` (or NA), ``days``.
    """
    eligible, row, gap = _readmission_arrays(enc, window)
    ids = enc["encounter_id"].to_numpy(dtype=object)
    rid = np.where(row >= 0, ids[np.maximum(row, 0)], None)
    return pd.DataFrame({"encounter_id": ids[eligible], "readmission_id": rid[eligible], "days": gap[eligible]})


def trace(enc: pd.DataFrame, level: str = "doctor_id", window: int = 30) -> pd.DataFrame:
    """Drill-down: every encounter behind every numerator and denominator, one row per (indicator, stay).

    Columns: ``indicator_id``, ``unit_id``, ``period`` (month of discharge), ``encounter_id``,
    ``numerator`` (its contribution), ``denominator`` (its contribution), ``linked_id`` (the readmission).
    """
    unit = enc[level].astype(str).to_numpy(dtype=object)
    period = enc["discharge"].dt.to_period("M").dt.to_timestamp().to_numpy()
    ids = enc["encounter_id"].to_numpy(dtype=object)
    days = ((enc["discharge"] - enc["admission"]).dt.days).to_numpy()
    los = pd.DataFrame(
        {
            "indicator_id": "E01",
            "unit_id": unit,
            "period": period,
            "encounter_id": ids,
            "numerator": np.maximum(days, 1).astype(float),
            "denominator": 1.0,
            "linked_id": None,
        }
    )
    death = (enc["discharge_status"].to_numpy() == "death") & (days >= 1)
    mort = los.assign(indicator_id="F01", numerator=death.astype(float))
    eligible, row, _ = _readmission_arrays(enc, window)
    linked = np.where(row >= 0, ids[np.maximum(row, 0)], None)
    readm = pd.DataFrame(
        {
            "indicator_id": "F02",
            "unit_id": unit[eligible],
            "period": period[eligible],
            "encounter_id": ids[eligible],
            "numerator": (row[eligible] >= 0).astype(float),
            "denominator": 1.0,
            "linked_id": linked[eligible],
        }
    )
    return pd.concat([los, mort, readm], ignore_index=True)


def to_measurements(
    enc: pd.DataFrame, client: str, program: str, level: str = "doctor_id", window: int = 30
) -> pd.DataFrame:
    """Monthly numerators and denominators per unit for the encounter-based indicators (the sums of
    :func:`trace`), in the measurements contract."""
    t = trace(enc, level, window)
    m = t.groupby(["unit_id", "period", "indicator_id"], observed=True)[["numerator", "denominator"]].sum()
    m = m.reset_index()
    spec = enc.groupby(enc[level].astype(str))["specialty"].first() if level != "specialty" else None
    m.insert(0, "client", client)
    m.insert(1, "program", program)
    m["unit_type"] = "doctor" if level == "doctor_id" else level
    m["specialty"] = m["unit_id"].map(spec) if spec is not None else m["unit_id"]
    return m
