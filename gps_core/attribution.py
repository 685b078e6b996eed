"""Definitions and attribution rules of the indicators derived from record-level files (a params section).

The defaults follow the technical sheets; a client contract may change any of them, and the report prints
the rules it used.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

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
