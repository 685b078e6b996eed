"""Benchmark: the Monte Carlo over weights (gps_core.studies.design.weight_draws, a few matrix products for all
draws) against the plain way, recomputing the index with gps_core.index.performance_index once per draw. Both
give the same annual IP (checked on every draw first). The two sides alternate over ``--pairs`` pairs, each
run in its own forked process (benchmarks/timing.py).

Target: at most 0.1x the plain way (10x faster) for the 32 teams of the paper's hospital and for its 556
doctors (``unit_level: as_is``; measured when it landed: 122x and 19x), so a contract design's 200 draws stay
interactive. Prints min and median of the paired ratios and each side's peak memory; exits 1 on a miss.

Run: ``python benchmarks/bench_design.py [--draws 200] [--pairs 5] [--params params/hospital_2015.yaml]
[--quick]`` (quick: the teams only, 50 draws).
"""

from __future__ import annotations

import argparse

import numpy as np
from timing import finish, pairs

from gps_core import params
from gps_core.index import DIMENSIONS, performance_index
from gps_core.studies import design, evaluation


def measure(ev, draws: int, n: int):
    """weight_draws against performance_index once per draw on one evaluation, checked equal first."""
    policies = ("redistribute", "zero")

    def fast():
        return design.weight_draws(ev, draws, 0.25, policies, seed=1)

    def loop(dr):
        out = np.empty_like(dr.ip)
        for k in range(dr.ip.shape[1]):
            cat = ev.catalog.assign(weight=dr.weights[:, k])
            dims = dict(zip(DIMENSIONS, dr.dimension_weights[:, k], strict=True))
            ix = performance_index(ev.scores, cat, dims, "zero" if dr.zero[k] else "redistribute")
            ann = ix.groupby("unit_id", observed=True)["ip"].mean()
            out[:, k] = ann.set_axis(ann.index.astype(str)).reindex(dr.units).to_numpy()
        return out

    dr = fast()
    assert np.allclose(loop(dr), dr.ip, atol=1e-9, equal_nan=True)
    return pairs(
        "weight_draws (matrix products) vs performance_index once per draw",
        fast,
        lambda: loop(dr),
        target=0.1,
        size=f"{len(dr.units)} units x {ev.index['period'].nunique()} months, {draws} draws",
        n=n,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--params", default="params/hospital_2015.yaml")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="teams only, 50 draws")
    a = ap.parse_args()
    p = params.load(a.params)
    levels = [p] if a.quick else [p, p.model_copy(update={"unit_level": "as_is"})]  # teams, then doctors
    finish([measure(evaluation.run(q), 50 if a.quick else a.draws, a.pairs) for q in levels])


if __name__ == "__main__":
    main()
