"""The pool: a DuckDB file (default) or Parquet tables read by Spark, both queried through Ibis.

Loads go to DuckDB in one transaction: the rows of the same client, period and kind are deleted and the new
ones inserted together with their entry in ``loads``; any failure rolls everything back, so an interrupted load
leaves the pool as it was and re-ingesting replaces rather than duplicates. The pseudonym key never enters
the database: ``meta`` holds only its fingerprint, so a load with another key is refused.

A pool that outgrows one machine is exported to Parquet (``export``) and opened with ``backend="pyspark"``;
the benchmark queries (``benchmark``) are Ibis expressions and run unchanged on either backend.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from ..errors import InputError, ParamsError
from . import deid

Backend = Literal["duckdb", "pyspark"]
SCHEMA = {
    "meta": "setting VARCHAR PRIMARY KEY, value VARCHAR",
    "loads": (
        "load_id INTEGER PRIMARY KEY, kind VARCHAR, client VARCHAR, period VARCHAR, who VARCHAR, "
        "loaded_at TIMESTAMP, rows_in BIGINT, rows_loaded BIGINT, rows_dropped BIGINT, rows_replaced BIGINT, "
        "k INTEGER, geo_level VARCHAR, dropped_columns VARCHAR, inputs VARCHAR, gps_version VARCHAR"
    ),
    "contributors": "client VARCHAR PRIMARY KEY, client_type VARCHAR, size VARCHAR, region VARCHAR",
    "measurements": (
        "load_id INTEGER, client VARCHAR, period VARCHAR, month DATE, unit VARCHAR, unit_type VARCHAR, "
        "specialty VARCHAR, indicator_id VARCHAR, numerator DOUBLE, denominator DOUBLE, expected DOUBLE"
    ),
    "stays": (
        "load_id INTEGER, client VARCHAR, period VARCHAR, month DATE, person VARCHAR, doctor VARCHAR, "
        "specialty VARCHAR, age_band VARCHAR, sex VARCHAR, geo VARCHAR, diagnosis VARCHAR, los DOUBLE, "
        "died BOOLEAN, cost DOUBLE"
    ),
}
DATA = ("measurements", "stays")


def read_key(path: str | Path, create: bool = False) -> bytes:
    """The secret pseudonym key from its own file (outside the pool). ``create`` makes a new 32-byte key
    readable by its owner only, refusing to overwrite one."""
    p = Path(path).expanduser()
    if create:
        if p.exists():
            raise ParamsError(f"{p}: a key file already exists; a new key would unlink every pseudonym in the pool")
        p.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
    if not p.is_file():
        raise ParamsError(f"{p}: no pseudonym key file; create one with `gps pool init --key-file {p}`")
    key = p.read_bytes()
    if len(key) < 16:
        raise ParamsError(f"{p}: {len(key)} bytes; a pseudonym key needs at least 16")
    return key


@dataclass
class Pool:
    """An open pool: its Ibis connection, backend and location."""

    con: object
    backend: Backend
    location: Path

    def table(self, name: str):
        """The Ibis table ``name``."""
        return self.con.table(name)

    def fetch(self, name: str) -> pd.DataFrame:
        return self.con.table(name).to_pandas()

    def close(self) -> None:
        if self.backend == "duckdb":
            self.con.disconnect()


def _head(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(16)


def connect(location: str | Path, backend: Backend = "duckdb", create: bool = False) -> Pool:
    """Open a pool. DuckDB: ``location`` is the database file (made with its tables when ``create``).
    PySpark: ``location`` is a folder of ``<table>.parquet`` written by ``export``, opened in a local
    Spark session (read-only: loads go through DuckDB)."""
    import ibis

    loc = Path(location)
    if backend == "duckdb":
        if loc.is_dir():
            raise ParamsError(f"{loc}: is a folder; a DuckDB pool is one file (e.g. {loc / 'gps_pool.duckdb'})")
        if not create and not loc.is_file():
            raise ParamsError(f"{loc}: no pool here; create it with `gps pool init --pool {loc}`")
        if loc.is_file() and loc.stat().st_size and _head(loc)[8:12] != b"DUCK":
            raise ParamsError(f"{loc}: not a DuckDB pool file (it holds something else); check --pool")
        loc.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = ibis.duckdb.connect(str(loc))
        except Exception as e:  # duckdb.IOException and kin: a damaged or locked file
            raise ParamsError(f"{loc}: the pool cannot be opened ({type(e).__name__}: {str(e)[:200]})") from None
        for name, cols in SCHEMA.items():
            con.raw_sql(f"CREATE TABLE IF NOT EXISTS {name} ({cols})")
        return Pool(con, backend, loc)
    if backend == "pyspark":
        from pyspark.sql import SparkSession

        if not loc.is_dir():
            raise ParamsError(f"{loc}: no exported pool folder; write one with `gps pool export`")
        spark = (
            SparkSession.builder.master("local[2]")
            .appName("gps-pool")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            # not the working directory: Spark would leave a spark-warehouse folder in the user's checkout
            .config("spark.sql.warehouse.dir", str(Path(tempfile.gettempdir()) / "gps-spark-warehouse"))
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        con = ibis.pyspark.connect(spark)
        for f in sorted(loc.glob("*.parquet")):
            con.read_parquet(str(f), table_name=f.stem)
        return Pool(con, backend, loc)
    raise ParamsError(f"backend must be 'duckdb' or 'pyspark', got {backend!r}")


def export(pool: Pool, folder: str | Path) -> list[Path]:
    """Every table of a DuckDB pool as ``folder/<table>.parquet`` (for Spark, or an archive); ``meta`` goes
    too: it holds only the key's fingerprint, so a study on Spark can refuse a wrong key."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMA:
        p = out / f"{name}.parquet"
        pool.con.raw_sql(f"COPY {name} TO '{p}' (FORMAT PARQUET)")
        written.append(p)
    return written


