"""Column contracts of input tables, checked before anything is computed.

``validate_measurements`` collects every problem (not just the first), each naming the source file, the
line (header = line 1), the column, the offending value and what is expected; it raises one
:class:`~gps_core.errors.InputError` listing them. Nothing is computed from a table that fails.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalog import PROPORTION_UNITS
from .errors import InputError

KEYS = ("client", "program", "unit_id")
MEASUREMENT_COLUMNS = (
    "client",
    "program",
    "unit_id",
    "unit_type",
    "specialty",
    "period",
    "indicator_id",
    "numerator",
    "denominator",
)
RISK_COLUMNS = ("expected", "reference_rate")  # optional: a risk-adjusted row (O/E x reference rate)
MAX_PER_KIND = 20  # messages per kind of problem; the rest are counted


def _lines(mask: np.ndarray, offset: int) -> np.ndarray:
    return np.flatnonzero(mask) + offset


def _report(problems: list[str], kind: str, idx: np.ndarray, fmt) -> None:
    for i in idx[:MAX_PER_KIND]:
        problems.append(fmt(i))
    if len(idx) > MAX_PER_KIND:
        problems.append(f"... {len(idx) - MAX_PER_KIND} more rows with the same problem ({kind})")


def parse_period(s: pd.Series) -> pd.Series:
    """Dates as ISO (``2015-01``, ``2015-01-31``) or Brazilian (``01/2015``, ``31/01/2015``, day first), or
    already datetimes (Excel); anything else is NaT. Parsed once per distinct value."""
    if pd.api.types.is_datetime64_any_dtype(s):
        return s
    codes, uniq = pd.factorize(s, use_na_sentinel=True)
    text = pd.Series([str(u).strip() if isinstance(u, str) else u for u in uniq], dtype=object)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    is_text = text.map(lambda u: isinstance(u, str))
    txt = text[is_text].astype(str)
    for pattern, fmt in (
        (r"^\d{4}-\d{1,2}$", "%Y-%m"),
        (r"^\d{4}-\d{1,2}-\d{1,2}$", "%Y-%m-%d"),
        (r"^\d{1,2}/\d{4}$", "%m/%Y"),
        (r"^\d{1,2}/\d{1,2}/\d{4}$", "%d/%m/%Y"),
    ):
        m = txt.str.match(pattern)
        out[m[m].index] = pd.to_datetime(txt[m], format=fmt, errors="coerce")
    other = text[~is_text]
    if len(other):
        out[other.index] = pd.to_datetime(other, errors="coerce")
    vals = out.to_numpy()
    res = np.where(codes >= 0, vals[np.maximum(codes, 0)], np.datetime64("NaT"))
    return pd.Series(res, index=s.index, dtype="datetime64[ns]")


def _stripped_category(s: pd.Series) -> pd.Categorical:
    """Strip spaces from a text column through its distinct values (one strip per value, not per row)."""
    c = s.array if isinstance(s.dtype, pd.CategoricalDtype) else pd.Categorical(s)
    cats = pd.Index(c.categories.astype(str)).str.strip()
    codes, uniq = pd.factorize(cats)
    old = c.codes
    return pd.Categorical.from_codes(np.where(old >= 0, codes[np.maximum(old, 0)], -1), categories=uniq)


def validate_measurements(
    df: pd.DataFrame, catalog: pd.DataFrame, source: str = "measurements", line_offset: int = 2
) -> pd.DataFrame:
    """Validate a monthly measurements table and return a typed copy.

    Parameters
    ----------
    df
        One row per unit, month and indicator with the columns of ``MEASUREMENT_COLUMNS``.
    catalog
        The validated catalogue the indicators must belong to.
    source
        Name of the file for messages.
    line_offset
        Line number of the first data row in the file (2 for a CSV with a header).

    Returns
    -------
    pandas.DataFrame
        Typed copy: strings as ``category``, ``period`` as month-start timestamps, numbers as float.

    Raises
    ------
    InputError
        Listing every problem with line, column, value and the expected form.
    """
    missing = [c for c in MEASUREMENT_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(
            [
                f"missing column(s) {missing}; found {list(df.columns)}; "
                f"a measurements table needs {list(MEASUREMENT_COLUMNS)}"
            ],
            source,
        )
    problems: list[str] = []
    out = df.loc[:, [c for c in df.columns if c in (*MEASUREMENT_COLUMNS, *RISK_COLUMNS)]].copy()
    for col in ("client", "program", "unit_id", "unit_type", "specialty", "indicator_id"):
        cat = _stripped_category(out[col])
        empty = (cat.codes < 0) | (np.asarray(cat.categories == "") if len(cat.categories) else False)[
            np.maximum(cat.codes, 0)
        ]
        _report(
            problems,
            f"empty {col}",
            _lines(empty, line_offset),
            lambda i, col=col: f"line {i}, column '{col}': empty; every row needs a {col}",
        )
        out[col] = cat
    period = parse_period(out["period"])
    bad = period.isna().to_numpy()
    _report(
        problems,
        "bad period",
        _lines(bad, line_offset),
        lambda i: (
            f"line {i}, column 'period': '{df['period'].iloc[i - line_offset]}' is not a date; "
            "use YYYY-MM or YYYY-MM-DD"
        ),
    )
    out["period"] = period.dt.to_period("M").dt.to_timestamp()
    if ("expected" in out.columns) != ("reference_rate" in out.columns):
        problems.append("'expected' and 'reference_rate' go together (risk-adjusted rows need both); add the other")
    for col in ("numerator", "denominator", *(c for c in RISK_COLUMNS if c in out.columns)):
        raw = out[col]
        num = raw.astype(float) if pd.api.types.is_numeric_dtype(raw) else pd.to_numeric(raw, errors="coerce")
        text = (num.isna() & raw.notna()).to_numpy()
        _report(
            problems,
            f"text in {col}",
            _lines(text, line_offset),
            lambda i, col=col, raw=raw: f"line {i}, column '{col}': '{raw.iloc[i - line_offset]}' is not a number",
        )
        out[col] = num.astype(float)
    known = catalog.set_index("indicator_id")
    ind = out["indicator_id"]
    unknown = (~ind.isin(known.index)).fillna(False).to_numpy()
    _report(
        problems,
        "unknown indicator",
        _lines(unknown, line_offset),
        lambda i: (
            f"line {i}, column 'indicator_id': '{ind.iloc[i - line_offset]}' is not in the catalogue "
            f"({', '.join(known.index[:8])}, ...); fix the id or add its technical sheet"
        ),
    )
    unit = ind.map(known["unit"]).astype(object).fillna("").to_numpy(dtype=object)  # "" for unknown ids
    n, d = out["numerator"].to_numpy(), out["denominator"].to_numpy()
    signed = unit == "nps"  # NPS: promoters minus detractors may be negative, never below -denominator
    neg_num = np.where(signed, n < -d, n < 0)
    _report(
        problems,
        "negative numerator",
        _lines(neg_num, line_offset),
        lambda i: f"line {i}, column 'numerator': {n[i - line_offset]} is negative; counts cannot be",
    )
    _report(
        problems,
        "negative denominator",
        _lines(d < 0, line_offset),
        lambda i: f"line {i}, column 'denominator': {d[i - line_offset]} is negative; counts cannot be",
    )
    prop = np.isin(unit, PROPORTION_UNITS) | signed
    over = prop & (np.abs(n) > d)
    _report(
        problems,
        "numerator > denominator",
        _lines(over, line_offset),
        lambda i: (
            f"line {i}, columns 'numerator'/'denominator': {n[i - line_offset]} > {d[i - line_offset]} "
            f"for proportion indicator {ind.iloc[i - line_offset]}; the numerator counts a subset"
        ),
    )
    zero = (d == 0) & (n != 0) & ~np.isnan(n)
    _report(
        problems,
        "cases without denominator",
        _lines(zero, line_offset),
        lambda i: f"line {i}, column 'denominator': 0 with numerator {n[i - line_offset]}; a value needs cases",
    )
    key = [*KEYS, "period", "indicator_id"]
    dup = out.duplicated(key, keep=False).to_numpy()
    _report(
        problems,
        "duplicate unit-month-indicator",
        _lines(dup, line_offset),
        lambda i: (
            f"line {i}: duplicate of another row for unit '{out['unit_id'].iloc[i - line_offset]}', "
            f"period {out['period'].iloc[i - line_offset]:%Y-%m}, indicator "
            f"'{ind.iloc[i - line_offset]}'; keep one row per unit, month and indicator"
        ),
    )
    if problems:
        raise InputError(problems, source)
    return out.reset_index(drop=True)


def check_months(measurements: pd.DataFrame, start: pd.Timestamp, months: int, source: str) -> pd.DataFrame:
    """Keep the evaluation window and refuse a window with a month that has no data at all.

    A unit missing some months is allowed (it is flagged by the annual evaluation); a whole month
    missing from the extract is an error, because every unit would silently lose it.
    """
    start = pd.Timestamp(start).to_period("M").to_timestamp()
    window = pd.date_range(start, periods=months, freq="MS")
    inside = measurements[measurements["period"].isin(window)]
    have = set(inside["period"].unique())
    lacking = [f"{p:%Y-%m}" for p in window if p not in have]
    if lacking:
        first, last = measurements["period"].min(), measurements["period"].max()
        raise InputError(
            [
                f"no data at all for month(s) {', '.join(lacking)} of the evaluation window "
                f"{window[0]:%Y-%m}..{window[-1]:%Y-%m}; the file covers {first:%Y-%m}..{last:%Y-%m}. "
                "Send the missing extract or change 'period' in the params."
            ],
            source,
        )
    return inside.reset_index(drop=True)
