"""The Performance Index (IP, "Índice de Performance"), 0-100, per unit and month (METHODS 1-2).

Pipeline on tidy tables: ``score_indicators`` (value, band fraction, flags per unit-month-indicator) ->
``performance_index`` (dimension scores, IP and coverage per unit-month) -> ``peer_compare`` (rank,
percentile, peer median) and ``rollup`` (volume-weighted means up the hierarchy).

Missing-weight policy (a program parameter):

- ``redistribute`` (CMS): inside a dimension the weight of a missing indicator is spread over those present;
  a missing dimension's weight is spread over the present dimensions.
- ``zero`` (ANS IDSS): a missing indicator, or a whole missing dimension, counts as 0.

An indicator is *expected* for a unit when the catalogue says it applies to all units, or when the unit
reported it at least once in the table (so a surgical indicator is never charged to a clinical team).
``coverage`` is the share of the expected weight that is present.

References
----------
Abicalaffe C. et al., CBIS 2016 (seed 003): IP as the weighted sum of indicator scores, 0-100.
ANS, Índice de Desempenho da Saúde Suplementar (IDSS): dimensions weighted 30/30/30/10, missing = 0.
CMS HVBP: domain weights redistributed over present domains.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from .catalog import DIMENSIONS, dimension_weight_vector
from .errors import InputError
from .keys import first_rows, group
from .scoring import band_fraction

UNIT = ["client", "program", "unit_id"]
Policy = Literal["redistribute", "zero"]


def indicator_positions(ids: pd.Series, catalog: pd.DataFrame) -> np.ndarray:
    """Row of the catalogue for each measurement row, through category codes (one lookup per distinct id).

    Raises
    ------
    InputError
        If an id is not in the catalogue.
    """
    ind = ids if isinstance(ids.dtype, pd.CategoricalDtype) else ids.astype("category")
    pos = pd.Index(catalog["indicator_id"]).get_indexer(ind.cat.categories.astype(str))
    if (pos < 0).any():
        unknown = list(ind.cat.categories[pos < 0])
        raise InputError([f"indicator(s) {unknown} are not in the catalogue"], "measurements")
    codes = ind.cat.codes.to_numpy()
    if (codes < 0).any():
        raise InputError(["empty indicator_id"], "measurements")
    # intp, the type take and fancy indexing read: a narrower row would be converted at every read.
    return pos.astype(np.intp)[codes]


def score_indicators(measurements: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    """Value, band fraction and flags for every unit-month-indicator row.

    Returns the measurements plus ``value`` (numerator / denominator x unit multiplier; for risk-adjusted rows,
    which carry ``expected`` and ``reference_rate``, numerator / expected x reference rate x multiplier, with
    ``crude`` and ``expected_value`` beside it), ``fraction``
    (share of the indicator's weight earned, 0-1), ``dimension``, ``small_denominator`` (denominator below
    the technical sheet's minimum: flagged, never dropped) and ``missing`` (no value: no cases).
    The input is not modified.
    """
    row = indicator_positions(measurements["indicator_id"], catalog)
    # Rule columns are read through the catalogue row of each measurement (the catalogue has ~50 rows, the
    # data millions): never copied out to a row-by-row frame.
    mult = np.take(catalog["multiplier"].to_numpy(dtype=float), row)  # then scratch for the rules below
    n = measurements["numerator"].to_numpy(dtype=float)
    d = measurements["denominator"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.full(len(n), np.nan)  # no cases: no value
        np.divide(n, d, out=value, where=d > 0)
        value *= mult
    out = measurements.copy(deep=False)  # copy-on-write: new columns never reach the caller's frame
    if "expected" in measurements.columns:
        # Risk-adjusted rows (METHODS 8): value = O/E x reference rate, i.e. numerator over the expected count
        # rescaled to cases; the crude rate and the expected rate are kept for the traceability annex.
        e = measurements["expected"].to_numpy(dtype=float)
        r = measurements["reference_rate"].to_numpy(dtype=float)
        adj = ~np.isnan(e)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["crude"] = np.where(adj, value, np.nan)
            out["expected_value"] = np.where(adj & (d > 0), e / d * mult, np.nan)
            value = np.where(adj, np.where(e > 0, n / e * r * mult, np.nan), value)
    out["value"] = value
    out["fraction"] = band_fraction(value, catalog, row, buf=mult)
    dim = pd.Categorical(catalog["dimension"], categories=DIMENSIONS).codes
    out["dimension"] = pd.Categorical.from_codes(dim[row], categories=DIMENSIONS)
    # mode "clip" (the rows are catalogue rows, all in range): "raise" would copy through a buffer of its own
    out["small_denominator"] = d < np.take(catalog["min_denominator"].to_numpy(float), row, out=mult, mode="clip")
    out["missing"] = np.isnan(value)
    return out


def _expected_weights(
    catalog: pd.DataFrame,
    unit: np.ndarray,
    row: np.ndarray,
    lost: np.ndarray | None,
    n_units: int,
    buf: np.ndarray | None = None,
) -> np.ndarray:
    """Within-dimension weight each unit is expected to report, shape (units, dimensions), from the unit and
    catalogue row of each measurement and the rows without a score (``lost``, None for none). ``buf``: an
    intp array as long as the rows that may be overwritten."""
    dim_code = pd.Categorical(catalog["dimension"], categories=DIMENSIONS).codes
    w = catalog["weight"].to_numpy(float)
    everyone = (catalog["applies_to"] == "all").to_numpy()
    base = np.bincount(dim_code[everyone], weights=w[everyone], minlength=len(DIMENSIONS))
    exp = np.tile(base, (n_units, 1)).astype(float)
    # Which unit scored which indicator (rows without a score go to one more bin, past the last); only the
    # indicators that apply to some units add to a unit's own, so the others are cleared per unit after.
    size = n_units * len(catalog)
    key = np.multiply(unit, len(catalog), out=buf)
    key += row
    if lost is not None:
        key[lost] = size
    seen = np.bincount(key, minlength=size + 1)[:size].reshape(n_units, len(catalog))
    seen[:, everyone] = 0
    seen = seen.ravel()
    u, i = np.divmod(np.flatnonzero(seen), len(catalog))
    np.add.at(exp, (u, dim_code[i]), w[i])
    return exp


def performance_index(
    scores: pd.DataFrame, catalog: pd.DataFrame, dimension_weights: dict[str, float], missing: Policy = "redistribute"
) -> pd.DataFrame:
    """IP (0-100), dimension scores and coverage per unit and month.

    Parameters
    ----------
    scores
        Output of :func:`score_indicators`.
    catalog
        The catalogue (indicator weights inside dimensions, ``applies_to``).
    dimension_weights
        Strategic weights of the four dimensions (any scale; renormalized).
    missing
        ``"redistribute"`` or ``"zero"`` (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        One row per unit and month: the unit columns, ``period``, ``ip``, one ``dim_<dimension>`` column
        per dimension, ``coverage`` (0-1), ``n_indicators``, ``n_small`` (values on small denominators),
        ``policy``.

    Examples
    --------
    ANS IDSS vector (METHODS 2): dimensions 30/30/30/10, two not computed, the others 1.0 and 0.5:
    ``zero`` gives 35.0, ``redistribute`` gives 87.5.
    """
    if missing not in ("redistribute", "zero"):
        raise ValueError(f"missing must be 'redistribute' or 'zero', got {missing!r}")
    dw = dimension_weight_vector(dimension_weights)
    keys = [c for c in ("client", "program", "unit_id", "unit_type", "specialty") if c in scores.columns]
    # Integer codes from the categorical keys: no string comparison over millions of rows.
    ucode, n_u = group(scores, UNIT)
    units = scores[keys].iloc[first_rows(ucode, n_u)].reset_index(drop=True)
    pcode, periods = pd.factorize(scores["period"], sort=True)
    n_p, n_d = len(periods), len(DIMENSIONS)
    row = indicator_positions(scores["indicator_id"], catalog)
    f = scores["fraction"].to_numpy(float)
    lost = np.flatnonzero(np.isnan(f))  # rows without a score: no sum below reads them
    lost = lost if len(lost) else None
    # Keys in intp, the type bincount reads: an int32 key would be converted, a full copy, at every count.
    month = ucode.astype(np.intp)
    month *= n_p
    month += pcode  # the unit-month of each row
    has_row = np.bincount(month, minlength=n_u * n_p).reshape(n_u, n_p) > 0
    # Indicators and small denominators per unit-month in one count: key 2 x month + small. Rows without a
    # score go to one more bin, past the last, instead of being copied out of every array.
    buf = month * 2
    buf += scores["small_denominator"].to_numpy()
    if lost is not None:
        buf[lost] = 2 * n_u * n_p
    tally = np.bincount(buf, minlength=2 * n_u * n_p + 1)[:-1].reshape(n_u * n_p, 2)
    n_ind = tally.sum(axis=1)
    n_small = tally[:, 1]
    size = n_u * n_p * n_d
    cell = month  # the month key is not read again: the cell key is made in its place
    cell *= n_d
    cell += scores["dimension"].cat.codes.to_numpy()
    if lost is not None:
        cell[lost] = size
    expected = _expected_weights(catalog, ucode, row, lost, n_u, buf)[:, None, :]  # (u, 1, d)
    # The weights of the rows go where the tally's key was (read no more): one array fewer to allocate.
    w = np.take(catalog["weight"].to_numpy(float), row, out=buf.view(np.float64) if buf.itemsize == 8 else None,
                mode="clip")  # fmt: skip
    present = np.bincount(cell, weights=w, minlength=size + 1)[:-1].reshape(n_u, n_p, n_d)
    w *= f  # NaN only in the rows without a score, all in the last bin
    earned = np.bincount(cell, weights=w, minlength=size + 1)[:-1].reshape(n_u, n_p, n_d)
    del cell, w, buf
    with np.errstate(invalid="ignore", divide="ignore"):
        if missing == "redistribute":
            dim = np.where(present > 0, 100 * earned / present, np.nan)
            dmask = ~np.isnan(dim)
        else:
            dim = np.where(expected > 0, 100 * earned / expected, np.nan)
            dmask = np.broadcast_to(expected > 0, dim.shape)
        wd = np.where(dmask, dw, 0.0)
        ip = np.nansum(np.where(dmask, dim, 0.0) * dw, axis=2) / wd.sum(axis=2)
        exp_w = np.where(expected > 0, dw, 0.0)
        coverage = (np.where(expected > 0, present / expected, 0.0) * exp_w).sum(axis=2) / exp_w.sum(axis=2)
    uu, pp = np.nonzero(has_row)
    out = units.iloc[uu].reset_index(drop=True)
    out["period"] = periods[pp]
    out["ip"] = ip[uu, pp]
    for k, d in enumerate(DIMENSIONS):
        out[f"dim_{d}"] = dim[uu, pp, k]
    out["coverage"] = coverage[uu, pp]
    flat = uu * n_p + pp
    out["n_indicators"] = n_ind[flat].astype(int)
    out["n_small"] = n_small[flat].astype(int)
    out["policy"] = missing
    return out


def peer_compare(index: pd.DataFrame, peer: str = "specialty", value: str = "ip") -> pd.DataFrame:
    """Rank, percentile and peer median of each unit among its peers in the same month.

    ``rank`` is 1 for the best; ``percentile`` is the share of peers with a lower value plus half the
    ties (0-100); ``peer_median`` and ``peer_n`` describe the peer group.
    """
    g = index.groupby(["client", "program", peer, "period"], observed=True)[value]
    out = index.copy()
    out["peer_n"] = g.transform("count")
    out["peer_median"] = g.transform("median")
    less, ties = _below_and_ties(g.ngroup().to_numpy(), index[value].to_numpy(float))
    n = out["peer_n"].to_numpy()
    # as pandas ranks: "min" descending is 1 + the peers above; "average" ascending is less + (ties + 1) / 2
    out["rank"] = n - less - ties + 1.0
    out["percentile"] = 100 * (less + ties / 2) / n
    return out


def _below_and_ties(group: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: how many values of its group are below its own, and how many equal it (itself included);
    NaN for a row without a value. One sort for both (two group ranks would sort twice)."""
    order = np.lexsort((v, group))
    sg, sv = group[order], v[order]
    start = np.ones(len(v), dtype=bool)  # a run of equal values within a group starts here
    start[1:] = (sg[1:] != sg[:-1]) | (sv[1:] != sv[:-1])
    first = np.flatnonzero(start)
    run = np.cumsum(start) - 1
    size = np.diff(np.append(first, len(v)))
    gstart = np.ones(len(v), dtype=bool)
    gstart[1:] = sg[1:] != sg[:-1]
    gfirst = np.flatnonzero(gstart)[np.cumsum(gstart) - 1]  # the sorted position where each row's group starts
    less, ties = np.empty(len(v)), np.empty(len(v))
    less[order] = first[run] - gfirst  # NaN sorts last in its group: no value counts a NaN below it
    ties[order] = size[run]
    missing = np.isnan(v)
    less[missing] = ties[missing] = np.nan
    return less, ties


def aggregate_measurements(measurements: pd.DataFrame, level: Literal["specialty", "program"]) -> pd.DataFrame:
    """Pool numerators and denominators of the units below a level (doctors -> their specialty team).

    The team's indicator is its own ratio of sums (e.g. specialty length of stay = patient-days /
    discharges), the way the GPS paper scores "Média de Permanência por Especialidade".
    """
    by = ["client", "program", "period", "indicator_id"] + (["specialty"] if level == "specialty" else [])
    cols = ["numerator", "denominator"] + (["expected"] if "expected" in measurements.columns else [])
    g = measurements.groupby(by, observed=True)
    agg = g[cols].sum(min_count=1).reset_index()
    if "reference_rate" in measurements.columns:  # one rate per indicator: O/E of the team x the same rate
        agg["reference_rate"] = g["reference_rate"].first().to_numpy()
    if level == "specialty":
        agg["unit_id"] = agg["specialty"].astype(str)
        agg["unit_type"] = "specialty"
    else:
        agg["unit_id"] = agg["program"].astype(str)
        agg["unit_type"] = "program"
        agg["specialty"] = "all"
    for c in ("unit_id", "unit_type", "specialty"):
        agg[c] = agg[c].astype("category")
    return agg


def volume(measurements: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    """Volume per unit and month: the denominator of a volume indicator (e.g. discharges of E01)."""
    m = measurements[measurements["indicator_id"] == indicator_id]
    return m[[*UNIT, "period", "denominator"]].rename(columns={"denominator": "volume"}).reset_index(drop=True)


def rollup(index: pd.DataFrame, volumes: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Volume-weighted mean IP (and dimension scores) of the units grouped by ``by`` and month.

    Units without a volume in a month get weight 0 and are reported in ``n_units_without_volume``.
    """
    x = index.merge(volumes, on=[*UNIT, "period"], how="left")
    wv = x["volume"].fillna(0.0).to_numpy()
    cols = ["ip", *[f"dim_{d}" for d in DIMENSIONS]]
    tmp = pd.DataFrame({c: np.nan_to_num(x[c].to_numpy()) * wv for c in cols})
    wts = pd.DataFrame({f"w_{c}": np.where(x[c].isna(), 0.0, wv) for c in cols})
    tmp = pd.concat([x[[*by, "period"]], tmp, wts], axis=1)
    tmp["n_units"] = 1
    tmp["n_units_without_volume"] = (wv == 0).astype(int)
    tmp["volume"] = wv
    g = tmp.groupby([*by, "period"], observed=True).sum(numeric_only=True)
    res = pd.DataFrame({c: g[c] / g[f"w_{c}"].replace(0, np.nan) for c in cols})
    res[["n_units", "n_units_without_volume", "volume"]] = g[["n_units", "n_units_without_volume", "volume"]]
    return res.reset_index()
