"""Surgical events: their contract and the surgical indicators computed from them.

Contract (one row per operation):

================  ==========================================================================================
surgery_id        unique id of the operation
encounter_id      the stay it happened in (an id of the encounter file)
patient_id        patient pseudonym (returns to theatre link on it)
date              ``YYYY-MM-DD`` or ``DD/MM/YYYY``
surgeon_id        the operating surgeon
specialty         the surgeon's specialty
procedure         procedure code (any coding)
wound_class       ``clean`` | ``clean-contaminated`` | ``contaminated`` | ``dirty`` (``limpa``,
                  ``potencialmente contaminada``, ``contaminada``, ``infectada``)
planned           was this operation planned? ``yes``/``no`` (``sim``/``não``, 1/0); an unplanned operation
                  after another one is a return to theatre
ssi               surgical site infection within 30 days (90 with an implant): ``yes``/``no``
asa               optional: ASA physical status 1-5 (a risk factor of SSI and mortality)
================  ==========================================================================================

Indicators, per unit and month of the operation (attributed to the surgeon or to the discharging doctor,
:class:`~gps_core.records.attribution.Rules`):

- ``F03`` surgical site infection: clean operations with an SSI / clean operations (NHSN).
- ``F04`` unplanned return to theatre: operations followed by an unplanned operation on the same patient
  within 30 days / operations with complete follow-up (ACHS).
- ``F13`` 30-day surgical mortality: first operations of a stay whose stay ended in death within 30 days of
  the operation / first operations (in-hospital deaths only: deaths after discharge are not in the files).

References
----------
CDC NHSN Patient Safety Component Manual, ch. 9 (SSI; wound classes). ACHS Clinical Indicator Program,
Surgery: unplanned return to the operating room. ACS NSQIP 30-day mortality.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..contract import Check
from .attribution import DEFAULT, Rules, Tracer

COLUMNS = (
    "surgery_id",
    "encounter_id",
    "patient_id",
    "date",
    "surgeon_id",
    "specialty",
    "procedure",
    "wound_class",
    "planned",
    "ssi",
)
WOUND = {
    "clean": "clean",
    "limpa": "clean",
    "clean-contaminated": "clean-contaminated",
    "potencialmente contaminada": "clean-contaminated",
    "contaminated": "contaminated",
    "contaminada": "contaminated",
    "dirty": "dirty",
    "infectada": "dirty",
    "suja": "dirty",
}


def validate(
    df: pd.DataFrame,
    source: str = "surgeries",
    encounters: pd.DataFrame | None = None,
    specialties: Iterable[str] | None = None,
    line_offset: int = 2,
) -> pd.DataFrame:
    """Check a surgical-events table (and, given the validated encounters, that each operation belongs to a
    stay of the same patient and falls inside it).

    Raises
    ------
    InputError
        Listing every problem with line, column, value and the expected form.
    """
    c = Check(df, source, COLUMNS, "a surgical-events table", line_offset)
    for col in ("surgery_id", "encounter_id", "patient_id", "surgeon_id", "specialty", "procedure"):
        c.text(col)
    c.known("specialty", specialties)
    c.date("date")
    c.choice("wound_class", WOUND)
    c.yes_no("planned")
    c.yes_no("ssi")
    c.number("asa", 1, 5, optional=True, integer=True)
    c.unique("surgery_id", "operation")
    out = c.out
    if encounters is not None:
        enc = encounters.set_index("encounter_id")
        pos = enc.index.get_indexer(out["encounter_id"].fillna(""))
        c.flag(
            pos < 0,
            "encounter_id",
            lambda i: f"{c.value('encounter_id', i)} is not a stay of the encounter file",
        )
        ok = pos >= 0
        p = np.maximum(pos, 0)
        other = ok & (enc["patient_id"].to_numpy()[p] != out["patient_id"].to_numpy())
        c.flag(other, "patient_id", lambda i: f"{c.value('patient_id', i)} differs from the stay's patient")
        adm, dis = enc["admission"].to_numpy()[p], enc["discharge"].to_numpy()[p]
        d = out["date"].to_numpy()
        outside = ok & ~np.isnat(d) & ((d < adm) | (d > dis))
        c.flag(
            outside,
            "date",
            lambda i: (
                f"{out['date'].iloc[i]:%Y-%m-%d} is outside its stay "
                f"({pd.Timestamp(adm[i]):%Y-%m-%d}..{pd.Timestamp(dis[i]):%Y-%m-%d})"
            ),
        )
    return c.done()


def returns(surg: pd.DataFrame, rules: Rules = DEFAULT) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Aligned with ``surg`` rows: follow-up complete, row of the unplanned return (-1: none), days to it."""
    order = np.lexsort((surg["surgery_id"].to_numpy(), surg["date"].to_numpy(), pd.factorize(surg["patient_id"])[0]))
    s = surg.iloc[order].reset_index(drop=True)
    patient = pd.factorize(s["patient_id"])[0]
    # Next unplanned operation of the same patient, by shift and backward fill within the patient.
    pos = pd.Series(np.where(~s["planned"].to_numpy(bool), np.arange(len(s)), np.nan))
    nxt = pos.groupby(patient).shift(-1).groupby(patient).bfill()
    has = nxt.notna().to_numpy()
    j = nxt.fillna(0).astype(int).to_numpy()
    days = (s["date"].to_numpy()[j] - s["date"].to_numpy()) / np.timedelta64(1, "D")
    hit = has & (days <= rules.surgery_window)
    complete = s["date"].to_numpy() + np.timedelta64(rules.surgery_window, "D") <= surg["date"].max().to_datetime64()
    follow, row, gap = np.zeros(len(s), bool), np.full(len(s), -1), np.full(len(s), np.nan)
    follow[order] = complete
    row[order] = np.where(complete & hit, order[j], -1)
    gap[order] = np.where(complete & hit, days, np.nan)
    return follow, row, gap


