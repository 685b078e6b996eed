"""Benchmark: CMS-HCC scores with gps_core.capitation against hccinfhir scoring members one by one (its only
way), per member: ours on the whole population, hccinfhir on a subset, alternated pair after pair in
forked children (benchmarks/timing.py). The subset's scores are checked equal first (members whose
diagnoses carry an edit on a two-CC code, where hccinfhir is wrong, are left out of the check; see
gps_core.capitation.hcc).

Targets (issue 16): at least 50x hccinfhir's members per second on 1,000,000 members (about 4 M diagnosis
rows) and at least 25x on a 20,000-member plan, where fixed costs weigh most. The ratio printed is our
time per member over hccinfhir's (target <= 0.02 and <= 0.04).

Run: ``python benchmarks/bench_hcc.py [--quick] [--pairs 5] [--model V24]``.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from hccinfhir.model_calculate import calculate_raf
from timing import finish, pairs

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


def check(m: pd.DataFrame, d: pd.DataFrame, model: str, subset: int) -> None:
    """Our scores equal hccinfhir's member by member on the first ``subset`` members."""
    scores, _ = hcc_scores(m, d, model)
    sub = m.iloc[:subset]
    ref = np.array(reference(sub, d, model))
    t = load(model, 2026)
    multi = set(t.dx.loc[t.dx["code"].duplicated(keep=False), "code"]) & set(t.edits["code"])
    clean = ~sub["member_id"].isin(set(d.loc[d["code"].isin(multi), "member_id"])).to_numpy()
    diff = np.abs(scores["risk_score"].to_numpy()[:subset] - ref)[clean]
    assert diff.max() < 1e-9, diff.max()
    print(f"{model}: {len(m):,} members, {len(d):,} diagnosis rows; {int(clean.sum()):,} subset scores equal")


def reference(sub: pd.DataFrame, d: pd.DataFrame, model: str) -> list[float]:
    """hccinfhir's scores of the members of ``sub``, one call per member."""
    by = d[d["member_id"].isin(set(sub["member_id"]))].groupby("member_id")["code"].apply(list).to_dict()
    return [
        calculate_raf(
            by.get(r.member_id, []),
            MODELS[model],
            age=int(r.age),
            sex=r.sex,
            dual_elgbl_cd="02" if r.medicaid else "NA",
            orec=r.orec,
            new_enrollee=r.segment in ("NE", "SNPNE"),
            prefix_override=r.segment + "_",
        ).risk_score
        for r in sub.itertuples()
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller sizes (make bench-quick)")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--model", default="V24")
    a = ap.parse_args()
    load(a.model, 2026)  # both sides start with the tables read
    big, plan, subset = (200_000, 20_000, 2_000) if a.quick else (1_000_000, 20_000, 10_000)
    results = []
    for n, sub, target in ((big, subset, 1 / 50), (plan, plan if not a.quick else subset, 1 / 25)):
        m, d = population(n, a.model)
        check(m, d, a.model, min(sub, 2_000))
        s = m.iloc[:sub]
        results.append(
            pairs(
                f"CMS-HCC {a.model} per member vs hccinfhir",
                lambda m=m, d=d: hcc_scores(m, d, a.model),
                lambda s=s, d=d: reference(s, d, a.model),
                target=target,
                size=f"{n:,} members (hccinfhir on {sub:,})",
                n=a.pairs,
                per=(n, sub),
            )
        )
        r = results[-1]
        print(f"  = {1 / r.value:.1f}x hccinfhir's members per second (target >= {1 / target:.0f}x)")
    finish(results)


if __name__ == "__main__":
    main()
