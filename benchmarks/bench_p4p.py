"""Benchmark: payouts for 100,000 units under every rule against a plain vectorized pro-rata split of the
same budget (pandas, rounded to cents but not exact), each rule alternated with the baseline pair after pair,
each run in its own forked process (benchmarks/timing.py): min and median of the paired ratios, peak memory.

Target (issue 4): each rule at most 5x the baseline. The unit table is validated once (unique ids), as a
contract run does, and that time is reported separately.

Run: ``python benchmarks/bench_p4p.py [--units 100000] [--pairs 11] [--quick]``.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from timing import finish, pairs, timed

from gps_core import p4p


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=100_000)
    ap.add_argument("--pairs", type=int, default=11)
    ap.add_argument("--quick", action="store_true", help="20,000 units (make bench-quick)")
    a = ap.parse_args()
    rng = np.random.default_rng(1)
    n = 20_000 if a.quick else a.units
    u = pd.DataFrame(
        {
            "unit_id": [f"u{i:06d}" for i in range(n)],
            "index": rng.uniform(0, 100, n),
            "production": rng.integers(1, 10**7, n).astype(float),
        }
    )
    u["received"] = u["production"]
    u["tps"] = u["index"]
    u["base"] = u["production"]
    u["points"] = rng.integers(0, 560, n)
    u["list_size"] = rng.integers(1000, 20000, n)
    u["prevalence"] = rng.uniform(0.01, 0.2, n)
    budget = 10**6 * n  # 1 billion in cents at 100,000 units: the same per unit at any size

    def baseline():
        w = u["index"] * u["production"]
        return u.assign(payout=(budget * w / w.sum()).round())

    t_valid, _ = timed(lambda: p4p.validate_units(u), 5)
    rules = {
        "budget pool (same weights, exact cents)": lambda: p4p.budget_pool(u, budget),
        "budget pool (minimum 30, cap)": lambda: p4p.budget_pool(u, budget, minimum=30, cap=2 * 10**6),
        "budget pool (alpha 1.5, minimum 30, cap)": lambda: p4p.budget_pool(
            u, budget, alpha=1.5, minimum=30, cap=2 * 10**6
        ),
        "additional percentage, linear": lambda: p4p.additional_percentage(u, floor=50, target=90, max_rate=0.1),
        "additional percentage, tiers": lambda: p4p.additional_percentage(
            u, tiers=[(60, 0.02), (75, 0.04), (90, 0.06)]
        ),
        "withhold (linear exchange)": lambda: p4p.withhold(u, 0.02),
        "per point (QOF)": lambda: p4p.per_point(u, 20756, 8000, 0.1),
    }
    out = p4p.budget_pool(u, budget, alpha=1.5, minimum=30, cap=2 * 10**6)
    assert out["payout"].sum() == budget
    print(f"{n:,} units; unit table validation (once per run) {t_valid * 1000:.2f} ms")
    size = f"{n:,} units"
    finish([pairs(f"{k} vs pandas pro-rata", f, baseline, target=5, size=size, n=a.pairs) for k, f in rules.items()])


if __name__ == "__main__":
    main()
