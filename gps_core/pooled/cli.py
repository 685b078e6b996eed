"""``gps pool``: init, ingest, status and export of the pooled de-identified database."""

from __future__ import annotations

import argparse
import os
import sys

from ..errors import GpsError, ParamsError
from . import ingest, store

DEFAULT_POOL = "pool/gps_pool.duckdb"
KEY_ENV = "GPS_POOL_KEY_FILE"


def add(sub) -> None:
    """The ``pool`` subcommands on the main parser."""
    p = sub.add_parser("pool", help="the pooled de-identified database: init, ingest, status, export")
    ps = p.add_subparsers(dest="pool_cmd", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--pool", default=DEFAULT_POOL, help=f"DuckDB file (default: {DEFAULT_POOL})")
    keyed = argparse.ArgumentParser(add_help=False)
    keyed.add_argument("--key-file", default=os.environ.get(KEY_ENV),
                       help=f"the secret pseudonym key, kept outside the pool (default: ${KEY_ENV})")  # fmt: skip
    ps.add_parser("init", parents=[common, keyed], help="create the pool and a new key file (if none)")
    i = ps.add_parser("ingest", parents=[common, keyed], help="validate, de-identify and load a client's files")
    i.add_argument("files", nargs="+")
    i.add_argument("--client", required=True, help="the client's name (stored only as a keyed pseudonym)")
    i.add_argument("--period", required=True, help="period label, e.g. 2024; re-ingesting it replaces it")
    i.add_argument("--kind", choices=store.DATA, default="measurements")
    i.add_argument("--type", dest="client_type", default=None, help="segment: client type (e.g. general hospital)")
    i.add_argument("--size", default=None, help="segment: size class (small, medium, large)")
    i.add_argument("--region", default=None, help="segment: region")
    i.add_argument("--catalog", default="hospital_2015", help="catalogue the measurements belong to")
    i.add_argument("--k", type=int, default=5, help="k-anonymity of stays (default 5)")
    i.add_argument("--vocabulary", default=None, help="CSV (field,term) of more terms for kept text columns")
    i.add_argument("--limit", action="append", metavar="NAME=VALUE", help="raise a plausible bound (denominator=5e7)")
    ps.add_parser("status", parents=[common], help="what the pool holds and every load")
    e = ps.add_parser("export", parents=[common], help="write every table as Parquet (for Spark)")
    e.add_argument("folder")


def run(a: argparse.Namespace) -> int:
    try:
        if a.pool_cmd in ("init", "ingest") and not a.key_file:
            raise ParamsError(f"give --key-file or set {KEY_ENV}: the key lives outside the pool")
        if a.pool_cmd == "init":
            made = not os.path.exists(os.path.expanduser(a.key_file))
            key = store.read_key(a.key_file, create=made)
            pool = store.connect(a.pool, create=True)
            store.check_key(pool, key)
            pool.close()
            print(f"pool {a.pool} ready; key {'created' if made else 'kept'} at {a.key_file} (keep it out of the pool)")
            return 0
        pool = store.connect(a.pool)
        try:
            if a.pool_cmd == "ingest":
                seg = {"client_type": a.client_type, "size": a.size, "region": a.region}
                from ..cli import limits
                from ..schemas import bounds

                with bounds(limits(a.limit)):
                    e = ingest.ingest(pool, a.files, a.client, a.period, store.read_key(a.key_file), a.kind, seg,
                                      a.catalog, a.k, vocabulary_file=a.vocabulary)  # fmt: skip
                print(f"load {e['load_id']}: {e['rows_loaded']} {a.kind} rows of client {e['client']} "
                      f"{a.period} (replaced {e['rows_replaced']}; dropped {e['rows_dropped']} rows; "
                      f"k = {e['k']}; columns dropped: {e['dropped_columns']})")  # fmt: skip
            elif a.pool_cmd == "status":
                s = store.status(pool)
                print(f"pool {s['location']}: {s['rows']['measurements']} measurement rows, {s['rows']['stays']} "
                      f"stays, {len(s['segments'])} segments, key fingerprint {s['key_fingerprint']}")  # fmt: skip
                print(s["segments"].to_string(index=False))
                cols = ["load_id", "kind", "client", "period", "who", "loaded_at", "rows_loaded", "rows_replaced", "k"]
                print(s["loads"][cols].to_string(index=False))
            else:
                for f in store.export(pool, a.folder):
                    print(f)
        finally:
            pool.close()
    except GpsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0
