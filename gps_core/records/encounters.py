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
procedure             optional: main procedure code (SIGTAP ``04.11.01.003-4`` or any coding; deliveries)
cost                  optional, >= 0
====================  =====================================================================================

Indicators (catalogue ids), per unit and month of discharge:

- ``E01`` length of stay: patient-days / discharges; a same-day stay counts one patient-day.
- ``F01`` in-hospital mortality: deaths after 24 h of admission / discharges.
- ``F02`` 30-day readmission: index stays discharged alive and not transferred out; numerator = those
  followed by an unplanned admission of the same patient 0-30 days after discharge (exactly 30 days
  counts; planned = elective or a planned diagnosis, see :class:`~gps_core.records.attribution.Rules`); attributed
  to the unit that discharged the index stay. Index stays whose 30 days run past the last admission in the
  data are left out (incomplete follow-up).
- ``F07`` caesarean rate: caesarean deliveries / deliveries (procedure codes, else ICD-10 O80-O84).

Every numerator and denominator is traceable to its encounter ids (:func:`trace`). The definitions and
attribution are parameters (:class:`~gps_core.records.attribution.Rules`).

References
----------
CMS, Hospital-Wide All-Cause Unplanned Readmission measure methodology (30-day window, transfers, planned
readmissions). ANAHP, Observatório: média de permanência and taxa de mortalidade institucional (> 24 h).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..contract import Check
from ..schemas import limit
from .attribution import DEFAULT, Rules, Tracer

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
SEX = {"m": "M", "f": "F", "masculino": "M", "feminino": "F"}
ICD10 = re.compile(r"^[A-Z]\d{2}(\.?[0-9A-Z]{1,4})?$")


