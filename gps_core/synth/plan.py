"""A synthetic health plan for the capitation demo and tests: members, eligibility months, CID-10 diagnoses
and costs over two years, from a stated model whose coefficients calibration must recover.

Generative model (``numpy.random.default_rng(seed)``, ``truth()`` returns the coefficients):

- Members: ages 0-95 as a Brazilian private plan (more adults 25-60), 52 % women; year-1 eligibility is
  12 months for 85 %, else 1-11; year 2 keeps 90 % of members (the others leave) with 12 months for 88 %.
- Conditions (``CONDITIONS``: a CID-10 code each, chosen so each is one V24 HCC and no two share a
  hierarchy): logit of the year-1 prevalence = ``a_c + b_c (age - 50) / 10``; a year-1 condition persists
  with probability ``persist_c``, and new cases arise at a tenth of the prevalence. Diagnoses are recorded
  with probability 0.9 per condition-year, plus 0-4 noise codes without an HCC (J06.9, R50.9, M54.5, Z00.0,
  I10).
- Year-2 cost per member-month (R$), two-part, from year-1 conditions (prospective):
  ``P(any cost) = logistic(g0 + g_age (age - 50) / 10 + Σ g_c x_c)`` and, when positive,
  ``cost ~ Gamma(shape 1.5, mean exp(b0 + b_female f + b_age (age - 50) / 10 + Σ b_c x_c))``.
- Each member-year's cost is split by specialty (``SPECIALTY``; no random draw): a condition c the member
  has takes ``(exp(b_c) - 1) / (1 + Σ_c' (exp(b_c') - 1))`` of it, the part its cost multiplier adds, for
  the specialty that treats it; the rest is ``geral``. So specialty bundles have their own costs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# name: (CID-10 code, a_c, b_c, persist_c, gamma_c (any cost), beta_c (log mean cost))
CONDITIONS = {
    "diabetes": ("E11.9", -2.6, 0.45, 0.97, 1.0, 0.35),
    "heart_failure": ("I50.9", -4.6, 0.70, 0.90, 1.5, 0.80),
    "copd": ("J44.9", -4.0, 0.55, 0.92, 1.2, 0.55),
    "ckd4": ("N18.4", -5.2, 0.60, 0.95, 1.5, 0.90),
    "breast_cancer": ("C50.9", -5.0, 0.35, 0.70, 2.0, 1.40),
    "depression": ("F33.1", -3.6, 0.05, 0.75, 0.8, 0.30),
    "ami": ("I21.4", -5.6, 0.60, 0.15, 2.0, 1.00),
    "stroke": ("I63.9", -5.5, 0.65, 0.30, 1.8, 0.85),
    "rheumatoid": ("M06.9", -4.6, 0.25, 0.95, 1.0, 0.60),
    "schizophrenia": ("F20.0", -5.8, -0.10, 0.98, 1.2, 0.70),
}
NOISE = ["J06.9", "R50.9", "M54.5", "Z00.0", "I10"]
# the specialty that treats each condition; the rest of a member's cost is "geral" (general care)
SPECIALTY = {
    "heart_failure": "cardiologia",
    "ami": "cardiologia",
    "stroke": "cardiologia",
    "breast_cancer": "oncologia",
    "depression": "psiquiatria",
    "schizophrenia": "psiquiatria",
}
BASE = {"g0": 0.6, "g_age": 0.25, "b0": 5.0, "b_female": 0.10, "b_age": 0.12}


def truth() -> dict:
    """The planted coefficients: the cost model's base terms and, per condition, its code and effects."""
    return {"base": dict(BASE), "conditions": {k: dict(zip(("code", "a", "b", "persist", "gamma", "beta"), v,
                                                           strict=True)) for k, v in CONDITIONS.items()}}  # fmt: skip


