"""One hierarchy of errors and warnings for the whole package.

Errors stop a run; warnings flag something the reader must know (a small denominator, a reference near
zero) and are never silenced. Every message names where the problem is (file, row, column) and what to do.
"""

from __future__ import annotations


class GpsError(Exception):
    """Base class of every error raised on purpose by gps_core."""


class InputError(GpsError, ValueError):
    """An input table or file breaks its contract (wrong column, value, type or duplicate)."""

    def __init__(self, problems: list[str] | str, source: str = "input"):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.source = source
        head = f"{source}: {len(self.problems)} problem(s) found, nothing was computed:"
        shown = self.problems[:50]
        more = len(self.problems) - len(shown)
        lines = [head, *("  - " + p for p in shown)]
        if more:
            lines.append(f"  ... and {more} more")
        super().__init__("\n".join(lines))


class ParamsError(GpsError, ValueError):
    """A params YAML file is missing, malformed or has unknown or wrongly typed keys."""


class ReferenceDataError(GpsError, ValueError):
    """A shipped reference table (catalogue, benchmarks) is malformed or does not match its checksum."""


class GpsWarning(UserWarning):
    """Base class of the package's warnings."""


class SmallDenominatorWarning(GpsWarning):
    """Some values rest on fewer cases than the indicator's minimum; they are flagged, not dropped."""


class ReferenceNearZeroWarning(GpsWarning):
    """A relative change was asked against a reference close to zero; the percentage is unstable."""


class FewMonthsWarning(GpsWarning):
    """A unit has fewer monthly values than the minimum needed for a trend."""
