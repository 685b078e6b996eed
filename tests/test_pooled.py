"""The pooled database: de-identification (METHODS 11), transactional loads, disclosure control and
benchmark statistics checked against an independent pandas computation."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from gps_core import catalog
from gps_core.errors import InputError, ParamsError
from gps_core.pooled import benchmark, deid, disclosure, ingest, store

CAT = catalog.load_catalog("hospital_2015")
SURNAMES = ["Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Costa", "Almeida"]


def people(n: int, seed: int = 1) -> pd.DataFrame:
    """A stays file as a client exports it, direct identifiers included."""
    rng = np.random.default_rng(seed)
    adm = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 360, n), "D")
    los = rng.integers(0, 15, n)
    cpf = [f"{a:03d}.{b:03d}.{c:03d}-{d:02d}" for a, b, c, d in rng.integers(0, 999, (n, 4)) % [999, 999, 999, 99]]
    return pd.DataFrame(
        {
            "patient_id": [f"PAC{i:05d}" for i in rng.integers(0, n // 2, n)],
            "nome": [f"Maria {SURNAMES[i % 8]} {i}" for i in range(n)],
            "cpf": cpf,
            "telefone": [f"(11) 9{rng.integers(1000, 9999)}-{rng.integers(1000, 9999)}" for _ in range(n)],
            "email": [f"p{i}@mail.com" for i in range(n)],
            "endereco": [f"Rua {i}, {i * 3}" for i in range(n)],
            "doctor_id": [f"CRM{d}" for d in rng.integers(1, 20, n)],
            "admission": adm.strftime("%d/%m/%Y"),
            "discharge": (adm + pd.to_timedelta(los, "D")).strftime("%d/%m/%Y"),
            "specialty": rng.choice(["Clínica", "Cirurgia", "Obstetrícia"], n),
            "age": rng.integers(0, 100, n).astype(str),
            "sex": rng.choice(["M", "F"], n),
            "cep": [
                f"{c:05d}-{s:03d}"
                for c, s in zip(rng.choice([1310, 1311, 4500, 20040, 90010], n), rng.integers(0, 999, n), strict=True)
            ],  # fmt: skip
            "discharge_status": rng.choice(["alta", "alta", "alta", "óbito"], n),
            "cost": [f"{v:.2f}".replace(".", ",") for v in rng.gamma(2, 2000, n)],
        }
    )


def measurements(client: str, units: int, level: float, seed: int) -> pd.DataFrame:
    """A client's monthly measurements of S01 (percent, higher is better) for ``units`` units."""
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(units):
        p = np.clip(level + rng.normal(0, 0.05), 0.05, 0.99)
        for m in range(1, 13):
            n = int(rng.integers(20, 60))
            rows.append((client, "prog", f"U{u}", "ward", "Clínica", f"2024-{m:02d}", "S01", rng.binomial(n, p), n))
    return pd.DataFrame(rows, columns=["client", "program", "unit_id", "unit_type", "specialty", "period",
                                       "indicator_id", "numerator", "denominator"])  # fmt: skip


@pytest.fixture()
def pool(tmp_path):
    key = store.read_key(tmp_path / "keys" / "pool.key", create=True)
    p = store.connect(tmp_path / "pool.duckdb", create=True)
    yield p, key
    p.close()


def test_pseudonyms_are_keyed_stable_and_separated_by_role():
    k1, k2 = b"k" * 32, b"j" * 32
    a = deid.pseudonym(["123", "456", "123", None], k1, "person")
    assert a[0] == a[2] != a[1] and a[3] is None and len(a[0]) == 20
    assert deid.pseudonym(["123"], k2, "person")[0] != a[0]  # another key, another pseudonym
    assert deid.pseudonym(["123"], k1, "doctor")[0] != a[0]  # the same id as a doctor does not link
    with pytest.raises(ValueError, match="at least 16 bytes"):
        deid.pseudonym(["1"], b"short", "person")


def test_age_bands_and_months():
    assert deid.age_band([0, 4, 5, 89, 90, 104, None]).tolist() == ["00-04", "00-04", "05-09", "85-89", "90+",
                                                                   "90+", pd.NA]  # fmt: skip
    assert deid.to_month(["2024-03-17"]).iloc[0] == pd.Timestamp("2024-03-01")


def test_scan_finds_identifiers_by_name_and_by_value():
    df = pd.DataFrame({"x": ["123.456.789-09"], "y": ["a@b.org"], "z": ["2024-03-17"], "NOME": ["A"],
                       "w": ["(11) 91234-5678"], "ok": ["00-04"]})  # fmt: skip
    found = "\n".join(deid.scan(df))
    for what in ("'NOME' is a direct identifier", "'x'", "CPF", "e-mail", "exact date", "phone"):
        assert what in found
    assert "'ok'" not in found
    assert deid.scan(pd.DataFrame({"month": pd.to_datetime(["2024-03-01"]), "n": [1]})) == []