def plan(n: int = 20_000, seed: int = 2024, years: tuple[int, int] = (2024, 2025)) -> dict[str, pd.DataFrame]:
    """The plan's tables: ``members`` (member_id, sex, birth year, panel), ``eligibility`` (member_id, year,
    months), ``diagnoses`` (member_id, year, code) and ``costs`` (member_id, year, specialty, amount in R$); and
    ``conditions`` (the true condition flags per member and year, for tests)."""
    rng = np.random.default_rng(seed)
    y1, y2 = years
    age = np.clip(np.concatenate([rng.normal(40, 17, int(n * 0.85)), rng.uniform(60, 95, n - int(n * 0.85))]), 0, 95)
    age = rng.permutation(age).astype(int)
    female = rng.random(n) < 0.52
    ids = np.char.add("B", np.char.zfill(np.arange(1, n + 1).astype(str), 6))
    z = (age - 50) / 10
    flags1, flags2 = {}, {}
    for k, (_, a, b, persist, _, _) in CONDITIONS.items():
        p = 1 / (1 + np.exp(-(a + b * z)))
        flags1[k] = rng.random(n) < p
        flags2[k] = np.where(flags1[k], rng.random(n) < persist, rng.random(n) < p / 10)
    stay = rng.random(n) < 0.9
    mm1 = np.where(rng.random(n) < 0.85, 12, rng.integers(1, 12, n))
    mm2 = np.where(stay, np.where(rng.random(n) < 0.88, 12, rng.integers(1, 12, n)), 0)
    # year-2 cost from year-1 conditions (prospective)
    g = BASE["g0"] + BASE["g_age"] * z + sum(CONDITIONS[k][4] * flags1[k] for k in CONDITIONS)
    mu = np.exp(BASE["b0"] + BASE["b_female"] * female + BASE["b_age"] * z
                + sum(CONDITIONS[k][5] * flags1[k] for k in CONDITIONS))  # fmt: skip
    any_cost = rng.random(n) < 1 / (1 + np.exp(-g))
    pmpm2 = np.where(any_cost, rng.gamma(1.5, mu / 1.5), 0.0)
    # year-1 cost from the same model on age only (no prior year), for the profile
    mu1 = np.exp(BASE["b0"] + BASE["b_female"] * female + BASE["b_age"] * z
                 + sum(CONDITIONS[k][5] * flags1[k] for k in CONDITIONS))  # fmt: skip
    pmpm1 = np.where(rng.random(n) < 1 / (1 + np.exp(-g)), rng.gamma(1.5, mu1 / 1.5), 0.0)
    members = pd.DataFrame(
        {
            "member_id": ids,
            "sex": np.where(female, "F", "M"),
            "birth_year": y1 - age,
            "panel": rng.choice([f"Clínica {c}" for c in "ABCDEFGH"], n),
        }
    )
    elig = pd.concat(
        [pd.DataFrame({"member_id": ids, "year": y, "months": mm}) for y, mm in ((y1, mm1), (y2, mm2))],
        ignore_index=True,
    )
    elig = elig[elig["months"] > 0].reset_index(drop=True)
    dx = []
    for y, flags, mm in ((y1, flags1, mm1), (y2, flags2, mm2)):
        for k, f in flags.items():
            who = np.flatnonzero(f & (mm > 0) & (rng.random(n) < 0.9))
            dx.append(pd.DataFrame({"member_id": ids[who], "year": y, "code": CONDITIONS[k][0]}))
        k_noise = rng.poisson(1.5, n) * (mm > 0)
        who = np.repeat(np.arange(n), k_noise)
        dx.append(pd.DataFrame({"member_id": ids[who], "year": y, "code": rng.choice(NOISE, len(who))}))
    dx = pd.concat(dx, ignore_index=True).drop_duplicates().sort_values(["year", "member_id"], ignore_index=True)
    costs = []
    # both years' costs were drawn from the year-1 conditions, so those split them
    excess = {k: (np.exp(CONDITIONS[k][5]) - 1) * flags1[k] for k in CONDITIONS}
    total = 1 + sum(excess.values())
    for y, pm, mm in ((y1, pmpm1, mm1), (y2, pmpm2, mm2)):
        spent = np.zeros(n)
        for s in ("cardiologia", "oncologia", "psiquiatria"):
            part = np.round(pm * mm * sum(excess[k] for k, v in SPECIALTY.items() if v == s) / total, 2)
            spent += part
            costs.append(pd.DataFrame({"member_id": ids, "year": y, "specialty": s, "amount": part}))
        rest = np.round(np.round(pm * mm, 2) - spent, 2)
        costs.append(pd.DataFrame({"member_id": ids, "year": y, "specialty": "geral", "amount": rest}))
    costs = pd.concat(costs, ignore_index=True)
    costs = costs.merge(elig[["member_id", "year"]], on=["member_id", "year"])
    cond = pd.concat(
        [
            pd.DataFrame({"member_id": ids, "year": y, **{k: v for k, v in f.items()}})
            for y, f in ((y1, flags1), (y2, flags2))
        ],
        ignore_index=True,
    )
    return {"members": members, "eligibility": elig, "diagnoses": dx, "costs": costs, "conditions": cond}


def panel_scores(seed: int = 2024) -> pd.DataFrame:
    """A quality score (0-100, as a Performance Index) per panel of :func:`plan`, for the value payment of
    the demo: ``panel``, ``ip``, drawn uniformly between 55 and 90."""
    rng = np.random.default_rng(seed)
    panels = [f"Clínica {c}" for c in "ABCDEFGH"]
    return pd.DataFrame({"panel": panels, "ip": np.round(rng.uniform(55, 90, len(panels)), 1)})


def write_scores(path, seed: int = 2024) -> None:
    """Write :func:`panel_scores` as a Brazilian client sends it (``;`` and decimal comma)."""
    panel_scores(seed).to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8")
