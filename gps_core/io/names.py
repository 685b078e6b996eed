"""Unit names: a client's file of ``unit_id,name`` rows, so that reports name a unit instead of its code.

A unit the file names is shown as ``name (unit_id)``: the code stays beside the name, so the label is unique
and the client can still find the unit in its own systems. A unit the file does not name keeps its code. The
file may name units the data do not hold (a list of every trust of a region, say).

Example: ``data/external/nhs_trust_names.csv``, NHS trust names from NHS Digital's Organisation Data Service,
for the ODS codes of the NHS A&E file.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .readers import lines_of, read_table, shown

COLUMNS = ("unit_id", "name")
LONGEST = 80  # characters of a name: a label longer than this does not fit a chart's axis or a table cell
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def read(path: str | Path) -> pd.Series:
    """Read and check a names file.

    Returns
    -------
    pandas.Series
        The label of each named unit (``name (unit_id)``, or the code when the name is the code), indexed by
        ``unit_id`` as text.

    Raises
    ------
    InputError
        Naming the file, line and column of every problem: a missing column, an empty code or name, a
        name with a line break or control character or longer than 80 characters, a code named twice.
    """
    p = Path(path)
    df, _ = read_table(p)
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        found = ", ".join(shown(c) for c in list(df.columns)[:30])
        raise InputError([f"line 1: missing column(s) {missing}; found {found}; a names file has {list(COLUMNS)}"],
                         str(p))  # fmt: skip
    line = lines_of(df)
    code = df["unit_id"].astype("string").str.strip()
    name = df["name"].astype("string").str.strip()
    problems: list[str] = []
    for col, s in (("unit_id", code), ("name", name)):
        for i in np.flatnonzero(s.isna().to_numpy() | (s == "").fillna(True).to_numpy())[:20]:
            problems.append(f"line {line[i]}, column '{col}': empty; every row needs a unit_id and its name")
        bad = s.str.contains(CONTROL).fillna(False).to_numpy()
        for i in np.flatnonzero(bad)[:20]:
            problems.append(f"line {line[i]}, column '{col}': {shown(s.iloc[i])} holds a line break or control "
                            "character; write it on one line")  # fmt: skip
    for i in np.flatnonzero((name.str.len() > LONGEST).fillna(False).to_numpy())[:20]:
        problems.append(f"line {line[i]}, column 'name': {shown(name.iloc[i])} is longer than {LONGEST} "
                        "characters; shorten it (the code is shown beside it)")  # fmt: skip
    twice = code.duplicated(keep=False) & code.notna()
    for i in np.flatnonzero(twice.to_numpy())[:20]:
        problems.append(f"line {line[i]}, column 'unit_id': {shown(code.iloc[i])} is named more than once; "
                        "keep one row per unit")  # fmt: skip
    if problems:
        raise InputError(problems, str(p))
    label = (name + " (" + code + ")").where(name != code, code)
    return pd.Series(label.to_numpy(str), index=pd.Index(code.to_numpy(str), name="unit_id"), name="label")


def relabel(s: pd.Series, labels: pd.Series) -> pd.Series:
    """A column of unit codes with each named unit's label in place of its code (a categorical column stays
    categorical, relabelled through its categories)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = pd.Index(s.cat.categories.astype(str))
        return s.cat.rename_categories(cats.map(lambda c: labels.get(c, c)))
    text = s.astype(str)
    return text.map(labels).fillna(text).where(s.notna(), s)


def clashes(codes, labels: pd.Series) -> list[str]:
    """Labels that would merge two units: a unit's label equal to another unit's code."""
    have = {str(c) for c in codes}
    return sorted(f"{c} -> {labels[c]}" for c in have & set(labels.index) if labels[c] != c and labels[c] in have)
