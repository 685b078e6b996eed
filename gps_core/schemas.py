"""Column contracts of input tables, checked before anything is computed.

``validate_measurements`` collects every problem (not just the first), each naming the source file, the
line (header = line 1), the column, the offending value and what is expected; it raises one
:class:`~gps_core.errors.InputError` listing them. Nothing is computed from a table that fails.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pandas as pd

from . import keys
from .catalog import PROPORTION_UNITS
from .errors import InputError, ParamsError
from .io.readers import lines_of, parse_numbers, shown

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

# The largest plausible value of each bounded contract column. Far beyond what a hospital, a doctor or a
# member can produce, so that only a typo or a shifted column reaches them (one such value would otherwise
# take a whole payout pool). A client who really has larger values raises a bound in the params
# (``limits: {denominator: 5.0e7}``) or with ``--limit denominator=5e7`` on the command line.
LIMITS: dict[str, float] = {
    "numerator": 1e7,  # events of one unit in one month
    "denominator": 1e7,  # cases of one unit in one month
    "expected": 1e7,  # expected events of one unit in one month (risk-adjusted rows)
    "reference_rate": 1e7,  # the reference rate of a risk-adjusted row, in the indicator's unit
    "cost": 1e8,  # currency units, one stay or one member's year
    "amount": 1e10,  # currency units received by one unit in one cycle (finance file), or one cost row
    "list_size": 1e7,  # registered patients of one unit
    "stay_days": 730,  # days from admission to discharge
    "age": 120,  # years
}
EARLIEST = pd.Timestamp("1900-01-01")  # no record of a living health system is older
_limits: ContextVar[dict[str, float] | None] = ContextVar("gps_limits", default=None)


def limit(name: str) -> float:
    """The bound in force for a contract column: the params' override (:func:`bounds`) or ``LIMITS``."""
    return float((_limits.get() or {}).get(name, LIMITS[name]))


@contextmanager
def bounds(overrides: dict[str, float] | None):
    """Raise (or lower) plausibility bounds while validating one run's inputs, e.g. ``with bounds(params.limits)``.

    Raises
    ------
    ParamsError
        A name that is not a bounded column, or a bound that is not a positive finite number.
    """
    over = dict(overrides or {})
    bad = [k for k in over if k not in LIMITS]
    if bad:
        raise ParamsError(f"limits: unknown column(s) {bad}; bounded columns: {sorted(LIMITS)}")
    wrong = [k for k, v in over.items() if not (isinstance(v, int | float) and np.isfinite(v) and v > 0)]
    if wrong:
        raise ParamsError(f"limits: {wrong} must be positive finite numbers")
    token = _limits.set({**(_limits.get() or {}), **over})
    try:
        yield
    finally:
        _limits.reset(token)


def _report(problems: list[str], kind: str, idx: np.ndarray, fmt) -> None:
    for i in idx[:MAX_PER_KIND]:
        problems.append(fmt(i))
    if len(idx) > MAX_PER_KIND:
        problems.append(f"... {len(idx) - MAX_PER_KIND} more rows with the same problem ({kind})")


def _ns(d: pd.Series) -> pd.Series:
    """Dates clamped to what a nanosecond timestamp holds (years 1678-2261), so that a typed 2999 is refused
    as a date in the future (and 1066 as one before 1900) instead of overflowing; messages show the raw text."""
    d = pd.Series(d)
    if not pd.api.types.is_datetime64_any_dtype(d):
        d = pd.to_datetime(d, errors="coerce")
    d = d.astype("datetime64[s]")
    lo, hi = pd.Timestamp("1678-01-01"), pd.Timestamp("2261-12-31")
    return d.mask(d < lo, lo).mask(d > hi, hi).astype("datetime64[ns]")


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
        out[m[m].index] = _ns(pd.to_datetime(txt[m], format=fmt, errors="coerce"))
    other = text[~is_text]
    if len(other):
        out[other.index] = _ns(pd.to_datetime(other, errors="coerce"))
    vals = out.to_numpy()
    res = np.where(codes >= 0, vals[np.maximum(codes, 0)], np.datetime64("NaT"))
    return pd.Series(res, index=s.index, dtype="datetime64[ns]")


