"""Real public data as pool contributors (``data/external``, MANIFEST.md).

- NHS England A&E: every provider with a type-1 department is a contributor (its own "client"), sized by its
  attendances in the period (thirds: small, medium, large); the units are its type-1 departments.
- CMS HRRP FY2026: per hospital and condition, CMS's excess readmission ratio is predicted / expected
  readmissions from its hierarchical model; with the discharges, ``O = discharges x predicted rate`` and
  ``E = discharges x expected rate`` give the O/E funnel of each condition (METHODS 7), O/E = CMS's ERR.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..capitation.synpuf import REGION_OF
from ..errors import InputError
from ..io import nhs_ae
from ..io.readers import lines_of, read_table, shown

HRRP_COLUMNS = ("Facility ID", "State", "Measure Name", "Number of Discharges", "Excess Readmission Ratio",
                "Predicted Readmission Rate", "Expected Readmission Rate")  # fmt: skip
CONDITIONS = {"AMI": "Acute myocardial infarction", "HF": "Heart failure", "PN": "Pneumonia", "COPD": "COPD",
              "CABG": "CABG surgery", "HIP-KNEE": "Hip/knee replacement"}  # fmt: skip


def nhs_ae_clients(path: str | Path, start: str, months: int) -> list[tuple[str, dict, pd.DataFrame]]:
    """``(provider, segment, measurements)`` of every provider with type-1 attendances in the window."""
    raw = nhs_ae.read(path)
    lo = pd.Timestamp(start)
    win = raw[(raw["period"] >= lo) & (raw["period"] < lo + pd.DateOffset(months=months))]
    m = nhs_ae.to_measurements(win, "1")
    m = m[m["denominator"] > 0]
    vol = m[m["indicator_id"] == "AE4H"].groupby("unit_id")["denominator"].sum()
    size = pd.qcut(vol, 3, labels=["small", "medium", "large"]).astype(str)
    out = []
    for org, g in m.groupby("unit_id", sort=True):
        seg = {"client_type": "NHS provider (type-1 A&E)", "size": size[org], "region": None}
        out.append((str(org), seg, g.assign(client=str(org)).reset_index(drop=True)))
    return out


def hrrp(path: str | Path) -> pd.DataFrame:
    """One row per hospital and condition with discharges, O, E, CMS's ERR and the census region; rows CMS
    left blank (too few cases) are dropped and counted in ``attrs['blank']``."""
    p = Path(path)
    d, _ = read_table(p)
    d = d.fillna("")
    line = lines_of(d)
    missing = [c for c in HRRP_COLUMNS if c not in d.columns]
    if missing:
        raise InputError([f"missing column(s) {missing}; found {list(d.columns)}"], str(p))
    num = {c: pd.to_numeric(d[c].replace({"N/A": ""}), errors="coerce") for c in HRRP_COLUMNS[3:]}
    problems = []
    for c, v in num.items():
        bad = v.isna() & ~d[c].isin(["", "N/A"])
        for i in np.flatnonzero(bad.to_numpy())[:20]:
            problems.append(f"line {line[i]}, column '{c}': {shown(d[c].iloc[i])} is not a number")
        neg = (v < 0) | np.isinf(v)
        for i in np.flatnonzero(neg.to_numpy())[:20]:
            problems.append(f"line {line[i]}, column '{c}': {v.iloc[i]} is negative or not finite")
    if problems:
        raise InputError([*problems, "fix these rows (CMS leaves blanks for too few cases)"], str(p))
    full = pd.concat(num, axis=1).notna().all(axis=1).to_numpy()
    n = num["Number of Discharges"][full]
    out = pd.DataFrame(
        {
            "hospital": d["Facility ID"][full].to_numpy(),
            "state": d["State"][full].to_numpy(),
            "region": d["State"][full].map(REGION_OF).fillna("Other").to_numpy(),
            "condition": d["Measure Name"][full].str.removeprefix("READM-30-").str.removesuffix("-HRRP").to_numpy(),
            "discharges": n.to_numpy(),
            "observed": (n * num["Predicted Readmission Rate"][full] / 100).to_numpy(),
            "expected": (n * num["Expected Readmission Rate"][full] / 100).to_numpy(),
            "err": num["Excess Readmission Ratio"][full].to_numpy(),
        }
    )
    out.attrs["blank"] = int((~full).sum())
    out.attrs["source"] = str(p)
    return out