def validate(
    df: pd.DataFrame,
    source: str = "encounters",
    line_offset: int = 2,
    specialties: Iterable[str] | None = None,
    latest: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Check an encounter table against the contract and return a typed copy.

    Parameters
    ----------
    specialties
        When given, the only specialty names accepted (the client's list; a typo gets the closest name).
    latest
        When given, the last date a stay may have (the end of the evaluation period and its follow-up).

    Raises
    ------
    InputError
        Listing every problem with line, column, value and the expected form (not only the first).
    """
    c = Check(df, source, COLUMNS, "an encounter table", line_offset)
    for col in ("encounter_id", "patient_id", "doctor_id", "specialty"):
        c.text(col)
    c.text("procedure", optional=True)
    c.known("specialty", specialties)
    stay_dates(c, latest)
    c.choice("discharge_status", STATUS)
    c.choice("admission_type", ADMISSION)
    c.choice("sex", SEX)
    c.number("age", 0, bound="age")
    diagnosis(c)
    c.number("cost", 0, optional=True, bound="cost")
    c.unique("encounter_id", "stay")
    return c.done()


def stay_dates(c: Check, latest: pd.Timestamp | None = None) -> None:
    """The dates of a stay, as every table of stays has them (this contract and the pool's): admission and
    discharge parsed, discharge not before admission, no stay longer than the plausible bound, and no
    admission after ``latest`` (the evaluation period and its follow-up)."""
    c.date("admission", latest, " (the end of the evaluation period and its follow-up)")
    c.date("discharge")
    out = c.out
    c.flag(
        out["discharge"] < out["admission"],
        "discharge",
        lambda i: f"{out['discharge'].iloc[i]:%Y-%m-%d} is before admission {out['admission'].iloc[i]:%Y-%m-%d}",
    )
    days = (out["discharge"] - out["admission"]).dt.days
    longest = limit("stay_days")
    c.flag(
        days > longest,
        "discharge",
        lambda i: (
            f"a stay of {days.iloc[i]:,.0f} days (admission {out['admission'].iloc[i]:%Y-%m-%d}) is longer than the "
            f"plausible {longest:,.0f}; check both dates, or raise 'limits: {{stay_days: ...}}' if it is real"
        ),
    )


def diagnosis(c: Check, optional: bool = False) -> None:
    """ICD-10 codes checked and written upper case without the dot (``I21.0`` -> ``I210``)."""
    if "diagnosis" not in c.out:
        return
    dx = c.out["diagnosis"].astype("string").str.strip().str.upper()
    bad = ~dx.str.match(ICD10).fillna(False)
    if optional:
        bad &= dx.notna()
    c.flag(
        bad,
        "diagnosis",
        lambda i: (
            f"{c.value('diagnosis', i)} is not an ICD-10 code (letter, 2 digits, optional subcategory, e.g. I21.0)"
        ),
    )
    c.out["diagnosis"] = dx.str.replace(".", "", regex=False)


def planned(enc: pd.DataFrame, rules: Rules = DEFAULT) -> np.ndarray:
    """Stays that are planned admissions: elective (when the rules say so) or with a planned diagnosis."""
    plan = enc["diagnosis"].str.startswith(tuple(rules.planned_diagnoses)).fillna(False).to_numpy()
    if rules.planned_elective:
        plan |= (enc["admission_type"] == "elective").to_numpy(dtype=bool, na_value=False)
    return plan


def _readmission_arrays(enc: pd.DataFrame, rules: Rules) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Aligned with ``enc`` rows: eligible index stay, row of its readmission (-1: none), days to it."""
    window = rules.readmission_window
    order = np.lexsort(
        (
            pd.factorize(enc["encounter_id"], sort=True)[0],
            enc["discharge"].to_numpy(),
            enc["admission"].to_numpy(),
            pd.factorize(enc["patient_id"])[0],
        )
    )
    n = len(enc)
    patient = pd.factorize(enc["patient_id"])[0][order]
    adm, dis = enc["admission"].to_numpy()[order], enc["discharge"].to_numpy()[order]
    # The patient's next unplanned stay in admission order (ties: the later row): a reverse running minimum
    # of the positions of unplanned stays, kept when it falls on the same patient (rows sorted by patient).
    p = np.where(~planned(enc, rules)[order], np.arange(n), n)
    after = np.minimum.accumulate(p[::-1])[::-1]
    j = np.r_[after[1:], n]
    has = j < n
    j = np.minimum(j, n - 1)
    has &= patient[j] == patient
    days = (adm[j] - dis) / np.timedelta64(1, "D")
    hit = has & (days >= 0) & (days <= window)  # an overlapping stay is no readmission
    last = enc["admission"].max()
    ok = (enc["discharge_status"] == "alive").to_numpy(dtype=bool, na_value=False)[order] & (
        dis + np.timedelta64(window, "D") <= last.to_datetime64()
    )
    eligible, row, gap = np.zeros(n, bool), np.full(n, -1), np.full(n, np.nan)
    eligible[order] = ok
    row[order] = np.where(ok & hit, order[j], -1)
    gap[order] = np.where(ok & hit, days, np.nan)
    return eligible, row, gap


def readmissions(enc: pd.DataFrame, rules: Rules = DEFAULT) -> pd.DataFrame:
    """Index stays eligible for the 30-day readmission indicator and their first unplanned readmission.

    Returns one row per eligible index stay: ``encounter_id``, ``readmission_id`` (or NA), ``days``.
    """
    eligible, row, gap = _readmission_arrays(enc, rules)
    ids = enc["encounter_id"].to_numpy(dtype=object)
    rid = np.where(row >= 0, ids[np.maximum(row, 0)], None)
    return pd.DataFrame({"encounter_id": ids[eligible], "readmission_id": rid[eligible], "days": gap[eligible]})


def deliveries(enc: pd.DataFrame, rules: Rules = DEFAULT) -> tuple[np.ndarray, np.ndarray]:
    """(delivery, caesarean) flags per stay from procedure codes, or ICD-10 O80-O84 / O82, O84.2."""
    dx = enc["diagnosis"]
    proc = enc["procedure"] if "procedure" in enc else pd.Series(pd.NA, index=enc.index, dtype="string")
    proc = proc.str.replace(r"[.\-\s]", "", regex=True)
    cs = proc.isin(rules.caesarean_procedures).fillna(False) | dx.str.match(r"^(O82|O842)").fillna(False)
    birth = cs | proc.isin(rules.vaginal_procedures).fillna(False) | dx.str.match(r"^O8[0-4]").fillna(False)
    return birth.to_numpy(), cs.to_numpy()


def trace(enc: pd.DataFrame, rules: Rules = DEFAULT) -> pd.DataFrame:
    """Drill-down: every encounter behind every numerator and denominator, one row per (indicator, stay).

    Columns: ``indicator_id``, ``unit_id``, ``specialty``, ``period`` (month of discharge), ``record_id`` and
    ``encounter_id`` (the stay), ``numerator`` and ``denominator`` (its contributions), ``linked_id`` (the
    readmission).
    """
    period = enc["discharge"].dt.to_period("M").dt.to_timestamp().to_numpy()
    t = Tracer(enc[rules.level], enc["specialty"], period, enc["encounter_id"])
    days = ((enc["discharge"] - enc["admission"]).dt.days).to_numpy()
    death = (enc["discharge_status"] == "death").to_numpy(dtype=bool, na_value=False) & (
        days >= rules.mortality_min_days
    )
    eligible, row, _ = _readmission_arrays(enc, rules)
    birth, cs = deliveries(enc, rules)
    t.add("E01", None, np.maximum(days, 1))
    t.add("F01", None, death)
    t.add("F02", eligible, row >= 0, row)
    if birth.any():
        t.add("F07", birth, cs)
    return t.frame()
