"""Versioned reference tables shipped in ``gps_core/data`` with their manifest and checksums.

Reference data is data, not code: every table lives in ``<table>_<year>.csv`` next to ``MANIFEST.csv``,
which records its version, source, licence and sha256. Reading a table checks its checksum, so a table
edited by hand without updating the manifest is refused rather than silently used.
"""

from __future__ import annotations

import csv
import hashlib
import os
from pathlib import Path

import pandas as pd

from .errors import ReferenceDataError

DATA_DIR = Path(__file__).parent / "data"
MANIFEST = DATA_DIR / "MANIFEST.csv"
SOURCES = DATA_DIR / "sources.yaml"  # where each public data set comes from, and its licence


_SEEN: dict[tuple, str] = {}  # (path, size, mtime) -> digest: a run hashes each input once, not per reader


def sha256(path: str | Path) -> str:
    """Return the hex sha256 of a file, read in 1 MiB blocks (remembered while the file is unchanged)."""
    st = os.stat(path)
    seen = (str(Path(path).resolve()), st.st_size, st.st_mtime_ns, st.st_ino)
    if seen in _SEEN:
        return _SEEN[seen]
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    _SEEN[seen] = h.hexdigest()
    return _SEEN[seen]


def manifest() -> pd.DataFrame:
    """The manifest of shipped reference tables: file, version, sha256, source, licence."""
    return pd.read_csv(MANIFEST, dtype=str, keep_default_na=False)


def path(name: str) -> Path:
    """Path of a shipped reference table after checking it against the manifest.

    Raises
    ------
    ReferenceDataError
        If the table is not in the manifest or its checksum differs.
    """
    with open(MANIFEST, encoding="utf-8") as f:
        rows = {r["file"]: r for r in csv.DictReader(f)}
    if name not in rows:
        raise ReferenceDataError(f"{MANIFEST}: no entry for '{name}'. Known tables: {', '.join(sorted(rows))}.")
    p = DATA_DIR / name
    digest = sha256(p)
    if digest != rows[name]["sha256"]:
        raise ReferenceDataError(
            f"{p}: sha256 {digest} does not match {MANIFEST} ({rows[name]['sha256']}). "
            "The table was changed: give it a new version and update the manifest."
        )
    return p


def verify() -> None:
    """Every shipped reference table against ``MANIFEST.csv``, as ``gps`` starts: each listed table present
    with its sha256, and no table the manifest does not list (hashing the few small tables costs
    milliseconds, and a report never rests on a table someone edited in the installed package).

    Raises
    ------
    ReferenceDataError
        Naming every table that is missing, changed or unlisted.
    """
    problems = []
    rows = manifest().to_dict("records")
    for r in rows:
        p = DATA_DIR / r["file"]
        if not p.is_file():
            problems.append(f"{r['file']} is listed but missing")
        elif (got := sha256(p)) != r["sha256"]:
            problems.append(f"{r['file']} has sha256 {got[:12]}..., the manifest says {r['sha256'][:12]}...")
    listed = {r["file"] for r in rows}
    problems += [
        f"{p.name} is not listed" for p in sorted(DATA_DIR.glob("*.csv")) if p.name not in listed | {MANIFEST.name}
    ]
    if problems:
        raise ReferenceDataError(
            f"{DATA_DIR}: the reference tables do not match MANIFEST.csv: {'; '.join(problems)}. Reinstall "
            "gps-analytics; a table changed on purpose needs a new version and its sha256 in the manifest."
        )


def sources(inputs: list[dict]) -> tuple[list[dict], int]:
    """The source and licence of each input file a report read (``provenance["inputs"]``: ``file`` and
    ``sha256``), from ``sources.yaml``: a file is recognised by its sha256, its name or its folder (the synthetic
    data). Returns the distinct entries in the order first read, and how many inputs none describes (files the
    client supplied). Methods §14."""
    import yaml

    entries = yaml.safe_load(SOURCES.read_text(encoding="utf-8"))
    by_sha = {e["sha256"]: e for e in entries if "sha256" in e}
    by_name = {e["name"]: e for e in entries if "name" in e}
    folders = [e for e in entries if "folder" in e]
    found: list[dict] = []
    unknown = 0
    for i in inputs:
        path = str(i.get("file", "")).replace("\\", "/")
        parts = path.split("/")
        e = by_sha.get(i.get("sha256")) or by_name.get(parts[-1])
        e = e or next((f for f in folders if f["folder"] in parts[:-1]), None)
        if e is None:
            unknown += 1
        elif all(f["en"] != e["en"] for f in found):  # the three SynPUF years: one source
            found.append(e)
    return found, unknown