def trace(surg: pd.DataFrame, encounters: pd.DataFrame, rules: Rules = DEFAULT) -> pd.DataFrame:
    """Drill-down of F03, F04 and F13: one row per (indicator, operation), columns as
    :func:`gps_core.records.encounters.trace` (``record_id`` is the surgery id)."""
    enc = encounters.set_index("encounter_id")
    p = enc.index.get_indexer(surg["encounter_id"])
    if rules.surgery_to == "surgeon":
        unit = surg["surgeon_id" if rules.level == "doctor_id" else "specialty"]
        spec = surg["specialty"]
    else:
        unit = enc[rules.level].take(p)
        spec = enc["specialty"].take(p)
    period = surg["date"].dt.to_period("M").dt.to_timestamp().to_numpy()
    t = Tracer(unit, spec, period, surg["surgery_id"], surg["encounter_id"])
    clean = surg["wound_class"].isin(rules.ssi_wound_classes).to_numpy()
    follow, row, _ = returns(surg, rules)
    stay = pd.factorize(surg["encounter_id"])[0]
    order = np.lexsort((pd.factorize(surg["surgery_id"])[0], surg["date"].to_numpy(), stay))
    first = np.zeros(len(surg), bool)
    first[order] = np.r_[True, stay[order][1:] != stay[order][:-1]]
    died = enc["discharge_status"].to_numpy()[p] == "death"
    to_death = (enc["discharge"].to_numpy()[p] - surg["date"].to_numpy()) / np.timedelta64(1, "D")
    death = died & (to_death <= rules.surgery_window)
    t.add("F03", clean, surg["ssi"].to_numpy(bool))
    t.add("F04", follow, row >= 0, row)
    t.add("F13", first, death, t.eids.take(np.where(death, np.arange(len(surg)), -1), allow_fill=True))
    return t.frame()
