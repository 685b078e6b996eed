"""Benchmark: the hierarchical logistic fit (CMS's P/E, ``gps_core.riskadjust.hierarchical_logistic``) against
its implementation before issue 17, kept below: the same Laplace likelihood, minimized by BFGS on a
finite-difference gradient and polished by Nelder-Mead over the raw covariates. The two sides alternate over
``--pairs`` pairs, each run in its own forked process (benchmarks/timing.py).

The case is a hospital's case-mix model: an age in years, sex, admission type and a grouped diagnosis
(``k`` dummy columns in all), a random intercept per team. Before any time is reported, the fit must reach a
Laplace log-likelihood at least as high as the old one's (it is the same maximum, or a better one where the
old search stopped short). Target: at most 0.1x on 12 columns (the old fit's evaluations grew with the square
of the covariates: 90 s for 30 covariates on 23,000 stays); 0.25x on the quick case's 8.

Run: ``python benchmarks/bench_riskadjust.py [--pairs 5] [--quick]``.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import expit, log_expit
from timing import finish, pairs

from gps_core.riskadjust import hierarchical_logistic


def _old_modes(eta0, y, g, k, sigma, iters=50):
    u = np.zeros(k)
    for _ in range(iters):
        p = expit(eta0 + u[g])
        grad = np.bincount(g, y - p, minlength=k) - u / sigma**2
        hess = np.bincount(g, p * (1 - p), minlength=k) + 1 / sigma**2
        step = grad / hess
        u += step
        if np.max(np.abs(step)) < 1e-12:
            break
    p = expit(eta0 + u[g])
    return u, np.bincount(g, p * (1 - p), minlength=k) + 1 / sigma**2


def _old_laplace(theta, X, y, g, k):
    beta, sigma = theta[:-1], np.exp(theta[-1])
    eta0 = X @ beta
    u, hess = _old_modes(eta0, y, g, k, sigma)
    eta = eta0 + u[g]
    cond = np.bincount(g, y * log_expit(eta) + (1 - y) * log_expit(-eta), minlength=k)
    return -float((cond - u**2 / (2 * sigma**2) - 0.5 * np.log(sigma**2 * hess)).sum())


def old_fit(y, X, groups) -> float:
    """The fit before issue 17; returns its Laplace log-likelihood."""
    y, X = np.asarray(y, float), np.asarray(X, float)
    codes, labels = pd.factorize(np.asarray(groups), sort=True)
    k = len(labels)
    start = np.append(np.linalg.lstsq(X, np.log((y + 0.5) / (1.5 - y)), rcond=None)[0] * 0.5, np.log(0.5))
    res = optimize.minimize(_old_laplace, start, args=(X, y, codes, k), method="BFGS", options={"gtol": 1e-9})
    res = optimize.minimize(_old_laplace, res.x, args=(X, y, codes, k), method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})  # fmt: skip
    return -float(res.fun)


def case(n: int, groups: int, teams: int, seed: int = 17):
    """A case-mix design: intercept, age (years), sex, two admission types, ``groups - 1`` diagnosis groups."""
    rng = np.random.default_rng(seed)
    age = rng.normal(60, 17, n).clip(0, 100)
    adm = rng.integers(0, 3, n)
    dx = rng.integers(0, groups, n)
    X = np.column_stack([np.ones(n), age, rng.integers(0, 2, n), adm == 1, adm == 2,
                         *((dx == j) for j in range(1, groups))]).astype(float)  # fmt: skip
    team = rng.integers(0, teams, n)
    eta = -4 + 0.04 * (age - 60) + 0.8 * (adm == 2) + rng.normal(0, 0.7, groups)[dx] + rng.normal(0, 0.3, teams)[team]
    return rng.binomial(1, expit(eta)), X, team


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="a smaller case (make bench-quick)")
    ap.add_argument("--pairs", type=int, default=5)
    a = ap.parse_args()
    n, groups = (3_000, 4) if a.quick else (10_000, 8)
    y, X, team = case(n, groups, 30)
    new, old = hierarchical_logistic(y, X, team).loglik, old_fit(y, X, team)
    assert new >= old - 1e-6, (new, old)  # the same maximum or a higher one, before any time counts
    print(f"Laplace log-likelihood: ours {new:.6f}, before {old:.6f}")
    finish([pairs("hierarchical logistic fit vs its finite-difference + Nelder-Mead predecessor",
                  lambda: hierarchical_logistic(y, X, team), lambda: old_fit(y, X, team),
                  target=0.25 if a.quick else 0.1, size=f"{n:,} patients, {X.shape[1]} columns, 30 teams",
                  n=a.pairs)])  # fmt: skip
