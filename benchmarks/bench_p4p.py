"""Benchmark: payouts for 100,000 units under every rule against a plain vectorized pro-rata split of the
same budget (pandas, rounded to cents but not exact), in the same process, each rule timed alternately with
the baseline and reported as the median of the paired ratios.

Target (issue 4): each rule at most 5x the baseline. The unit table is validated once (unique ids), as a
contract run does, and that time is reported separately. Each timing is the median of ``--repeat`` runs.

Run: ``python benchmarks/bench_p4p.py [--units 100000] [--repeat 21]``.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from timing import ratio, timed

from gps_core import p4p


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=21)
    a = ap.parse_args()
    rng = np.random.default_rng(1)
    n = a.units
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
    budget = 10**11  # 1 billion in cents

    def baseline():
        w = u["index"] * u["production"]
        return u.assign(payout=(budget * w / w.sum()).round())

    t_base, _ = timed(baseline, a.repeat)
    t_valid, _ = timed(lambda: p4p.validate_units(u), a.repeat)
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
    print(f"units                                    {n:,}")
    print(f"baseline pandas pro-rata split           {t_base * 1000:.2f} ms")
    print(f"unit table validation (once per run)     {t_valid * 1000:.2f} ms")
    for name, f in rules.items():
        t, b, r = ratio(f, baseline, a.repeat)
        print(f"{name:<40} {t * 1000:7.2f} ms (baseline beside it {b * 1000:5.2f} ms)  {r:5.2f}x (target <= 5x)")


if __name__ == "__main__":
    main()
