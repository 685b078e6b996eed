"""Definitions and attribution rules of the indicators derived from record-level files (a params section),
and the :class:`Tracer` that records which record adds what to which unit.

The defaults follow the technical sheets; a client contract may change any of them, and the report prints
the rules it used.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd

# SIGTAP (SUS procedure table) codes of deliveries: 04.11.01.003-4 parto cesariano, 04.11.01.002-6 parto
# cesariano em gestação de alto risco, 04.11.01.004-2 parto cesariano com laqueadura tubária;
# 03.10.01.003-9 parto normal, 03.10.01.004-7 parto normal em gestação de alto risco, 03.10.01.005-5 parto
# normal em centro de parto normal.
CAESAREAN = ("0411010034", "0411010026", "0411010042")
VAGINAL = ("0310010039", "0310010047", "0310010055")


@dataclass(frozen=True)
class Rules:
    """How records become numerators and denominators, and to whom they are attributed.

    Attributes
    ----------
    level
        Unit a record is attributed to: the discharging doctor (``doctor_id``) or their ``specialty``;
        readmissions go to the unit that discharged the index stay (CMS).
    readmission_window
        Days after discharge in which a readmission counts (exactly this many days counts).
    planned_elective
        An elective readmission is planned (not counted).
    planned_diagnoses
        ICD-10 prefixes of planned readmissions whatever the admission type: Z49 dialysis, Z50
        rehabilitation, Z51 chemotherapy and radiotherapy sessions (CMS "always planned" groups).
    mortality_min_days
        Deaths before this many days of stay are excluded from in-hospital mortality (1 = the 24 h rule,
        from dates).
    caesarean_procedures, vaginal_procedures
        Procedure codes of deliveries; ICD-10 O82 / O84.2 (caesarean) and O80-O84 (any delivery) count
        too, for files without procedure codes.
    surgery_to
        Surgical indicators go to the ``surgeon`` (and the surgeon's specialty) or to the ``discharging``
        doctor of the stay.
    surgery_window
        Days after a surgery for unplanned return to theatre and surgical mortality.
    ssi_wound_classes
        Wound classes in the surgical-site-infection denominator (NHSN: clean surgeries).
    """

    level: Literal["doctor_id", "specialty"] = "doctor_id"
    readmission_window: int = 30
    planned_elective: bool = True
    planned_diagnoses: tuple[str, ...] = ("Z49", "Z50", "Z51")
    mortality_min_days: int = 1
    caesarean_procedures: tuple[str, ...] = CAESAREAN
    vaginal_procedures: tuple[str, ...] = VAGINAL
    surgery_to: Literal["surgeon", "discharging"] = "surgeon"
    surgery_window: int = 30
    ssi_wound_classes: tuple[str, ...] = ("clean",)

    def describe(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


DEFAULT = Rules()


def _strings(values) -> pd.api.extensions.ExtensionArray:
    return pd.array(np.asarray(values, dtype=object) if isinstance(values, np.ndarray) else values, dtype="str")


class Tracer:
    """Builds the drill-down rows of one record table: which record adds what to which unit, month and
    indicator. Units and specialties are categorical codes and ids are taken from one Arrow string array,
    so a million-record trace costs integer takes, not a million Python strings per column."""

    def __init__(self, unit, specialty, period, record_ids, encounter_ids=None):
        self.unit, self.spec = pd.Categorical(unit), pd.Categorical(specialty)
        self.period = np.asarray(period)
        self.ids = _strings(record_ids)
        self.eids = self.ids if encounter_ids is None else _strings(encounter_ids)
        self.parts: list[tuple[str, np.ndarray, np.ndarray, object]] = []

    def add(self, indicator: str, keep, numerator, linked=None) -> None:
        """Rows for the records where ``keep`` holds (None: all). ``linked``: positions of linked records in
        this table (-1: none), or ids aligned with this table (missing: none)."""
        rows = np.arange(len(self.ids)) if keep is None else np.flatnonzero(np.asarray(keep, bool))
        if linked is None:
            link = pd.array([None] * len(rows), dtype="str")
        elif isinstance(linked, np.ndarray) and linked.dtype.kind in "iu":
            link = self.ids.take(linked[rows], allow_fill=True)
        else:
            link = _strings(linked).take(rows)
        self.parts.append((indicator, rows, np.asarray(numerator, float)[rows], link))

    def frame(self) -> pd.DataFrame:
        """All rows, ``indicator_id`` first."""
        rows = np.concatenate([r for _, r, _, _ in self.parts])
        names = pd.Index([n for n, *_ in self.parts])
        uniq = names.unique()
        sizes = [len(r) for _, r, _, _ in self.parts]
        return pd.DataFrame(
            {
                "indicator_id": pd.Categorical.from_codes(np.repeat(uniq.get_indexer(names), sizes), categories=uniq),
                "unit_id": pd.Categorical.from_codes(self.unit.codes[rows], dtype=self.unit.dtype),
                "specialty": pd.Categorical.from_codes(self.spec.codes[rows], dtype=self.spec.dtype),
                "period": self.period[rows],
                "record_id": self.ids.take(rows),
                "encounter_id": self.eids.take(rows),
                "numerator": np.concatenate([x for _, _, x, _ in self.parts]),
                "denominator": 1.0,
                "linked_id": type(self.ids)._concat_same_type([lk for *_, lk in self.parts]),
            }
        )


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack trace frames keeping text columns categorical (pandas falls back to strings when the
    categories differ, which costs a string per row)."""
    from pandas.api.types import union_categoricals

    frames = [f for f in frames if len(f)] or frames[:1]
    out = pd.concat(frames, ignore_index=True)
    for c in frames[0].columns:
        if all(isinstance(f[c].dtype, pd.CategoricalDtype) for f in frames):
            cats = [f[c].array for f in frames]
            if len({str(x.categories.dtype) for x in cats}) > 1:  # e.g. an all-empty column: text categories
                cats = [pd.Categorical.from_codes(x.codes, x.categories.astype("str")) for x in cats]
            out[c] = union_categoricals(cats, ignore_order=True)
    return out
