"""The timing helper the benchmark scripts share (they run as scripts: this folder is on sys.path)."""

from __future__ import annotations

import statistics
import time


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median wall time of ``repeat`` calls of ``fn`` and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def ratio(fn, baseline, repeat: int) -> tuple[float, float, float]:
    """Median times of ``fn`` and ``baseline`` run alternately (so drift in a shared machine hits both
    alike) and the median of the per-pair ratios: ``(t_fn, t_baseline, ratio)``."""
    a, b, r = [], [], []
    for _ in range(repeat):
        ta, _ = timed(fn, 1)
        tb, _ = timed(baseline, 1)
        a.append(ta)
        b.append(tb)
        r.append(ta / tb)
    return statistics.median(a), statistics.median(b), statistics.median(r)
