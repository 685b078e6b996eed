"""The client's finance file: the amount each unit received in the cycle, the base of an additional
percentage or a withhold, and for a per-point rule its list size and prevalence (METHODS 12).

Column names are the params' (:class:`~gps_core.params.AmountFile`), so an export is used as it comes.
Every unit of the evaluation must be in the file and every unit of the file in the evaluation: a payout
computed on a partial file would silently pay some units nothing.
"""

from __future__ import annotations

import pandas as pd

from ..contract import Check
from ..errors import InputError
from ..scoring import rhu


def validate(df: pd.DataFrame, source: str, spec, units: list[str], decimal: str = ".") -> pd.DataFrame:
    """The finance file as ``unit_id``, ``amount`` (cents, half up) and, when named, ``list_size`` and
    ``prevalence``; one row per unit of ``units``.

    Raises
    ------
    InputError
        Every problem with its line and column: missing columns, amounts that are not numbers >= 0, a
        prevalence outside 0-1, a unit twice, a unit the evaluation does not know (with the closest name),
        and units of the evaluation absent from the file.
    """
    cols = {"unit_id": spec.unit, "amount": spec.amount, "list_size": spec.list_size, "prevalence": spec.prevalence}
    cols = {k: v for k, v in cols.items() if v is not None}
    c = Check(df, source, list(cols.values()), "a finance file")
    c.decimal = df.attrs.get("decimal", decimal)
    c.text(spec.unit)
    c.number(spec.amount, 0, bound="amount")
    if spec.list_size:
        c.number(spec.list_size, 0, bound="list_size")
    if spec.prevalence:
        c.number(spec.prevalence, 0, 1)
    c.unique(spec.unit, "unit")
    c.known(spec.unit, units, "unit of the evaluation", "use the evaluation's unit names")
    out = c.done()
    missing = sorted(set(units) - set(out[spec.unit].astype(str)))
    if missing:
        raise InputError(
            [
                f"{len(missing)} unit(s) of the evaluation are not in the file: {missing[:10]}; add them (amount 0 if "
                "they received nothing) so that no unit is paid on a missing row"
            ],
            source,
        )
    out = out[list(cols.values())].rename(columns={v: k for k, v in cols.items()})
    out["unit_id"] = out["unit_id"].astype(str)
    out["amount"] = rhu(out["amount"].to_numpy(float) * 100).astype("int64")
    return out.reset_index(drop=True)
