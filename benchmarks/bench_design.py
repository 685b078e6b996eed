"""Benchmark: the Monte Carlo over weights (gps_core.studies.design.weight_draws, a few matrix products for all
draws) against the plain way, recomputing the index with gps_core.index.performance_index once per draw,
in the same process. Both give the same annual IP (checked on every draw first).

Run: ``python benchmarks/bench_design.py [--draws 200] [--params params/hospital_2015.yaml] [--doctors]``.
"""

from __future__ import annotations

import argparse

import numpy as np
from timing import timed

from gps_core import params
from gps_core.index import DIMENSIONS, performance_index
from gps_core.studies import design, evaluation


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--params", default="params/hospital_2015.yaml")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--doctors", action="store_true", help="evaluate doctors (unit_level as_is), not teams")
    a = ap.parse_args()
    p = params.load(a.params)
    ev = evaluation.run(p.model_copy(update={"unit_level": "as_is"}) if a.doctors else p)
    policies = ("redistribute", "zero")

    def fast():
        return design.weight_draws(ev, a.draws, 0.25, policies, seed=1)

    def loop(dr):
        out = np.empty_like(dr.ip)
        for k in range(dr.ip.shape[1]):
            cat = ev.catalog.assign(weight=dr.weights[:, k])
            dims = dict(zip(DIMENSIONS, dr.dimension_weights[:, k], strict=True))
            ix = performance_index(ev.scores, cat, dims, "zero" if dr.zero[k] else "redistribute")
            ann = ix.groupby("unit_id", observed=True)["ip"].mean()
            out[:, k] = ann.set_axis(ann.index.astype(str)).reindex(dr.units).to_numpy()
        return out

    t_fast, dr = timed(fast, a.repeat)
    t_loop, ref = timed(lambda: loop(dr), a.repeat)
    assert np.allclose(ref, dr.ip, atol=1e-9, equal_nan=True)
    n = len(dr.units)
    print(f"{a.params}: {n} units x {ev.index['period'].nunique()} months, {a.draws} draws")
    print(f"performance_index once per draw   {t_loop:8.3f} s")
    print(f"weight_draws (matrix products)    {t_fast:8.3f} s   {t_loop / t_fast:6.1f}x faster")


if __name__ == "__main__":
    main()
