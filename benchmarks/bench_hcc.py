"""Benchmark: CMS-HCC scores for 1,000,000 members (about 4 M diagnosis rows) with gps_core.capitation
against hccinfhir scoring a subset member by member, in the same process; the subset's scores are checked
equal first (members whose diagnoses carry an edit on a two-CC code, where hccinfhir is wrong, are left
out of the check; see gps_core.capitation.hcc).

Target (issue 5): at least 20x hccinfhir's members per second. Peak memory of the process is reported.

Run: ``python benchmarks/bench_hcc.py [--members 1000000] [--subset 20000] [--model V24]``.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd
from hccinfhir.model_calculate import calculate_raf

from gps_core.capitation import SEGMENTS, hcc_scores
from gps_core.capitation.tables import MODELS, load


def population(n: int, model: str, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Members with about 4 diagnoses each, codes drawn from the model's mapping and 20 % unmapped."""
    t = load(model, 2026)
    rng = np.random.default_rng(seed)
    m = pd.DataFrame(
        {
            "member_id": np.char.add("m", np.arange(n).astype(str)),
            "age": rng.integers(0, 100, n),
            "sex": rng.choice(["M", "F"], n),
            "segment": rng.choice(SEGMENTS, n),
            "orec": rng.choice(["0", "1"], n, p=[0.8, 0.2]),
            "medicaid": rng.random(n) < 0.2,
        }
    )
    k = rng.poisson(4, n)
    codes = np.concatenate([t.dx["code"].unique(), ["Z0000", "R509", "J069", "M545"]])
    d = pd.DataFrame({"member_id": np.repeat(m["member_id"].to_numpy(), k), "code": rng.choice(codes, k.sum())})
    return m, d


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=1_000_000)
    ap.add_argument("--subset", type=int, default=20_000)
    ap.add_argument("--model", default="V24")
    a = ap.parse_args()
    m, d = population(a.members, a.model)
    load(a.model, 2026)  # both sides start with the tables read
    t0 = time.perf_counter()
    scores, terms = hcc_scores(m, d, a.model)
    t_ours = time.perf_counter() - t0
    sub = m.iloc[: a.subset]
    by = d[d["member_id"].isin(set(sub["member_id"]))].groupby("member_id")["code"].apply(list).to_dict()
    t0 = time.perf_counter()
    ref = [
        calculate_raf(
            by.get(r.member_id, []),
            MODELS[a.model],
            age=int(r.age),
            sex=r.sex,
            dual_elgbl_cd="02" if r.medicaid else "NA",
            orec=r.orec,
            new_enrollee=r.segment in ("NE", "SNPNE"),
            prefix_override=r.segment + "_",
        ).risk_score
        for r in sub.itertuples()
    ]
    t_ref = time.perf_counter() - t0
    t = load(a.model, 2026)
    multi = set(t.dx.loc[t.dx["code"].duplicated(keep=False), "code"]) & set(t.edits["code"])
    clean = ~sub["member_id"].isin(set(d.loc[d["code"].isin(multi), "member_id"]))
    diff = np.abs(scores["risk_score"].to_numpy()[: a.subset] - np.array(ref))[clean.to_numpy()]
    assert diff.max() < 1e-9, diff.max()
    ours, theirs = a.members / t_ours, a.subset / t_ref
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"{a.model}: {a.members:,} members, {len(d):,} diagnosis rows; {int(clean.sum()):,} subset scores equal")
    print(f"gps_core.capitation  {t_ours:7.2f} s  {ours:12,.0f} members/s")
    print(f"hccinfhir (subset)   {t_ref:7.2f} s  {theirs:12,.0f} members/s")
    print(f"ratio {ours / theirs:.1f}x (target >= 20x); peak memory {peak:.2f} GiB")


if __name__ == "__main__":
    main()