def _stripped_category(s: pd.Series) -> pd.Categorical:
    """Strip spaces from a text column through its distinct values (one strip per value, not per row)."""
    c = s.array if isinstance(s.dtype, pd.CategoricalDtype) else pd.Categorical(s)
    cats = pd.Index(c.categories.astype(str)).str.strip()
    if cats.is_unique:  # no two values become one: rename the categories, the codes stand
        return c.rename_categories(cats)
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
        One row per unit, month and indicator with the columns of ``MEASUREMENT_COLUMNS``. Numbers may be
        text written with the decimal mark in ``df.attrs['decimal']`` (set by the readers).
    catalog
        The validated catalogue the indicators must belong to.
    source
        Name of the file for messages.
    line_offset
        Line number of the first data row when the reader recorded no ``attrs['lines']``.

    Returns
    -------
    pandas.DataFrame
        Typed copy: strings as ``category``, ``period`` as month-start timestamps, numbers as float.

    Raises
    ------
    InputError
        Listing every problem with line, column, value and the expected form: empty keys, dates, text,
        non-finite or implausible numbers (``LIMITS``), a decimal mark contradicting the file's, unknown
        indicators, negative counts, numerators above denominators, duplicates.
    """
    missing = [c for c in MEASUREMENT_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(
            [
                f"line 1: missing column(s) {missing}; found {', '.join(shown(c) for c in list(df.columns)[:30])}; "
                f"a measurements table needs {list(MEASUREMENT_COLUMNS)}"
            ],
            source,
        )
    problems: list[str] = []
    line = lines_of(df, line_offset)
    decimal = df.attrs.get("decimal", ".")
    # The typed columns, gathered here and framed once: setting them one by one into a frame that shares
    # the caller's blocks would copy a block at each column (copy-on-write); the caller's frame stands.
    have = [c for c in df.columns if c in (*MEASUREMENT_COLUMNS, *RISK_COLUMNS)]
    out: dict = {}
    for col in ("client", "program", "unit_id", "unit_type", "specialty", "indicator_id"):
        cat = _stripped_category(df[col])
        blank = np.asarray(cat.categories == "", dtype=bool)  # per distinct value
        if blank.any():  # then per row through the codes; the entry after the last answers for code -1
            empty = np.append(blank, True)[cat.codes]
        else:
            empty = cat.codes < 0
        _report(
            problems,
            f"empty {col}",
            np.flatnonzero(empty),
            lambda i, col=col: f"line {line[i]}, column '{col}': empty; every row needs a {col}",
        )
        out[col] = cat
    # Dates are parsed, checked and cut to their month once per distinct value (a table has a few dozen).
    codes, uniq = pd.factorize(df["period"], use_na_sentinel=True)
    dates = parse_period(pd.Series(uniq))
    months = dates.dt.to_period("M").dt.to_timestamp()
    bad = np.append(dates.isna().to_numpy(), True)[codes]
    _report(
        problems,
        "bad period",
        np.flatnonzero(bad),
        lambda i: (
            f"line {line[i]}, column 'period': {shown(df['period'].iloc[i])} is not a date; use YYYY-MM or YYYY-MM-DD"
        ),
    )
    late = np.append(((dates > pd.Timestamp.now()) | (dates < EARLIEST)).to_numpy(), False)[codes]
    _report(
        problems,
        "period out of range",
        np.flatnonzero(late),
        lambda i: (
            f"line {line[i]}, column 'period': {shown(df['period'].iloc[i])} is in the future or before "
            f"{EARLIEST:%Y}; check the date"
        ),
    )
    out["period"] = np.append(months.to_numpy(), np.datetime64("NaT"))[codes]
    month_code, n_months = pd.factorize(months, sort=True, use_na_sentinel=True)
    month_code = np.append(month_code + 1, 0).astype(np.int32)[codes]  # 0 for no date, as keys.codes numbers it
    if ("expected" in have) != ("reference_rate" in have):
        problems.append("'expected' and 'reference_rate' go together (risk-adjusted rows need both); add the other")
    # Two boolean arrays reused by every row check below: each check's rows are taken out at once.
    mask, tmp = np.empty(len(df), dtype=bool), np.empty(len(df), dtype=bool)
    for col in ("numerator", "denominator", *(c for c in RISK_COLUMNS if c in have)):
        raw = df[col]
        num, why = parse_numbers(raw, decimal)
        _report(
            problems,
            f"bad {col}",
            why.rows,
            lambda i, col=col, raw=raw, why=why: f"line {line[i]}, column '{col}': {shown(raw.iloc[i])} {why[i]}",
        )
        high = limit(col)
        with np.errstate(invalid="ignore"):  # NaN (blank) compares False, an infinity True
            np.greater(num, high, out=mask)
            mask |= np.less(num, -high, out=tmp)
        _report(
            problems,
            f"implausible {col}",
            np.flatnonzero(mask),
            lambda i, col=col, num=num, high=high: (
                f"line {line[i]}, column '{col}': {num[i]:,.6g} is beyond the plausible {high:,.6g} for one unit "
                f"and month; fix the value, or raise 'limits: {{{col}: ...}}' in the params if it is real"
            ),
        )
        # A float column taken as it is stays the caller's Series: copy-on-write keeps it apart from theirs.
        out[col] = raw if num.dtype == raw.dtype and np.may_share_memory(num, raw.to_numpy()) else num
    out = pd.DataFrame({c: out[c] for c in have}, copy=False).set_axis(df.index)
    known = catalog.set_index("indicator_id")
    ind = out["indicator_id"]
    # Each check on the catalogue is made once per distinct id, then read per row through the codes; the
    # last entry answers for code -1 (an empty id, reported above as empty, not again as unknown).
    code = ind.cat.codes.to_numpy()
    ids = ind.cat.categories
    unit = np.append(known["unit"].reindex(ids).fillna("").to_numpy(dtype=object), "")  # "" for unknown ids
    unknown = np.append(~ids.isin(known.index), False)[code]
    _report(
        problems,
        "unknown indicator",
        np.flatnonzero(unknown),
        lambda i: (
            f"line {line[i]}, column 'indicator_id': {shown(ind.iloc[i])} is not in the catalogue "
            f"({', '.join(known.index[:8])}, ...); fix the id or add its technical sheet"
        ),
    )
    n, d = out["numerator"].to_numpy(), out["denominator"].to_numpy()
    nps = unit == "nps"  # NPS: promoters minus detractors may be negative, never below -denominator
    low = np.flatnonzero(np.less(n, 0, out=mask))  # negative numerators: few, or a refused file
    neg = low[~nps[code[low]] | (n[low] < -d[low])]
    _report(
        problems,
        "negative numerator",
        neg,
        lambda i: f"line {line[i]}, column 'numerator': {n[i]} is negative; counts cannot be",
    )
    _report(
        problems,
        "negative denominator",
        np.flatnonzero(np.less(d, 0, out=mask)),
        lambda i: f"line {line[i]}, column 'denominator': {d[i]} is negative; counts cannot be",
    )
    prop = np.isin(unit, PROPORTION_UNITS) | nps  # per distinct id, then per row
    over = np.greater(n, d, out=mask)  # |n| > d, without an absolute copy of the column
    over[low] = -n[low] > d[low]
    over &= np.take(prop, code, out=tmp, mode="wrap")  # -1 (no id) reads the last entry; "raise" would buffer
    _report(
        problems,
        "numerator > denominator",
        np.flatnonzero(over),
        lambda i: (
            f"line {line[i]}, columns 'numerator'/'denominator': {n[i]} > {d[i]} "
            f"for proportion indicator {ind.iloc[i]}; the numerator counts a subset"
        ),
    )
    zero = np.flatnonzero(np.equal(d, 0, out=mask))
    _report(
        problems,
        "cases without denominator",
        zero[(n[zero] != 0) & ~np.isnan(n[zero])],
        lambda i: f"line {line[i]}, column 'denominator': 0 with numerator {n[i]}; a value needs cases",
    )
    dup = keys.repeated(out, [*KEYS, (month_code, len(n_months) + 1), "indicator_id"]) & ~bad
    _report(
        problems,
        "duplicate unit-month-indicator",
        np.flatnonzero(dup),
        lambda i: (
            f"line {line[i]}: duplicate of another row for unit {shown(out['unit_id'].iloc[i])}, "
            f"period {out['period'].iloc[i]:%Y-%m}, indicator "
            f"{shown(ind.iloc[i])}; keep one row per unit, month and indicator"
        ),
    )
    if problems:
        raise InputError(problems, source)
    out = out.reset_index(drop=True)
    out.attrs.pop("lines", None)
    return out


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
