"""The contract of a health plan's files (members, eligibility, diagnoses, costs): every problem named
with its file, line and column before anything is computed."""

from __future__ import annotations

import pandas as pd

from ..contract import Check
from ..errors import InputError
from .hcc import SEX

COLUMNS = {
    "members": ["member_id", "sex", "birth_year"],
    "eligibility": ["member_id", "year", "months"],
    "diagnoses": ["member_id", "year", "code"],
    "costs": ["member_id", "year", "amount"],
}


def validate(tables: dict[str, pd.DataFrame], sources: dict[str, str]) -> dict[str, pd.DataFrame]:
    """Typed tables, or one :class:`InputError` listing the problems of all four files."""
    out, problems = {}, []
    for name, need in COLUMNS.items():
        try:
            c = Check(tables[name], sources[name], need, f"a plan's {name} file")
            c.text("member_id")
            if name == "members":
                c.choice("sex", SEX)
                c.number("birth_year", 1900, 2100, integer=True)
                c.unique("member_id", "member")
            else:
                c.number("year", 1990, 2100, integer=True)
                if "members" in out:  # a row of a member the plan does not have would be dropped by the joins
                    known = out["members"]["member_id"]
                    c.flag(
                        ~c.out["member_id"].isin(known).fillna(True),
                        "member_id",
                        lambda i, c=c: (
                            f"{c.value('member_id', i)} is not in the member file {sources['members']}; "
                            "add the member or remove the row"
                        ),
                    )
            if name == "eligibility":
                c.number("months", 0, 12, integer=True)
            if name == "diagnoses":
                c.text("code")
            if name == "costs":
                c.number("amount", 0, bound="cost")
                c.text("specialty", optional=True)  # optional: costs by specialty, for specialty bundles
            out[name] = c.done()
        except InputError as e:
            problems += [f"{sources[name]}: {p}" for p in e.problems]
    if problems:
        raise InputError(problems, "plan files")
    for name in ("eligibility", "diagnoses", "costs"):
        out[name]["year"] = out[name]["year"].astype(int)
    out["eligibility"]["months"] = out["eligibility"]["months"].astype(int)
    out["members"]["birth_year"] = out["members"]["birth_year"].astype(int)
    return out
