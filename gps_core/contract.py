"""Checking a record-level table (encounters, surgeries, survey answers) against its column contract.

A :class:`Check` converts one column at a time and collects every problem with the line of the source
file it came from, the column, the value and the expected form; :meth:`Check.done` raises one
:class:`~gps_core.errors.InputError` listing them all, so nothing is computed from a bad file.

Line numbers: a CSV's first data row is line 2 (the header is line 1); readers of other layouts (XML)
put the source line of each record in ``df.attrs["lines"]``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from .errors import InputError
from .schemas import MAX_PER_KIND, parse_period

YES_NO = {
    "yes": True,
    "no": False,
    "sim": True,
    "não": False,
    "nao": False,
    "s": True,
    "n": False,
    "y": True,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "1.0": True,
    "0.0": False,
}


class Check:
    """Collects the problems of one table; each method converts a column in ``out`` and reports its rows."""

    def __init__(self, df: pd.DataFrame, source: str, required: Iterable[str], kind: str, line_offset: int = 2):
        self.raw, self.source = df, source
        missing = [c for c in required if c not in df.columns]
        if missing:
            raise InputError(
                [f"missing column(s) {missing}; found {list(df.columns)}; {kind} needs {list(required)}"], source
            )
        lines = df.attrs.get("lines")
        self.lines = np.asarray(lines) if lines is not None else np.arange(len(df)) + line_offset
        self.out = df.copy()
        self.problems: list[str] = []

    def flag(self, mask, column: str, what: Callable[[int], str]) -> None:
        """Report rows where ``mask`` holds: ``line L, column 'c': <what(i)>`` (at most 20 per kind)."""
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        for i in idx[:MAX_PER_KIND]:
            self.problems.append(f"line {self.lines[i]}, column '{column}': {what(i)}")
        if len(idx) > MAX_PER_KIND:
            self.problems.append(f"... {len(idx) - MAX_PER_KIND} more rows with the same problem in '{column}'")

    def value(self, column: str, i: int) -> str:
        if column not in self.raw:
            return "(absent)"
        v = self.raw[column].iloc[i]
        return repr(v.item() if isinstance(v, np.generic) else v)  # -1, not np.int64(-1)

    def text(self, column: str, optional: bool = False) -> None:
        if column not in self.out:
            return
        s = self.out[column].astype("string").str.strip()
        self.out[column] = s
        if not optional:
            self.flag(s.isna() | (s == ""), column, lambda i: "empty; every row needs a value")

    def date(self, column: str) -> None:
        self.out[column] = parse_period(self.out[column])
        self.flag(
            self.out[column].isna(),
            column,
            lambda i: f"{self.value(column, i)} is not a date; use YYYY-MM-DD or DD/MM/YYYY",
        )

    def choice(self, column: str, allowed: dict[str, object], optional: bool = False) -> None:
        """Map text through ``allowed`` (lower-case keys, aliases included); unknown values are reported."""
        if column not in self.out:
            return
        raw = self.out[column].astype("string").str.strip().str.lower()
        self.out[column] = raw.map(allowed)
        bad = self.out[column].isna() & ~(raw.isna() & optional)
        canon = sorted({str(v) for v in allowed.values()})
        aliases = sorted(k for k in allowed if k not in canon)
        self.flag(bad, column, lambda i: f"{self.value(column, i)} is not one of {canon} (or {aliases})")

    def yes_no(self, column: str, optional: bool = False) -> None:
        self.choice(column, YES_NO, optional)
        if column in self.out:
            self.out[column] = self.out[column].astype("boolean")

    def number(self, column: str, low: float, high: float, optional: bool = False, integer: bool = False) -> None:
        if column not in self.out:
            return
        raw = self.out[column]
        num = pd.to_numeric(raw.astype("string").str.strip(), errors="coerce")
        num = num.astype(float)
        blank = raw.isna() | (raw.astype("string").str.strip() == "")
        bad = (num.isna() | (num < low) | (num > high)) & ~(blank & optional)
        if integer:
            bad |= num.notna() & (num != np.round(num))
        kind = "a whole number" if integer else "a number"
        self.flag(bad.fillna(True), column, lambda i: f"{self.value(column, i)} is not {kind} in {low:g}..{high:g}")
        self.out[column] = num

    def unique(self, column: str, what: str) -> None:
        dup = self.out[column].duplicated(keep=False)
        self.flag(
            dup,
            column,
            lambda i: f"{self.out[column].iloc[i]!r} appears more than once; each {what} needs its own id",
        )

    def known(
        self,
        column: str,
        names: Iterable[str] | None,
        kind: str = "specialty",
        fix: str = "add it to 'specialties' in the params if new",
    ) -> None:
        """Values must be one of ``names`` (e.g. the specialties of the client's contract); suggests the
        closest name."""
        if names is None or column not in self.out:
            return
        names = list(names)
        s = self.out[column]
        bad = ~s.isin(names).fillna(True)

        def what(i: int) -> str:
            near = difflib.get_close_matches(str(s.iloc[i]), names, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            return f"{s.iloc[i]!r} is not a known {kind}{hint} ({fix})"

        self.flag(bad, column, what)

    def done(self) -> pd.DataFrame:
        """The typed table, or an :class:`InputError` listing every problem."""
        if self.problems:
            raise InputError(self.problems, self.source)
        out = self.out.reset_index(drop=True)
        out.attrs.pop("lines", None)
        return out
