"""NHS England A&E attendances and emergency admissions (NHSRdatasets ``ae_attendances``) as a client.

Each provider's department of the chosen type is an evaluated unit; two indicators per month:
``AE4H`` (seen within 4 hours = (attendances - breaches) / attendances, the NHS Constitution standard) and
``AECONV`` (admission conversion = admissions / attendances).

References
----------
NHS England, A&E Attendances and Emergency Admissions, monthly statistics (Open Government Licence v3.0);
NHSRdatasets R package, ``ae_attendances``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

COLUMNS = ("period", "org_code", "type", "attendances", "breaches", "admissions")
CLIENT, PROGRAM = "nhs_england", "A&E type-1 departments"


def read(path: str | Path) -> pd.DataFrame:
    """Read and check the raw file: every column present, counts numeric and non-negative,
    breaches and admissions not above attendances."""
    p = Path(path)
    if not p.is_file():
        raise InputError(["file not found"], str(p))
    df = pd.read_csv(p, dtype={"org_code": str, "type": str})
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError([f"missing column(s) {missing}; found {list(df.columns)}"], str(p))
    problems = []
    for c in ("attendances", "breaches", "admissions"):
        v = pd.to_numeric(df[c], errors="coerce")
        for i in np.flatnonzero((v.isna() | (v < 0)).to_numpy())[:20]:
            problems.append(f"line {i + 2}, column '{c}': '{df[c].iloc[i]}' is not a count >= 0")
        df[c] = v
    for c in ("breaches",):
        for i in np.flatnonzero((df[c] > df["attendances"]).to_numpy())[:20]:
            problems.append(f"line {i + 2}, column '{c}': {df[c].iloc[i]} > attendances {df['attendances'].iloc[i]}")
    per = pd.to_datetime(df["period"], errors="coerce")
    for i in np.flatnonzero(per.isna().to_numpy())[:20]:
        problems.append(f"line {i + 2}, column 'period': '{df['period'].iloc[i]}' is not a date (YYYY-MM-DD)")
    if problems:
        raise InputError(problems, str(p))
    df["period"] = per.dt.to_period("M").dt.to_timestamp()
    return df


def england_four_hour(raw: pd.DataFrame, start: pd.Timestamp, months: int) -> float:
    """England's 4-hour performance (all department types) over a window, in %: the published headline
    (88.0 % in 2018/19, MANIFEST)."""
    win = raw[(raw["period"] >= start) & (raw["period"] < pd.Timestamp(start) + pd.DateOffset(months=months))]
    return float(100 * (1 - win["breaches"].sum() / win["attendances"].sum()))


def to_measurements(raw: pd.DataFrame, department_type: str = "1") -> pd.DataFrame:
    """Long measurements table (two indicators per provider and month) for one department type."""
    d = raw[raw["type"] == department_type]
    base = {
        "client": CLIENT,
        "program": PROGRAM,
        "unit_id": d["org_code"].to_numpy(),
        "unit_type": f"type_{department_type}_department",
        "specialty": f"A&E type {department_type}",
        "period": d["period"].to_numpy(),
    }
    four = pd.DataFrame(
        {
            **base,
            "indicator_id": "AE4H",
            "numerator": (d["attendances"] - d["breaches"]).to_numpy(),
            "denominator": d["attendances"].to_numpy(),
        }
    )
    conv = pd.DataFrame(
        {
            **base,
            "indicator_id": "AECONV",
            "numerator": d["admissions"].to_numpy(),
            "denominator": d["attendances"].to_numpy(),
        }
    )
    return pd.concat([four, conv], ignore_index=True)