def test_generalization_coarsens_geography_only_as_far_as_k_needs():
    df = pd.DataFrame({"sex": ["F"] * 12, "fine": list("aaaaabbbbbcc"), "coarse": list("xxxxxxxxxxyy")})
    out, rep = deid.generalize(df, ["sex"], ["fine", "coarse"], k=5)
    # 'yy' cannot reach 5 even at the coarsest level: its geography is suppressed, then the 2 rows dropped
    assert rep == {"k": 10, "level": "coarse", "suppressed": 2, "dropped": 2}
    assert deid.k_of(out, ["sex", "geo"]) == 10 and set(out["geo"]) == {"x"}
    out, rep = deid.generalize(df.iloc[:10], ["sex"], ["fine", "coarse"], k=5)
    assert rep == {"k": 5, "level": "fine", "suppressed": 0, "dropped": 0}


def test_no_direct_identifier_survives_and_k_anonymity_holds(pool):
    p, key = pool
    raw = people(3000)
    e = ingest.ingest(p, ["stays.csv"], "Hospital Exemplo", "2024", key, "stays", frames=[raw], decimal=",")
    got = p.fetch("stays")
    assert len(got) + e["rows_dropped"] == 3000 and e["k"] >= 5
    # scan every column of every table for identifier names and patterns (the load's own time stamp is
    # the audit trail's, not a person's date)
    for t in store.SCHEMA:
        assert deid.scan(p.fetch(t).drop(columns=["loaded_at"], errors="ignore")) == [], t
    # and no raw identifier value appears anywhere in the pool, whatever its shape
    text = set()
    for t in store.SCHEMA:
        for c in p.fetch(t).columns:
            text |= set(p.fetch(t)[c].astype(str))
    for col in ("patient_id", "nome", "cpf", "telefone", "email", "endereco", "doctor_id", "cep", "admission"):
        assert not (set(raw[col]) & text), col
    assert "Hospital Exemplo" not in text
    # k-anonymity on the quasi-identifiers, per client, in the pool as loaded
    assert got.groupby(["client", "age_band", "sex", "geo"], dropna=False).size().min() >= 5
    assert set(got["geo"]) <= {"013", "045", "200", "900", "0", "2", "4", "9", "*"}
    assert (got["month"].dt.day == 1).all() and got["died"].any()
    # costs read with the file's decimal comma: every loaded amount is one of the client's amounts
    parsed = set(pd.to_numeric(raw["cost"].str.replace(",", ".")).round(2))
    assert set(got["cost"].round(2)) <= parsed


def test_bad_stays_name_each_file_and_line(pool):
    """Two files in one load: a problem is reported with its own file's line, and nothing is loaded."""
    p, key = pool
    a, b = people(50, 1), people(50, 2)
    b.loc[6, "cost"] = "12,5"  # a decimal comma in a file read with '.'
    b.loc[9, "admission"] = "31/02/2024"
    with pytest.raises(InputError) as err:
        ingest.ingest(p, ["a.csv", "b.csv"], "H", "2024", key, "stays", frames=[a, b])
    text = str(err.value)
    assert text.startswith("a.csv") and "line 2, column 'cost': '" in text  # a's costs use commas too
    with pytest.raises(InputError) as err:
        ingest.ingest(p, ["a.csv", "b.csv"], "H", "2024", key, "stays", frames=[a, b], decimal=",")
    text = str(err.value)
    assert text.startswith("b.csv") and "line 11, column 'admission': '31/02/2024' is not a date" in text
    assert p.fetch("stays").empty and p.fetch("loads").empty


def test_a_load_without_a_segment_keeps_the_clients_segment(pool):
    p, key = pool
    m = measurements("Cliente A", 2, 0.8, 1)
    ingest.ingest(p, ["a.csv"], "Cliente A", "2024", key, frames=[m], segment={"size": "small", "region": "Sul"})
    ingest.ingest(p, ["a.csv"], "Cliente A", "2025", key, frames=[m], segment={"region": "Norte"})
    c = p.fetch("contributors")
    assert len(c) == 1 and c.loc[0, "size"] == "small" and c.loc[0, "region"] == "Norte"


