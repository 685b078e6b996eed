"""Run artefacts: a computation's result tables persisted once and read by every report that needs them.

A consultant's cycle writes many reports from one evaluation (the annual report, a scorecard per unit, the
payouts workbook, the contract design). Each used to recompute it. Here the results are written once as a
folder beside the reports::

    <reports>/<client>/<period>/artefacts/<name>-<key>/
        tables/*.parquet     every DataFrame and Series of the result
        bundle.json          the rest of the result (numbers, texts, nesting) pointing at the tables
        provenance.json      what the key covers: the params, every input file's sha256, the code's digest

The key is a sha256 over the params that change the result (everything but the report kind and the units
shown), the sha256 of every input file the params name, and a digest of the package's code and shipped
reference data, so that changed params, changed inputs or a new version of the code give a new key and an
artefact computed from other inputs is never read. Writes are atomic: a folder is complete or absent.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from .refdata import sha256

PACKAGE = Path(__file__).resolve().parent
# params that choose what a report shows, not what is computed: two files that differ only in them share a run
SHOWN_ONLY = frozenset({"report", "units", "folder", "style"})


@cache
def code_digest() -> str:
    """sha256 over the package's Python sources and shipped data, so a code change invalidates artefacts."""
    h = hashlib.sha256()
    for f in sorted(p for p in PACKAGE.rglob("*") if p.suffix in {".py", ".csv", ".json"} and p.is_file()):
        h.update(str(f.relative_to(PACKAGE)).encode())
        h.update(bytes.fromhex(sha256(f)))
    return h.hexdigest()


PATH_KEYS = frozenset({"path", "unit_names"})  # keys whose text is a file, in params built in code


def input_files(params, skip: frozenset = frozenset()) -> list[Path]:
    """Every file the params name (sources, record files, a client's catalogue, ...), where
    :func:`gps_core.params.load` resolved it, in the order they appear; top-level keys in ``skip`` left out."""
    from pydantic import BaseModel

    from .params import Located, where

    found: list[Path] = []

    def walk(node, name: str) -> None:
        if isinstance(node, Located) or (name in PATH_KEYS and isinstance(node, str)):
            found.append(where(node))  # a plain str: params built in code, relative to the working folder
        elif isinstance(node, BaseModel):
            for k in type(node).model_fields:
                walk(getattr(node, k), k)
        elif isinstance(node, list | tuple):
            for v in node:
                walk(v, name)
        elif isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)

    for k in type(params).model_fields:
        if k not in skip:
            walk(getattr(params, k), k)
    return list(dict.fromkeys(found))


def key(params, ignore: frozenset = frozenset()) -> tuple[str, dict]:
    """The artefact key of a computation and what it covers (stored as its provenance). ``ignore`` names
    params the computation does not read (beyond :data:`SHOWN_ONLY`), e.g. a contract design's candidates
    for the evaluation it starts from.

    A missing input file hashes as ``missing``: the computation then fails with the reader's own message,
    and nothing is stored."""
    dump = {k: v for k, v in params.model_dump(mode="json").items() if k not in SHOWN_ONLY | ignore}
    files = input_files(params, SHOWN_ONLY | ignore)
    inputs = [{"file": str(f), "sha256": sha256(f) if f.is_file() else "missing"} for f in files]
    covers = {"params": dump, "inputs": inputs, "code": code_digest()}
    digest = hashlib.sha256(json.dumps(covers, sort_keys=True, default=str).encode()).hexdigest()
    return digest[:24], covers


# --- a result as Parquet tables plus JSON -------------------------------------------------------------------


def _encode(obj, tables: dict[str, pd.DataFrame | pd.Series]):
    if isinstance(obj, pd.DataFrame | pd.Series):
        name = f"t{len(tables):03d}"
        tables[name] = obj
        frame = obj.to_frame(name="value") if isinstance(obj, pd.Series) else obj
        node = {
            "$table": name,
            "series": isinstance(obj, pd.Series),
            # Parquet brings some dtypes back as their default cousins (text with NA as text with NaN)
            "dtypes": [_kind(t) for t in frame.dtypes],
            "index": [_kind(t) for t in frame.index.to_frame().dtypes],
        }
        if "terms" in obj.attrs:  # a payout rule's terms (numbers), which its explanation words
            node["terms"] = _encode(obj.attrs["terms"], tables)
        return node
    if isinstance(obj, dict):
        if not all(isinstance(k, str) for k in obj):
            raise TypeError(f"artefact dicts need text keys, got {list(obj)[:5]}")
        return {"$dict": {k: _encode(v, tables) for k, v in obj.items()}}
    if isinstance(obj, list | tuple):
        return {"$list": [_encode(v, tables) for v in obj], "tuple": isinstance(obj, tuple)}
    if isinstance(obj, pd.Timestamp):
        return {"$time": obj.isoformat()}
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return {"$float": repr(obj)}  # JSON has no NaN or infinity
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    raise TypeError(f"artefacts hold tables, numbers and texts, not {type(obj).__name__}")


