"""The synthetic paper hospital (gps_core.synth.hospital.paper_hospital), which the demo, the pooled
benchmark's 14 synthetic clients and the tests generate, against its previous implementation (a pandas row and a
catalogue scan per specialty-indicator block), kept below as the baseline. Both must draw the same numbers.

    python benchmarks/bench_synth.py [--pairs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from gps_core.synth import hospital
from gps_core.synth.hospital import VOLUME, _applies, _invert


def old_simulate(q: np.ndarray, cat: pd.DataFrame, w_eff: pd.Series, tr: pd.DataFrame, seed: int):
    """One draw of every doctor-month-indicator given the specialties' quality lines ``q`` (S, 12).

    Each specialty and each (specialty, indicator) block has its own random stream, so a calibration pass
    that changes ``q`` redraws the same noise (common random numbers).
    """
    cols = {k: [] for k in ("doc", "spec", "month", "ind", "num", "den")}
    doc0 = 0
    for s_i, sp in tr.iterrows():
        rng = np.random.default_rng([seed, s_i])
        n_doc = int(sp["doctors"])
        eff = rng.normal(0, 0.05, n_doc)
        eff -= eff.mean()
        act = rng.gamma(2.0, 0.5, n_doc)
        present = rng.random((n_doc, 12)) > 0.02
        noise = rng.normal(0, 0.02, (n_doc, 12))
        mask = cat["applies_to"].map(lambda a, sp=sp: _applies(a, sp["care_line"], sp["specialty"])).to_numpy()
        inds = cat[mask].reset_index(drop=True)
        w = w_eff.reindex(inds["indicator_id"]).to_numpy()
        delta = rng.normal(0, 0.08, len(inds))
        delta -= np.average(delta, weights=w)
        dd, mm = np.nonzero(present)
        for j, r in inds.iterrows():
            rj = np.random.default_rng([seed, s_i, j])
            phi = q[s_i][None, :] + eff[:, None] + delta[j] + noise
            value = _invert(phi, r)
            den = rj.poisson(VOLUME[r["indicator_id"]] * act[:, None] * np.ones((1, 12))).astype(float)
            if r["unit"] == "percent":
                num = rj.binomial(den.astype(int), np.clip(value / 100, 0, 1)).astype(float)
            elif r["unit"] == "nps":  # promoters minus detractors, 10 % passives at the middle
                v = np.clip(value, -80, 80) / 100
                p_prom = np.clip(0.45 + v / 2, 0, 1)
                prom = rj.binomial(den.astype(int), p_prom)
                p_det = np.clip((0.45 - v / 2) / np.maximum(1 - p_prom, 1e-9), 0, 1)
                num = (prom - rj.binomial((den - prom).astype(int), p_det)).astype(float)
            else:
                num = rj.poisson(np.maximum(den * value / r["multiplier"], 0)).astype(float)
            cols["doc"].append(doc0 + dd)
            cols["spec"].append(np.full(len(dd), s_i))
            cols["month"].append(mm)
            cols["ind"].append(np.full(len(dd), cat.index[cat["indicator_id"] == r["indicator_id"]][0]))
            cols["num"].append(num[dd, mm])
            cols["den"].append(den[dd, mm])
        doc0 += n_doc
    return {k: np.concatenate(v) for k, v in cols.items()}


def run(sim) -> pd.DataFrame:
    """paper_hospital with ``sim`` as its simulation step."""
    keep = hospital._simulate
    hospital._simulate = sim
    try:
        return hospital.paper_hospital(seed=7)
    finally:
        hospital._simulate = keep


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=5)
    a = ap.parse_args()
    new, old = run(hospital._simulate), run(old_simulate)
    pd.testing.assert_frame_equal(new, old)  # the same draws, to the last number
    tn, to, ratios = [], [], []
    for _ in range(a.pairs):  # alternate the two sides: drift on a shared machine hits both alike
        t = time.perf_counter()
        run(hospital._simulate)
        tn.append(time.perf_counter() - t)
        t = time.perf_counter()
        run(old_simulate)
        to.append(time.perf_counter() - t)
        ratios.append(to[-1] / tn[-1])
    print(
        f"paper_hospital ({len(new):,} rows): {statistics.median(tn):.2f} s, previous {statistics.median(to):.2f} s; "
        f"speed-up min {min(ratios):.2f}x, median {statistics.median(ratios):.2f}x over {a.pairs} pairs"
    )


if __name__ == "__main__":
    main()