def test_reingest_replaces_and_is_recorded(pool):
    p, key = pool
    m = measurements("Cliente A", 6, 0.8, 1)
    first = ingest.ingest(p, ["a.csv"], "Cliente A", "2024", key, frames=[m])
    before = p.fetch("measurements").drop(columns="load_id")
    again = ingest.ingest(p, ["a.csv"], "Cliente A", "2024", key, frames=[m])
    after = p.fetch("measurements").drop(columns="load_id")
    pd.testing.assert_frame_equal(before, after)
    assert again["rows_replaced"] == first["rows_loaded"] == len(m)
    loads = p.fetch("loads")
    assert len(loads) == 1 and loads["load_id"].iloc[0] == again["load_id"]
    assert loads["inputs"].iloc[0] == first["inputs"] and loads["who"].iloc[0]
    ingest.ingest(p, ["a.csv"], "Cliente A", "2025", key, frames=[m])  # another period adds
    assert len(p.fetch("measurements")) == 2 * len(m) and len(p.fetch("loads")) == 2


def test_a_failure_mid_load_leaves_the_pool_as_it_was(pool, monkeypatch):
    p, key = pool
    ingest.ingest(p, ["a.csv"], "Cliente A", "2024", key, frames=[measurements("Cliente A", 3, 0.8, 1)])
    snapshot = {t: p.fetch(t) for t in store.SCHEMA}

    def crash():
        raise KeyboardInterrupt("power cut after the old rows were deleted")

    monkeypatch.setattr(store, "_between", crash)
    with pytest.raises(KeyboardInterrupt):
        ingest.ingest(p, ["a.csv"], "Cliente A", "2024", key, frames=[measurements("Cliente A", 5, 0.6, 2)])
    for t, df in snapshot.items():
        pd.testing.assert_frame_equal(p.fetch(t), df)


def test_another_key_is_refused(pool, tmp_path):
    p, key = pool
    ingest.ingest(p, ["a.csv"], "Cliente A", "2024", key, frames=[measurements("Cliente A", 2, 0.8, 1)])
    other = store.read_key(tmp_path / "other.key", create=True)
    with pytest.raises(ParamsError, match="made with another key"):
        ingest.ingest(p, ["b.csv"], "Cliente B", "2024", other, frames=[measurements("Cliente B", 2, 0.8, 1)])
    with pytest.raises(ParamsError, match="already exists"):
        store.read_key(tmp_path / "other.key", create=True)


def test_bad_measurements_name_the_line_and_load_nothing(pool):
    p, key = pool
    m = measurements("Cliente A", 2, 0.8, 1)
    m.loc[3, "numerator"] = -4
    with pytest.raises(InputError, match="line 5.*numerator"):
        ingest.ingest(p, ["a.csv"], "Cliente A", "2024", key, frames=[m])
    assert p.fetch("measurements").empty and p.fetch("loads").empty


def cell_frame(**cols) -> pd.DataFrame:
    base = {"indicator_id": "S01", "group": list("abcd"), "clients": 6, "max_share": 0.2, "events": 50.0,
            "cases": 100.0, "p50": 0.5}  # fmt: skip
    return pd.DataFrame({**base, **cols})


def test_disclosure_rules_and_complementary_suppression():
    c = disclosure.suppress(cell_frame(clients=[6, 4, 6, 6]), ["indicator_id", "group"], ["group"], ["p50"])
    assert c["reason"].tolist()[1] == "fewer than 5 clients"
    # the total is published, so the smallest other cell goes too (all equal: the first)
    assert c["published"].tolist() == [False, False, True, True] and c["reason"][0].startswith("complementary")
    assert c.loc[~c["published"], ["p50", "events", "cases"]].isna().all().all()
    c = disclosure.suppress(cell_frame(max_share=[0.2, 0.2, 0.3, 0.2], cases=[100.0, 90, 100, 80]),
                            ["indicator_id", "group"], ["group"], ["p50"])  # fmt: skip
    assert c["reason"][2] == "one client above 25 % of the cell" and c["reason"][3].startswith("complementary")
    c = disclosure.suppress(cell_frame(events=[50.0, 7, 50, 50], cases=[100.0, 100, 100, 30]),
                            ["indicator_id", "group"], ["group"], ["p50"])  # fmt: skip
    assert c["reason"][1] == "a count of 1-10" and c["reason"][3].startswith("complementary")
    c = disclosure.suppress(cell_frame(clients=[4, 4, 6, 6]), ["indicator_id", "group"], ["group"], ["p50"])
    assert c["published"].tolist() == [False, False, True, True]  # two hidden: the total reveals only their sum