def _decode(node, folder: Path):
    if isinstance(node, dict):
        if "$table" in node:
            df = _restore(pd.read_parquet(folder / "tables" / f"{node['$table']}.parquet"), node)
            if node["series"]:
                s = df.iloc[:, 0]
                s.name = df.attrs.get("gps_series_name", s.name)
                return s
            df.attrs = {"terms": _decode(node["terms"], folder)} if "terms" in node else {}
            return df
        if "$dict" in node:
            return {k: _decode(v, folder) for k, v in node["$dict"].items()}
        if "$list" in node:
            items = [_decode(v, folder) for v in node["$list"]]
            return tuple(items) if node["tuple"] else items
        if "$time" in node:
            return pd.Timestamp(node["$time"])
        if "$float" in node:
            return float(node["$float"])
    return node


def _kind(dtype) -> str:
    """A dtype as text precise enough to restore it (a categorical's categories have a dtype of their own)."""
    if isinstance(dtype, pd.CategoricalDtype):
        return f"category[{dtype.categories.dtype}]"
    return str(dtype)


def _cast(s: pd.Series | pd.Index, kind: str):
    if kind.startswith("category["):
        inner = kind[len("category[") : -1]
        s = s if isinstance(s.dtype, pd.CategoricalDtype) else s.astype("category")
        return s.cat.set_categories(s.cat.categories.astype(inner)) if isinstance(s, pd.Series) else (
            s.set_categories(s.categories.astype(inner)))  # fmt: skip
    return s.astype(kind)


def _restore(df: pd.DataFrame, node: dict) -> pd.DataFrame:
    """The dtypes the table had when saved, where Parquet gave back another (only those columns are cast)."""
    for i, kind in enumerate(node["dtypes"]):
        if _kind(df.dtypes.iloc[i]) != kind:
            df.isetitem(i, _cast(df.iloc[:, i], kind))
    levels = [_kind(t) for t in df.index.to_frame().dtypes]
    if levels != node["index"]:
        if df.index.nlevels == 1:
            df.index = _cast(df.index, node["index"][0])
        else:
            frame = df.index.to_frame()
            for i, kind in enumerate(node["index"]):
                frame.isetitem(i, _cast(frame.iloc[:, i], kind))
            df.index = pd.MultiIndex.from_frame(frame)
    return df


def _write_table(obj: pd.DataFrame | pd.Series, path: Path) -> None:
    if isinstance(obj, pd.Series):
        df = obj.to_frame(name="value")
        df.attrs = {"gps_series_name": obj.name}
    else:
        df = obj.copy(deep=False)
        df.attrs = {}  # reader attrs (source lines) are intake detail, not results
    df.to_parquet(path, index=True)


def save(result: dict, covers: dict, folder: str | Path) -> Path:
    """Write ``result`` (tables, numbers, texts, nested in dicts and lists) as an artefact folder, atomically.

    Another process that wrote the same key first wins: both computed the same thing from the same inputs."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        tables: dict = {}
        bundle = _encode(result, tables)
        (tmp / "tables").mkdir()
        for name, obj in tables.items():
            _write_table(obj, tmp / "tables" / f"{name}.parquet")
        (tmp / "bundle.json").write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
        # written last: an artefact whose provenance is present is complete
        (tmp / "provenance.json").write_text(json.dumps(covers, indent=1, ensure_ascii=False), encoding="utf-8")
        try:
            os.replace(tmp, folder)
        except OSError:  # the folder appeared meanwhile (another worker): keep theirs
            if not (folder / "provenance.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def load(folder: str | Path) -> dict:
    """Read an artefact folder written by :func:`save`."""
    folder = Path(folder)
    bundle = json.loads((folder / "bundle.json").read_text(encoding="utf-8"))
    return _decode(bundle, folder)


def folder_for(root: str | Path, params, name: str, digest: str) -> Path:
    """Where the artefact of ``name`` (e.g. ``evaluation``) with key ``digest`` lives under a reports root."""
    return Path(root) / params.client / params.period.name / "artefacts" / f"{name}-{digest}"


_MEMO: dict[str, dict] = {}  # key -> result, for a warm kernel rendering many reports of one run
_MEMO_SIZE = 4


def cached(
    name: str,
    params,
    root: str | Path,
    compute: Callable[[], dict],
    ignore: frozenset = frozenset(),
) -> tuple[dict, Path]:
    """The result of ``compute`` for these params and inputs: from memory, from its artefact under ``root``,
    or computed and saved there. Returns the result and its artefact folder.

    An unreadable artefact (e.g. cut by a full disk) is computed again and replaced."""
    digest, covers = key(params, ignore)
    folder = folder_for(root, params, name, digest)
    if digest in _MEMO:
        return _MEMO[digest], folder
    result = None
    if (folder / "provenance.json").is_file():
        try:
            result = load(folder)
        except Exception:  # any damage means: compute again
            shutil.rmtree(folder, ignore_errors=True)
    if result is None:
        result = compute()
        save(result, covers, folder)
    if len(_MEMO) >= _MEMO_SIZE:
        _MEMO.pop(next(iter(_MEMO)))
    _MEMO[digest] = result
    return result, folder