def _run(cx, sql: str, args: list | None = None) -> list:
    """Execute and fetch (DuckDB refuses new work on a connection with an unfetched result)."""
    return cx.execute(sql, args).fetchall() if args is not None else cx.execute(sql).fetchall()


def _meta(cx, name: str) -> str | None:
    rows = _run(cx, "SELECT value FROM meta WHERE setting = ?", [name])
    return rows[0][0] if rows else None


def check_key(pool: Pool, key: bytes) -> None:
    """Bind the pool to a key on first use; refuse any other key later."""
    cx = pool.con.con
    fp, have = deid.fingerprint(key), _meta(cx, "key_fingerprint")
    if have is None:
        _run(cx, "INSERT INTO meta VALUES ('key_fingerprint', ?)", [fp])
    elif have != fp:
        raise ParamsError(
            f"{pool.location}: this pool's pseudonyms were made with another key (fingerprint {have}, this key "
            f"{fp}); use the pool's key file, or the same people would get new pseudonyms"
        )


# test hook: called between the delete and the insert of a load, to prove a failure there leaves no trace
_between = None


def load(
    pool: Pool,
    kind: Literal["measurements", "stays"],
    rows: pd.DataFrame,
    client: str,
    period: str,
    segment: dict,
    report: dict,
    inputs: dict[str, str],
    who: str | None = None,
    source: str | None = None,
) -> dict:
    """Replace the client's ``kind`` rows of ``period`` with ``rows`` (already de-identified), in one
    transaction with its ``loads`` entry and the contributor's segment. Returns the loads entry.
    ``source`` names the input files in refusals (the client is only a pseudonym here)."""
    from .. import __version__

    if pool.backend != "duckdb":
        raise ParamsError("loads go through the DuckDB pool; export it to Parquet for Spark")
    label = source or f"{kind} of {client} {period}"
    deid.require_clean(rows, label)
    cx = pool.con.con
    _run(cx, "BEGIN TRANSACTION")
    try:
        n_old = _run(cx, f"SELECT count(*) FROM {kind} WHERE client = ? AND period = ?", [client, period])[0]
        _run(cx, f"DELETE FROM {kind} WHERE client = ? AND period = ?", [client, period])
        _run(cx, "DELETE FROM loads WHERE kind = ? AND client = ? AND period = ?", [kind, client, period])
        load_id = _run(cx, "SELECT coalesce(max(load_id), 0) + 1 FROM loads")[0][0]
        if _between is not None:
            _between()
        incoming = rows.assign(load_id=load_id, client=client, period=period)
        cx.register("incoming", incoming)
        _run(cx, f"INSERT INTO {kind} BY NAME SELECT * FROM incoming")
        cx.unregister("incoming")
        # a load that does not state a segment keeps the one the client already has
        _run(
            cx,
            "INSERT INTO contributors VALUES (?, ?, ?, ?) ON CONFLICT (client) DO UPDATE SET "
            "client_type = coalesce(excluded.client_type, client_type), size = coalesce(excluded.size, size), "
            "region = coalesce(excluded.region, region)",
            [client, segment.get("client_type"), segment.get("size"), segment.get("region")],
        )
        entry = {
            "load_id": int(load_id),
            "kind": kind,
            "client": client,
            "period": period,
            "who": who or getpass.getuser(),
            "loaded_at": dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
            "rows_in": int(report.get("rows_in", len(rows))),
            "rows_loaded": len(rows),
            "rows_dropped": int(report.get("dropped", 0)),
            "rows_replaced": int(n_old[0]),
            "k": report.get("k"),
            "geo_level": report.get("level"),
            "dropped_columns": json.dumps(report.get("dropped_columns", [])),
            "inputs": json.dumps(inputs, sort_keys=True),
            "gps_version": __version__,
        }
        # the record itself is scanned like the rows: nothing identifying may reach the pool through it
        text = {k: str(v) for k, v in entry.items() if isinstance(v, str) and k not in ("client", "kind")}
        deid.require_clean(pd.DataFrame([text]), f"the load record of {label}")
        _run(cx, f"INSERT INTO loads VALUES ({', '.join('?' * len(entry))})", list(entry.values()))
        _run(cx, "COMMIT")
    except BaseException:
        _run(cx, "ROLLBACK")
        raise
    return entry


def status(pool: Pool) -> dict:
    """What the pool holds: contributors by segment, rows by kind and period, the loads."""
    cx = pool.con.con
    loads = cx.execute("SELECT * FROM loads ORDER BY load_id").df()
    counts = {k: int(_run(cx, f"SELECT count(*) FROM {k}")[0][0]) for k in DATA}
    by = cx.execute(
        "SELECT client_type, size, region, count(*) AS clients FROM contributors GROUP BY ALL ORDER BY ALL"
    ).df()
    return {"location": str(pool.location), "rows": counts, "loads": loads, "segments": by,
            "key_fingerprint": _meta(cx, "key_fingerprint")}  # fmt: skip


def ensure_rows(rows: pd.DataFrame, source: str) -> None:
    if rows.empty:
        raise InputError(["no rows left to load after validation and de-identification"], source)