@pytest.fixture()
def filled(pool):
    """Seven clients of S01: one dominant, one with a single unit."""
    p, key = pool
    spec = [("A", 30, 0.8, "large"), ("B", 8, 0.82, "small"), ("C", 8, 0.75, "small"), ("D", 8, 0.7, "small"),
            ("E", 8, 0.84, "small"), ("F", 1, 0.6, "small"), ("G", 8, 0.65, "small")]  # fmt: skip
    for i, (name, units, level, size) in enumerate(spec):
        ingest.ingest(p, [f"{name}.csv"], name, "2024", key, frames=[measurements(name, units, level, i)],
                      segment={"client_type": "hospital", "size": size, "region": "Sul"})  # fmt: skip
    return p


def test_benchmark_statistics_match_an_independent_pandas_computation(filled):
    b = benchmark.study(filled, CAT, ["size"])
    m = filled.fetch("measurements").merge(filled.fetch("contributors"), on="client")
    u = m.groupby(["client", "unit", "size"], as_index=False)[["numerator", "denominator"]].sum()
    u["value"] = 100 * u["numerator"] / u["denominator"]
    raw = benchmark.cells(benchmark.unit_values(filled), []).to_pandas().iloc[0]  # before disclosure control
    assert raw["units"] == len(u) == 71 and raw["clients"] == 7
    np.testing.assert_allclose(100 * raw[["p10", "p25", "p50", "p75", "p90"]].astype(float),
                               np.quantile(u["value"], [0.1, 0.25, 0.5, 0.75, 0.9]), rtol=1e-12)  # fmt: skip
    top = u[u["value"] >= np.quantile(u["value"], 0.9)]
    assert 100 * raw["top_mean"] == pytest.approx(top["value"].mean(), rel=1e-12)
    share = u.groupby("client")["denominator"].sum().max() / u["denominator"].sum()
    assert raw["max_share"] == pytest.approx(share)
    allc = b[b["segment"] == "all"].iloc[0]
    # client A holds > 25 % of the overall volume: the overall cell is suppressed, marked with the reason
    assert share > 0.25 and not allc["published"] and allc["reason"] == "one client above 25 % of the cell"
    large = b[(b["segment"] == "size") & (b["group"] == "large")].iloc[0]
    assert not large["published"] and np.isnan(large["p50"]) and large["reason"] == "fewer than 5 clients"
    # with the overall total known, the small cell would give the large one away: suppressed too
    small = b[(b["segment"] == "size") & (b["group"] == "small")].iloc[0]
    assert small["clients"] == 6 and not small["published"] and small["reason"].startswith("complementary")


def test_suggested_bands_are_a_params_fragment(filled):
    b = benchmark.study(filled, CAT, ["size"], max_share=0.5)
    f = benchmark.suggested_bands(b, CAT, "test pool")
    s01 = f["bands"]["S01"]
    allc = b[b["segment"] == "all"].iloc[0]
    assert s01["floor"] == round(allc["p50"], 4) and s01["target"] == round(allc["best_decile"], 4)
    text = benchmark.bands_yaml(f)
    import yaml

    from gps_core.params import Band

    Band(**yaml.safe_load(text)["bands"]["S01"])  # the annual evaluation's own band model accepts it
    b2 = benchmark.study(filled, CAT, ["size"])  # overall cell suppressed: no band suggested
    assert "S01" not in benchmark.suggested_bands(b2, CAT, "x")["bands"]


@pytest.mark.integration
def test_cli_init_ingest_status(tmp_path):
    gps = [sys.executable, "-m", "gps_core.cli", "pool"]
    pool, key = str(tmp_path / "p.duckdb"), str(tmp_path / "k" / "pool.key")
    assert subprocess.run([*gps, "init", "--pool", pool, "--key-file", key], capture_output=True).returncode == 0
    f = tmp_path / "cliente.csv"
    measurements("Cliente A", 2, 0.8, 1).to_csv(f, index=False)
    r = subprocess.run([*gps, "ingest", str(f), "--client", "Cliente A", "--period", "2024", "--pool", pool,
                        "--key-file", key, "--size", "small"], capture_output=True, text=True)  # fmt: skip
    assert r.returncode == 0 and "24 measurements rows" in r.stdout, r.stderr
    r = subprocess.run([*gps, "status", "--pool", pool], capture_output=True, text=True)
    assert r.returncode == 0 and "24 measurement rows" in r.stdout and "Cliente A" not in r.stdout
    r = subprocess.run([*gps, "ingest", str(f), "--client", "x", "--period", "2024", "--pool", pool],
                       capture_output=True, text=True, env={"PATH": ""})  # fmt: skip
    assert r.returncode == 2 and "--key-file" in r.stderr


