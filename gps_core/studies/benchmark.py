"""A benchmark study on the pool, from validated params (benchmark_study.ipynb; METHODS 2, 6, 7, 11).

Opens the pool the params name (or builds one from shipped data in a temporary folder), computes the
published benchmark cells (``benchmark.study``), the suggested ideal bands, the funnels of the params
(``funnel.funnel_data`` on the units' or clients' totals over the period) and, when asked, CMS HRRP
O/E funnels by condition. For a client's own view (``audience: client``) every table and chart holds only
the client's own values and published cells: the funnel limits use every unit, the points shown are the
client's.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import catalog as cat
from .. import funnel as fn
from ..catalog import UNITS
from ..errors import ParamsError
from ..pooled import benchmark, deid, ingest, sources, store


@dataclass
class Study:
    params: object
    pool: store.Pool
    catalog: pd.DataFrame
    source: str
    cells: pd.DataFrame
    bands: dict
    funnels: list[dict] = field(default_factory=list)
    hrrp: list[dict] = field(default_factory=list)
    own: str | None = None
    min_cases: dict[str, float] = field(default_factory=dict)
    inputs: list[dict] = field(default_factory=list)
    tmp: Path | None = None
    origin: dict = field(default_factory=dict)  # the source as codes and counts (the view words it)
    units: object = None  # the unit values over the period, computed once (benchmark.units): every table reads them

    @property
    def months(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        return self.params.period.first, self.params.period.last

    def close(self) -> None:
        """Close the pool and remove a pool built for the run."""
        _discard(self.pool, self.tmp, self.units)


def open_pool(params) -> tuple[store.Pool, bytes | None, Path | None, str, list[dict], dict]:
    """The pool of the params, its key (None when the study needs none), the temporary folder of a pool
    built for the run, a description of the source and the input hashes."""
    from ..params import shown, where
    from ..refdata import sha256

    ps = params.pool
    if ps.kind in ("duckdb", "pyspark"):
        loc = where(ps.location)
        pool = store.connect(loc, ps.kind)
        key = None
        if ps.key_file is not None:
            key = store.read_key(where(ps.key_file))
            if _fingerprint(pool) != deid.fingerprint(key):  # read-only: a wrong key would find no client
                pool.close()
                raise ParamsError(f"{ps.key_file}: not the key of the pool {loc} (fingerprints differ)")
        return pool, key, None, f"pool {loc.name} ({ps.kind})", [], {"kind": "pool", "name": loc.name}
    tmp = Path(tempfile.mkdtemp(prefix="gps-pool-"))
    key = secrets.token_bytes(32)  # made for the run and never stored: the built pool dies with it
    pool = store.connect(tmp / "pool.duckdb", create=True)
    try:
        if ps.kind == "synthetic":
            from ..synth import pool as synth_pool

            clients = synth_pool.clients(year=params.period.first.year, seed=ps.seed)
            what, inputs = f"synthetic pool of {len(clients)} clients (seed {ps.seed})", []
            origin = {"kind": "synthetic", "clients": len(clients), "seed": ps.seed}
        else:
            path = where(ps.path)
            clients = sources.nhs_ae_clients(path, params.period.start, params.period.months)
            what = f"NHS England A&E: {len(clients)} providers with type-1 departments"
            origin = {"kind": "nhs_ae", "clients": len(clients)}
            inputs = [{"file": shown(ps.path), "sha256": sha256(path)}]
        for name, seg, m in clients:
            ingest.ingest(pool, [f"{name}.csv"], name, params.period.name, key, segment=seg, frames=[m],
                          catalog=params.catalog, who="benchmark_study")  # fmt: skip
    except BaseException:
        _discard(pool, tmp)
        raise
    return pool, key, tmp, what, inputs, origin


def _discard(pool: store.Pool, tmp: Path | None, units=None) -> None:
    """Close the pool and remove it when it was built for the run; the cached unit values are released
    first, while the connection is open."""
    if units is not None:
        units.release()
    pool.close()
    if tmp is not None:
        shutil.rmtree(tmp, ignore_errors=True)


def run(params) -> Study:
    """Compute the study the params describe. Close it (``Study.close``) when done."""
    from ..params import origin as params_file
    from ..params import shown, where

    catalog = cat.load_catalog(params.catalog)
    pool, key, tmp, what, inputs, origin = open_pool(params)
    values = None
    try:
        missing = [i for i in [*params.featured, *(f.indicator for f in params.funnels)]
                   if i not in set(catalog["indicator_id"])]  # fmt: skip
        if missing:
            raise ParamsError(
                f"{params_file(params)}: indicator(s) {missing} are not in the catalogue '{params.catalog}'"
            )
        need = min_cases(params, catalog)
        values = benchmark.units(pool, (params.period.first, params.period.last))
        cells = benchmark.study(pool, catalog, list(params.by), min_clients=params.min_clients,
                                max_share=params.max_share, min_cases=need, values=values)  # fmt: skip
        bands = benchmark.suggested_bands(cells, catalog, what)
        own = None
        if params.audience == "client":
            own = deid.pseudonym([params.own_client], key, "client")[0]
            if own not in set(pool.fetch("contributors")["client"]):
                raise ParamsError(f"{params_file(params)}: own_client {params.own_client!r} is not in the pool "
                                  "(the name must be written as it was ingested, with the pool's key)")  # fmt: skip
        s = Study(params, pool, catalog, what, cells, bands, own=own, inputs=inputs, tmp=tmp, min_cases=need,
                  origin=origin, units=values)  # fmt: skip
        s.funnels = [funnel(s, f) for f in params.funnels]
        if params.hrrp is not None:
            path = where(params.hrrp.path)
            s.hrrp = hrrp_funnels(sources.hrrp(path), params.hrrp)
            from ..refdata import sha256

            s.inputs.append({"file": shown(params.hrrp.path), "sha256": sha256(path)})
        return s
    except BaseException:
        _discard(pool, tmp, values)
        raise


def min_cases(params, catalog: pd.DataFrame) -> dict[str, float]:
    """The smallest denominator over the period for a unit to count, per indicator."""
    if params.min_cases == "none":
        return {}
    if params.min_cases == "catalog":
        return dict(zip(catalog["indicator_id"], catalog["min_denominator"].astype(float), strict=True))
    bad = sorted(set(params.min_cases) - set(catalog["indicator_id"]))
    if bad:
        raise ParamsError(f"min_cases: indicator(s) {bad} are not in the catalogue '{params.catalog}'")
    return {k: float(v) for k, v in params.min_cases.items()}


def excluded(s: Study) -> pd.DataFrame:
    """Per indicator: units with data in the period and units left out for too few cases."""
    u = s.units
    t = u.group_by("indicator_id").agg(units=u.count()).to_pandas().set_index("indicator_id")
    k = benchmark.enough(u, s.min_cases)
    kept = k.group_by("indicator_id").agg(kept=k.count()).to_pandas().set_index("indicator_id")
    out = t.join(kept).fillna({"kept": 0}).astype(int).reset_index()
    out["min_cases"] = out["indicator_id"].map(s.min_cases)
    out["left_out"] = out["units"] - out["kept"]
    return out.sort_values("indicator_id").reset_index(drop=True)


def funnel(s: Study, spec) -> dict:
    """One funnel of the study: ``data`` (``funnel_data`` of every unit or client, on the value scale,
    ``own`` marking the client's), ``lines`` (``funnel.curves``, same scale) and ``shown`` (the points the
    audience may see)."""
    name = "client" if spec.level == "client" else "unit"
    need = {spec.indicator: s.min_cases[spec.indicator]} if spec.indicator in s.min_cases else None
    # the minimum applies to what is plotted: a unit, or a client's total over all its units
    units = s.units.filter(s.units.indicator_id == spec.indicator)
    units = benchmark.enough(units, need if name == "unit" else None).to_pandas()
    t = units.groupby(name, as_index=False)[["numerator", "denominator", "expected"]].sum(min_count=1)
    if name == "unit":
        t = t.merge(units[["unit", "client"]].drop_duplicates("unit"), on="unit")
    else:
        t = t[t["denominator"] >= (need or {}).get(spec.indicator, 0)].reset_index(drop=True)
    if spec.data_type == "SR":
        if t["expected"].isna().any():
            raise ParamsError(f"funnel {spec.indicator}: data_type 'SR' needs the expected counts, and the pool "
                              "has none for this indicator; use 'PR'")  # fmt: skip
        o, n = t["numerator"], t["expected"]
    else:
        o, n = t["numerator"], t["denominator"]
    d = fn.funnel_data(o, n, spec.data_type, spec.sr_method, spec.od_adjust, spec.limit, units=t[name].to_numpy(),
                       source=f"funnel {spec.indicator}")  # fmt: skip
    d["p_exact"] = exact_p(d, spec.data_type)
    confirm(d)
    info = s.catalog.set_index("indicator_id").loc[spec.indicator]
    mult = 1.0 if spec.data_type == "SR" else UNITS.get(info["unit"], 1.0)
    lines = fn.curves(d)
    d, lines = _scaled(d, mult), _scaled(lines, mult)
    d["own"] = (t["client"] == s.own).to_numpy() if s.own is not None else False
    shown = d[d["own"]] if s.params.audience == "client" else d
    return {"spec": spec, "label": f"{spec.indicator} {info['name_en' if s.params.language == 'en' else 'name_pt']}",
            "unit": "ratio" if spec.data_type == "SR" else info["unit"], "data": d, "lines": lines, "shown": shown,
            "target": d.attrs["target"] * mult}  # fmt: skip


def confirm(d: pd.DataFrame) -> None:
    """Flag a point as an outlier only when the exact test agrees (methods §8): ``outside`` keeps where the
    approximate limits put it, ``outlier`` becomes outside and, where a count allows an exact test, with an
    exact two-sided p below the limit's level (0.05 for 95 %, 0.002 for 99.8 %). The arcsine and log limits
    are approximations that flag zero counts at low rates too readily; a point without an exact test (CMS's
    predicted readmissions) keeps the approximate flag."""
    level = 1 - d.attrs["limit"] / 100
    d["outside"] = d["outlier"]
    d["outlier"] = d["outside"] & (d["p_exact"].isna() | (d["p_exact"] < level))


def exact_p(d: pd.DataFrame, data_type: str) -> np.ndarray:
    """Two-sided exact tail probability of each unit's count at the funnel's target, without
    overdispersion: binomial (PR) or Poisson on E (SR); blank where the count is not whole. The arcsine
    and log limits are approximations that run wide of it for zero counts at low rates."""
    from scipy import stats as sps

    o, n = d["numerator"].to_numpy(float), d["denominator"].to_numpy(float)
    whole = np.isclose(o, np.round(o)) & (np.isclose(n, np.round(n)) | (data_type == "SR"))
    k = np.round(o)
    if data_type == "PR":
        p = d.attrs["target"]
        lo, hi = sps.binom.cdf(k, np.round(n), p), sps.binom.sf(k - 1, np.round(n), p)
    else:
        lo, hi = sps.poisson.cdf(k, n), sps.poisson.sf(k - 1, n)
    return np.where(whole, np.minimum(1.0, 2 * np.minimum(lo, hi)), np.nan)


def _scaled(d: pd.DataFrame, mult: float) -> pd.DataFrame:
    out = d.copy()
    for c in ("value", "lower", "upper", "ci_lower", "ci_upper"):
        if c in out:
            out[c] = out[c] * mult
    out.attrs = dict(d.attrs)
    return out


def hrrp_funnels(h: pd.DataFrame, spec) -> list[dict]:
    """One O/E funnel per HRRP condition (``sources.hrrp``): readmissions predicted by CMS's model over
    expected, one point per hospital."""
    out = []
    for c in spec.conditions:
        g = h[h["condition"] == c]
        d = fn.funnel_data(g["observed"], g["expected"], "SR", spec.sr_method, spec.od_adjust, spec.limit,
                           units=g["hospital"].to_numpy(), source=f"HRRP {c}")  # fmt: skip
        d["own"] = False
        d["p_exact"] = np.nan  # CMS's O is a model prediction, not a count
        confirm(d)
        out.append({"condition": c, "label": sources.CONDITIONS[c], "data": d, "lines": fn.curves(d), "shown": d,
                    "target": 1.0})  # fmt: skip
    return out


def points(funnels: list[dict], key: str = "label") -> pd.DataFrame:
    """The points the audience may see of several funnels, one table (``funnel`` names each), as exported:
    value, limits, z, outlier, own 95 % interval and exact p."""
    return pd.concat([f["shown"].drop(columns=["own"]).assign(funnel=f[key]) for f in funnels], ignore_index=True)


def funnel_summary(funnels: list[dict], key: str = "label") -> pd.DataFrame:
    """Per funnel: the points shown (every point, or a client's own), phi and tau2 of the whole funnel,
    whether the limits were widened, the shown outliers above and below the limits, and the points outside
    the approximate limits that the exact test does not confirm (``unconfirmed``)."""
    rows = []
    for f in funnels:
        d, a = f["shown"], f["data"].attrs
        hi = d["outlier"] & (d["value"] > d["upper"])
        rows.append({"funnel": f[key], "method": a["method"], "units": len(d), "target": f["target"], "phi": a["phi"],
                     "tau2": a["tau2"], "od_adjusted": a["od_adjusted"], "limit": a["limit"],
                     "above": int(hi.sum()), "below": int((d["outlier"] & ~hi).sum()),
                     "unconfirmed": int((d["outside"] & ~d["outlier"]).sum())})  # fmt: skip
    return pd.DataFrame(rows)


def description(s: Study) -> dict[str, pd.DataFrame]:
    """What the study rests on: ``contributors`` (clients by segment), ``loads`` (per period: clients, rows,
    smallest k, last load) and ``suppression`` (cells by segment and reason)."""
    c = s.pool.fetch("contributors")
    seg = pd.concat(
        [c.groupby(col, dropna=False).size().rename("clients").reset_index().rename(columns={col: "group"})
         .assign(segment=col) for col in ("client_type", "size", "region")], ignore_index=True
    )[["segment", "group", "clients"]]  # fmt: skip
    seg["group"] = seg["group"].fillna("(not stated)")
    loads = s.pool.fetch("loads")
    per = (
        loads.groupby(["kind", "period"], as_index=False)
        .agg(clients=("client", "nunique"), rows=("rows_loaded", "sum"), k=("k", "min"), last=("loaded_at", "max"))
    )  # fmt: skip
    cells = s.cells.assign(reason=s.cells["reason"].replace("", "published"))
    sup = cells.pivot_table(index="segment", columns="reason", values="indicator_id", aggfunc="count", fill_value=0)
    order = ["published", *sorted(x for x in sup.columns if x != "published")]
    sup = sup[order].reindex(["all", *[b for b in s.params.by]]).reset_index()
    sup.columns.name = None
    return {"contributors": seg, "loads": per, "suppression": sup}


def ranges(s: Study, segment: str = "all", indicators: list[str] | None = None, own: pd.DataFrame | None = None):
    """Published cells of a segment with their indicator label and unit of measure (what the ranges chart
    draws); suppressed cells are left out of the chart and stay in the tables. ``own`` (``own_position``)
    adds the client's median as ``own``."""
    c = s.cells[(s.cells["segment"] == segment) & s.cells["published"]]
    if indicators is not None:
        c = c[c["indicator_id"].isin(indicators)]
    info = s.catalog.set_index("indicator_id")
    name = "name_en" if s.params.language == "en" else "name_pt"
    out = c.assign(label=c["indicator_id"] + " " + c["indicator_id"].map(info[name]),
                   unit=c["indicator_id"].map(info["unit"])).reset_index(drop=True)  # fmt: skip
    if own is not None:
        out["own"] = out["indicator_id"].map(own.set_index("indicator_id")["value"])
    return out


def own_position(s: Study) -> pd.DataFrame:
    """The client's own units against the pool, per indicator: ``value`` is the median of its units (the
    level the cells describe; ``total`` is the client's pooled rate), beside the published overall cell
    and the median of each of its own segments; ``position`` says where the value falls among the published
    percentiles and ``better_than_median`` reads the indicator's polarity. Only the client's values and
    published cells: nothing of another client."""
    u = benchmark.enough(s.units, s.min_cases)
    u = u.filter(u.client == s.own)
    t = u.group_by("indicator_id").agg(units=u.count(), value=u.value.median(), numerator=u.numerator.sum(),
                                       denominator=u.denominator.sum()).to_pandas()  # fmt: skip
    info = s.catalog.set_index("indicator_id")
    t = t[t["indicator_id"].isin(info.index)]
    mult = t["indicator_id"].map(info["unit"]).map(UNITS).fillna(1.0)
    t["value"] = t["value"] * mult  # the median of the client's units: the level the cells describe
    t["total"] = t["numerator"] / t["denominator"] * mult
    allc = s.cells[s.cells["segment"] == "all"].set_index("indicator_id")
    out = t.join(allc[[*benchmark.STATS, "published", "reason"]], on="indicator_id")
    mine = s.pool.fetch("contributors").set_index("client").loc[s.own]
    for seg in s.params.by:
        if seg not in ("client_type", "size", "region") or pd.isna(mine[seg]):
            continue
        g = s.cells[(s.cells["segment"] == seg) & (s.cells["group"] == str(mine[seg]))].set_index("indicator_id")
        out[f"p50_{seg}"] = out["indicator_id"].map(g["p50"])
    edges = out[["p10", "p25", "p50", "p75", "p90"]].to_numpy(float)
    v = out["value"].to_numpy(float)
    idx = (v[:, None] > edges).sum(axis=1)  # 0: below P10 ... 5: above P90
    names = np.array(["< P10", "P10–P25", "P25–P50", "P50–P75", "P75–P90", "> P90"])
    ok = out["published"].fillna(False).to_numpy(bool) & np.isfinite(v)
    out["position"] = np.where(ok, names[idx], "")
    pol = out["indicator_id"].map(info["polarity"]).to_numpy()
    better = np.where(pol == "lower", v < out["p50"].to_numpy(float), v > out["p50"].to_numpy(float))
    out["better_than_median"] = pd.array(np.where(ok & (pol != "range"), better, None), dtype="boolean")
    out["unit"] = out["indicator_id"].map(info["unit"])
    return out.sort_values("indicator_id").reset_index(drop=True)


def provenance(s: Study) -> dict:
    """Params, versions, input hashes and the pool's loads (hashes, never file names)."""
    from .evaluation import provenance as base

    loads = s.pool.fetch("loads")
    inputs = [*s.inputs, {"pool": f"{s.source}; {len(loads)} loads; key fingerprint {_fingerprint(s.pool)}"}]
    return base(s.params, inputs)


def _fingerprint(pool: store.Pool) -> str:
    m = pool.fetch("meta")
    hit = m.loc[m["setting"] == "key_fingerprint", "value"]
    return str(hit.iloc[0]) if len(hit) else "none"
