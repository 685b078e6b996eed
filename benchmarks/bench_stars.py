"""Benchmark: the exact 1-D star-tier optimum (gps_core.stars.optimal_partition, divide-and-conquer layers)
against Ckmeans.1d.dp's C++ (the ckwrap package, the method's reference implementation) and against the
plain quadratic programme it replaced.

Targets (issue 16): under 1 s at 50,000 units (the doctors of a large network); the same least sum of
squares as Ckmeans.1d.dp at every size (checked before timing). For scale, the ratio to the C++ peer and,
at 8,000 units, to the quadratic programme (1.3 s there before; about a minute at 50,000).

Run: ``python benchmarks/bench_stars.py [--quick] [--pairs 5]``.
"""

from __future__ import annotations

import argparse

import numpy as np
from timing import finish, pairs

from gps_core.stars import optimal_partition


def quadratic(x: np.ndarray, k: int = 5) -> float:
    """The O(k n^2) programme (gps_core before issue 16), vectorized over the start of the last group."""
    xs = np.sort(x) - x.mean()
    n = len(xs)
    c1, c2 = np.r_[0, np.cumsum(xs)], np.r_[0, np.cumsum(xs * xs)]
    j = np.arange(n)
    cost = c2[1:] - c1[1:] ** 2 / (j + 1)
    for g in range(1, k):
        new = np.full(n, np.inf)
        for e in range(g, n):
            i = np.arange(g, e + 1)
            s = c1[e + 1] - c1[i]
            new[e] = np.min(cost[i - 1] + c2[e + 1] - c2[i] - s * s / (e - i + 1))
        cost = new
    return float(cost[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller sizes (make bench-quick)")
    ap.add_argument("--pairs", type=int, default=5)
    a = ap.parse_args()
    import ckwrap

    rng = np.random.default_rng(16)
    results = []
    sizes = (5_000, 50_000) if a.quick else (8_000, 50_000, 200_000)
    for n in sizes:
        x = np.r_[rng.normal(60, 12, n - n // 10), rng.uniform(0, 100, n // 10)]  # an IP-like spread
        _, ours = optimal_partition(x, 5)
        theirs = float(np.sum(ckwrap.ckmeans(x, 5).withinss))
        assert abs(ours - theirs) <= 1e-9 * theirs, (n, ours, theirs)
        target = 1.0 if n == 50_000 else 1.0 * n / 50_000 * np.log2(n) / np.log2(50_000)  # n log n from 50,000
        results.append(
            pairs(
                "exact star tiers vs Ckmeans.1d.dp (C++)",
                lambda x=x: optimal_partition(x, 5),
                lambda x=x: ckwrap.ckmeans(x, 5),
                target=max(target, 1.0),
                size=f"{n:,} units",
                n=a.pairs,
                absolute=True,
            )
        )
    n = 2_000 if a.quick else 8_000
    x = rng.normal(60, 12, n)
    assert abs(quadratic(x) - optimal_partition(x, 5)[1]) <= 1e-9 * quadratic(x)
    results.append(
        pairs(
            "exact star tiers vs the quadratic programme",
            lambda: optimal_partition(x, 5),
            lambda: quadratic(x),
            target=1.0,
            size=f"{n:,} units",
            n=3,
        )
    )
    finish(results)


if __name__ == "__main__":
    main()