@pytest.mark.slow
def test_the_same_benchmark_query_gives_identical_results_on_duckdb_and_spark(filled, tmp_path):
    """The cells query is one Ibis expression: run on the DuckDB pool and on its Parquet export in a
    local Spark session, every count and statistic agrees (quantiles: DuckDB quantile_cont and Spark
    percentile both interpolate linearly)."""
    pytest.importorskip("pyspark")
    store.export(filled, tmp_path / "parquet")
    spark = store.connect(tmp_path / "parquet", "pyspark")
    keys = ["indicator_id", "size"]
    got = {}
    for name, p in (("duckdb", filled), ("spark", spark)):
        t = benchmark.cells(benchmark.unit_values(p), ["size"]).to_pandas()
        got[name] = t.sort_values(keys).reset_index(drop=True)[sorted(t.columns)]
    assert len(got["duckdb"]) == 2
    pd.testing.assert_frame_equal(got["duckdb"], got["spark"], check_dtype=False, rtol=1e-12)


@pytest.mark.integration
def test_synthetic_pool_clients_have_their_stated_sizes():
    from gps_core.synth import pool as synth_pool

    got = synth_pool.clients(n=2)
    assert [(n, s["size"]) for n, s, _ in got] == [("Hospital Aurora", "large"), ("Hospital Boa Vista", "medium")]
    assert got[0][2]["unit_id"].nunique() == 556 and got[1][2]["unit_id"].nunique() == synth_pool.SIZES["medium"]
    assert (got[1][2]["client"] == "Hospital Boa Vista").all()
    pd.testing.assert_frame_equal(synth_pool.clients(n=2)[1][2], got[1][2])  # deterministic


def test_hrrp_o_over_e_is_cms_excess_readmission_ratio():
    """CMS HRRP FY2026 (data/external): discharges x predicted rate over discharges x expected rate gives
    CMS's published ERR for every hospital and condition (to its 4-decimal rounding); CMS's predicted
    readmissions are shrunk by its hierarchical model, so the funnels are underdispersed (phi < 1) and keep
    the Poisson limits."""
    from gps_core import funnel
    from gps_core.pooled import sources

    h = sources.hrrp("data/external/cms_hrrp_fy2026_hospital.csv")
    assert len(h) + h.attrs["blank"] == 18_330 and h["hospital"].nunique() == 2_477
    assert np.abs(h["observed"] / h["expected"] - h["err"]).max() < 1e-4
    hf = h[h["condition"] == "HF"]
    f = funnel.funnel_data(hf["observed"], hf["expected"], "SR", "SHMI", units=hf["hospital"].to_numpy())
    assert f.attrs["phi"] < 1 and f.attrs["tau2"] == 0
    lo, hi = funnel.limits(hf["expected"], 95)
    assert f["outlier"].sum() == ((f["value"] < lo) | (f["value"] > hi)).sum() > 0


@pytest.mark.integration
def test_nhs_ae_providers_as_contributors(pool):
    """NHS England A&E 2018/19 (data/external): each type-1 provider a contributor. The pool's overall
    4-hour cell equals the same statistics computed from the raw file with pandas; the providers are
    strongly overdispersed around the England mean (phi >> 1)."""
    from gps_core import funnel
    from gps_core.io import nhs_ae
    from gps_core.pooled import sources

    p, key = pool
    clients = sources.nhs_ae_clients("data/external/nhs_ae_attendances_2016_2019.csv", "2018-04-01", 12)
    for name, seg, m in clients:
        ingest.ingest(p, [f"{name}.csv"], name, "2018-19", key, segment=seg, frames=[m],
                      catalog="nhs_ae_2019")  # fmt: skip
    b = benchmark.study(p, catalog.load_catalog("nhs_ae_2019"), ["size"])
    raw = nhs_ae.read("data/external/nhs_ae_attendances_2016_2019.csv")
    raw = raw[(raw["type"] == "1") & (raw["period"] >= "2018-04-01") & (raw["period"] < "2019-04-01")]
    by = raw.groupby("org_code")[["attendances", "breaches"]].sum()
    by = by[by["attendances"] > 0]
    v = 100 * (1 - by["breaches"] / by["attendances"])
    cell = b[(b["indicator_id"] == "AE4H") & (b["segment"] == "all")].iloc[0]
    assert cell["published"] and cell["clients"] == len(by) == len(clients)
    np.testing.assert_allclose(cell[["p10", "p50", "p90"]].astype(float), np.quantile(v, [0.1, 0.5, 0.9]))
    f = funnel.funnel_data(by["attendances"] - by["breaches"], by["attendances"], "PR", units=by.index.to_numpy())
    assert f.attrs["phi"] > 100 and f.attrs["od_adjusted"]
