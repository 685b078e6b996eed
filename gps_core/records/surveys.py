"""Patient-experience survey answers: their contract and the experience indicators computed from them.

Contract (one row per returned questionnaire; a blank answer is "not answered" and leaves that question's
denominator):

======================  ====================================================================================
response_id             unique id of the questionnaire
date                    date answered, ``YYYY-MM-DD`` or ``DD/MM/YYYY``
doctor_id, specialty    the doctor and specialty the stay is attributed to
encounter_id            optional: the stay surveyed (needed for the response rate)
recommend               0-10: how likely to recommend the hospital (Net Promoter Score question)
overall                 1-5: overall satisfaction
doctor_communication    1-5: doctors explained things in a way you could understand
pain                    1-5: pain was well controlled
medicines               1-5: staff explained new medicines
discharge_info          1-5: you were given information for after discharge
======================  ====================================================================================

Indicators, per unit and month of the answer:

- ``X01`` overall satisfaction, ``X05``-``X08`` the four questions: top-2-box, answers 4 or 5 / answers.
- ``X02`` Net Promoter Score: (promoters 9-10 minus detractors 0-6) / answers, -100..100.
- ``X11`` response rate (when encounters are given and answers name their stay): stays discharged alive in
  the month that returned a questionnaire / stays discharged alive in the month.

References
----------
Reichheld F.F. (2003) The one number you need to grow. Harvard Business Review 81(12):46-54 (NPS).
CMS HCAHPS: top-box scoring of the communication, pain, medicines and discharge-information composites.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..contract import Check
from .attribution import DEFAULT, Rules, Tracer, concat

COLUMNS = ("response_id", "date", "doctor_id", "specialty", "recommend", "overall")
TOP_BOX = {
    "X01": "overall",
    "X05": "doctor_communication",
    "X06": "pain",
    "X07": "medicines",
    "X08": "discharge_info",
}


def validate(
    df: pd.DataFrame,
    source: str = "surveys",
    specialties: Iterable[str] | None = None,
    line_offset: int = 2,
    encounters: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Check a survey-answers table and return a typed copy; given the validated encounters, an answer's
    ``encounter_id`` must be one of their stays (an orphan would silently fall out of the response rate).

    Raises
    ------
    InputError
        Listing every problem with line, column, value and the expected form.
    """
    c = Check(df, source, COLUMNS, "a survey-answers table", line_offset)
    for col in ("response_id", "doctor_id", "specialty"):
        c.text(col)
    c.text("encounter_id", optional=True)
    c.known("specialty", specialties)
    c.date("date")
    c.number("recommend", 0, 10, optional=True, integer=True)
    for col in TOP_BOX.values():
        c.number(col, 1, 5, optional=True, integer=True)
    c.unique("response_id", "questionnaire")
    if encounters is not None and "encounter_id" in c.out:
        e = c.out["encounter_id"]
        c.flag(
            (e.notna() & ~e.isin(encounters["encounter_id"])).fillna(False),
            "encounter_id",
            lambda i: f"{c.value('encounter_id', i)} is not a stay of the encounter file",
        )
    return c.done()


def trace(answers: pd.DataFrame, encounters: pd.DataFrame | None = None, rules: Rules = DEFAULT) -> pd.DataFrame:
    """Drill-down of X01, X02, X05-X08 (and X11): one row per (indicator, questionnaire or stay), columns as
    :func:`gps_core.records.encounters.trace` (``record_id`` is the response id)."""
    period = answers["date"].dt.to_period("M").dt.to_timestamp().to_numpy()
    eids = answers["encounter_id"] if "encounter_id" in answers else None
    t = Tracer(answers[rules.level], answers["specialty"], period, answers["response_id"], eids)
    for ind, col in TOP_BOX.items():
        if col in answers:
            v = answers[col].to_numpy(float)
            t.add(ind, ~np.isnan(v), v >= 4)
    r = answers["recommend"].to_numpy(float)
    t.add("X02", ~np.isnan(r), (r >= 9).astype(float) - (r <= 6))
    parts = [t.frame()]
    if encounters is not None and "encounter_id" in answers:
        # Response rate: every stay discharged alive, answered or not (attributed as the stay is).
        alive = encounters[encounters["discharge_status"] == "alive"].reset_index(drop=True)
        resp = answers.dropna(subset=["encounter_id"]).drop_duplicates("encounter_id").set_index("encounter_id")
        linked = resp["response_id"].reindex(alive["encounter_id"]).array
        period = alive["discharge"].dt.to_period("M").dt.to_timestamp().to_numpy()
        s = Tracer(alive[rules.level], alive["specialty"], period, alive["encounter_id"])
        s.add("X11", None, ~pd.isna(linked), linked)
        parts.append(s.frame())
    return concat(parts)
