"""CMS DE-SynPUF Beneficiary Summary Files read as a plan's tables (METHODS 10; ``data/external/MANIFEST.md``).

One file per year (``beneficiary_<year>.csv``), one row per beneficiary. What the plan tables take:

- ``members``: ``DESYNPUF_ID``, sex (1 = male, 2 = female), birth year, state (SSA code) and its Census
  region (the "panel" the rates are reported by);
- ``eligibility``: fee-for-service months = min(Part A, Part B months) - HMO months, floored at 0. Claims
  of months in an HMO are not in the file, so those months carry no cost and cannot be modelled;
- ``costs``: Medicare reimbursement, inpatient + outpatient + carrier; a negative net amount (claim
  adjustments) is set to 0 and counted in ``attrs["negative"]``;
- ``conditions``: the 11 chronic-condition flags ``SP_*`` (1 = yes, 2 = no) and ESRD, per year;
- ``diagnoses``: one representative ICD-10-CM code per condition (:data:`PROXY`), only so that the CMS-HCC
  comparator can be scored. The file has no diagnosis codes; the local models use the flags themselves.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..contract import Check
from ..errors import InputError
from ..io.readers import read_table

# flag column: (condition name, representative ICD-10-CM code for the CMS comparator). Codes: the
# unspecified code of the condition; RA_OA takes osteoarthritis (M19.90), far the commoner of the two,
# and depression F32.9, so both carry no payment HCC, as most such members would not in CMS's model.
PROXY = {
    "SP_ALZHDMTA": ("alzheimer", "G30.9"),
    "SP_CHF": ("heart_failure", "I50.9"),
    "SP_CHRNKIDN": ("kidney", "N18.30"),
    "SP_CNCR": ("cancer", "C50.919"),
    "SP_COPD": ("copd", "J44.9"),
    "SP_DEPRESSN": ("depression", "F32.9"),
    "SP_DIABETES": ("diabetes", "E11.9"),
    "SP_ISCHMCHT": ("ischemic_heart", "I25.10"),
    "SP_OSTEOPRS": ("osteoporosis", "M81.0"),
    "SP_RA_OA": ("arthritis", "M19.90"),
    "SP_STRKETIA": ("stroke", "I63.9"),
    "BENE_ESRD_IND": ("esrd", "N18.6"),
}
COST = ["MEDREIMB_IP", "MEDREIMB_OP", "MEDREIMB_CAR"]
MONTHS = ["BENE_HI_CVRAGE_TOT_MONS", "BENE_SMI_CVRAGE_TOT_MONS", "BENE_HMO_CVRAGE_TOT_MONS"]
# SSA state codes in SynPUF's codebook: alphabetical by state name, DC at 09, PR 40, VI 48, 54 others
STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC "
    "ND OH OK OR PA PR RI SC SD TN TX UT VT VI VA WA WV WI WY other"
).split()
REGIONS = {
    "Northeast": "CT ME MA NH RI VT NJ NY PA",
    "Midwest": "IL IN MI OH WI IA KS MN MO NE ND SD",
    "South": "DE DC FL GA MD NC SC VA WV AL KY MS TN AR LA OK TX",
    "West": "AZ CO ID MT NV NM UT WY AK CA HI OR WA",
}
REGION_OF = {s: r for r, states in REGIONS.items() for s in states.split()}


def _year(path: Path, year: int) -> pd.DataFrame:
    raw, _ = read_table(path)
    c = Check(raw, str(path), ["DESYNPUF_ID", "BENE_BIRTH_DT", "BENE_SEX_IDENT_CD", "SP_STATE_CODE", *MONTHS,
                               *PROXY, *COST], "a SynPUF beneficiary summary file")  # fmt: skip
    c.text("DESYNPUF_ID")
    c.unique("DESYNPUF_ID", "beneficiary")
    c.number("BENE_BIRTH_DT", 18_000_101, 21_001_231, integer=True)
    c.choice("BENE_SEX_IDENT_CD", {"1": "M", "2": "F"})
    c.number("SP_STATE_CODE", 1, 54, integer=True)
    for m in MONTHS:
        c.number(m, 0, 12, integer=True)
    for f in PROXY:
        c.choice(f, {"0": "0", "y": "Y"} if f == "BENE_ESRD_IND" else {"1": "1", "2": "2"})
    for a in COST:
        c.number(a, -1e7, 1e8)
    d = c.done()
    for f in PROXY:
        d[f] = d[f].isin(["1", "Y"])
    d["year"] = year
    return d


def read(folder: str | Path, years: list[int]) -> tuple[dict[str, pd.DataFrame], list[Path]]:
    """The plan tables of the SynPUF beneficiary files of ``years`` in ``folder``, and the files read.

    Raises
    ------
    InputError
        A missing file, or every bad row of every file with its line and column; a beneficiary whose sex or
        birth date differs between years.
    """
    folder = Path(folder)
    paths = [folder / f"beneficiary_{y}.csv" for y in years]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise InputError([f"file not found: {m}" for m in missing], str(folder))
    frames, problems = [], []
    for y, p in zip(years, paths, strict=True):
        try:
            frames.append(_year(p, y))
        except InputError as e:
            problems += [f"{p.name}: {x}" for x in e.problems]
    if problems:
        raise InputError(problems, str(folder))
    d = pd.concat(frames, ignore_index=True)
    d["birth_year"] = (d["BENE_BIRTH_DT"] // 10_000).astype(int)
    first = d.drop_duplicates("DESYNPUF_ID")
    for col in ("BENE_SEX_IDENT_CD", "birth_year"):
        n = d.groupby("DESYNPUF_ID")[col].nunique()
        if (n > 1).any():
            raise InputError([f"beneficiary {i!r}: '{col}' differs between years" for i in n.index[n > 1][:20]],
                             str(folder))  # fmt: skip
    state = np.asarray(STATES)[first["SP_STATE_CODE"].astype(int).to_numpy() - 1]
    members = pd.DataFrame(
        {
            "member_id": first["DESYNPUF_ID"].to_numpy(),
            "sex": first["BENE_SEX_IDENT_CD"].to_numpy(),
            "birth_year": first["birth_year"].to_numpy(),
            "state": state,
            "region": [REGION_OF.get(s, "Other") for s in state],
        }
    )
    a, b, hmo = (d[m].to_numpy(int) for m in MONTHS)
    elig = pd.DataFrame(
        {"member_id": d["DESYNPUF_ID"], "year": d["year"], "months": np.maximum(np.minimum(a, b) - hmo, 0)}
    )
    amount = d[COST].sum(axis=1).to_numpy()
    costs = pd.DataFrame({"member_id": d["DESYNPUF_ID"], "year": d["year"], "amount": np.maximum(amount, 0.0)})
    costs.attrs["negative"] = int((amount < 0).sum())
    cond = pd.DataFrame({"member_id": d["DESYNPUF_ID"], "year": d["year"],
                         **{name: d[f].to_numpy(bool) for f, (name, _) in PROXY.items()}})  # fmt: skip
    dx = [
        pd.DataFrame({"member_id": d["DESYNPUF_ID"][d[f]], "year": d["year"][d[f]], "code": code})
        for f, (_, code) in PROXY.items()
    ]
    diagnoses = pd.concat(dx, ignore_index=True)
    keep = elig["months"] > 0
    return {
        "members": members,
        "eligibility": elig[keep].reset_index(drop=True),
        "diagnoses": diagnoses,
        "costs": costs,
        "conditions": cond,
    }, paths
