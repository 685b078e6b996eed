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
from ..schemas import limit
from .readers import lines_of, parse_numbers, read_table, shown

COLUMNS = ("period", "org_code", "type", "attendances", "breaches", "admissions")
CLIENT, PROGRAM = "nhs_england", "A&E type-1 departments"


def read(path: str | Path) -> pd.DataFrame:
    """Read and check the raw file: every column present, counts numeric and non-negative,
    breaches and admissions not above attendances."""
    p = Path(path)
    df, dialect = read_table(p)
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError([f"line 1: missing column(s) {missing}; found {[str(c)[:40] for c in df.columns][:30]}"],
                         str(p))  # fmt: skip
    line = lines_of(df)
    problems = []
    for c in ("attendances", "breaches", "admissions"):
        v, why = parse_numbers(df[c], dialect.decimal)
        bad = np.isnan(v) | (v < 0) | (v > limit("denominator"))
        for i in np.flatnonzero(bad)[:20]:
            problems.append(f"line {line[i]}, column '{c}': {shown(df[c].iloc[i])} is not a count in 0.."
                            f"{limit('denominator'):,.0f}{'' if why[i] is None else ' (' + why[i] + ')'}")  # fmt: skip
        df[c] = v
    for c in ("breaches",):
        for i in np.flatnonzero((df[c] > df["attendances"]).to_numpy())[:20]:
            problems.append(f"line {line[i]}, column '{c}': {df[c].iloc[i]} > attendances {df['attendances'].iloc[i]}")
    per = pd.to_datetime(df["period"], format="%Y-%m-%d", errors="coerce")
    for i in np.flatnonzero((per.isna() | (per > pd.Timestamp.now())).to_numpy())[:20]:
        got = shown(df["period"].iloc[i])
        problems.append(f"line {line[i]}, column 'period': {got} is not a past date (YYYY-MM-DD)")
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
