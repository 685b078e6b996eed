"""Figures and tables of a report as files for papers: SVG and PNG at print resolution, CSV.

A notebook writes them under ``exports/`` in its working folder; ``report.run`` moves that folder beside the
report as ``<report>_exports/`` with the rest of the report, so a failed run leaves the previous exports
intact. Each file is written to a temporary name first and renamed, never left half-written.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

FOLDER = "exports"
PPI = 300  # print resolution; vl-convert scales the 72-ppi layout by ppi / 72


def _atomic(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def figure(chart, name: str, folder: str | Path = FOLDER, ppi: int = PPI) -> list[Path]:
    """``<folder>/figures/<name>.svg`` and ``.png`` (at ``ppi``) of an Altair chart, through vl-convert
    (offline: the chart's data is inline)."""
    import vl_convert as vlc

    spec = chart.to_dict()
    out = Path(folder) / "figures"
    svg = _atomic(out / f"{name}.svg", vlc.vegalite_to_svg(spec).encode("utf-8"))
    png = _atomic(out / f"{name}.png", vlc.vegalite_to_png(spec, ppi=ppi))
    return [svg, png]


def table(df: pd.DataFrame, name: str, folder: str | Path = FOLDER) -> Path:
    """``<folder>/tables/<name>.csv``: UTF-8, comma-separated, '.' decimals, full precision, no index."""
    return _atomic(Path(folder) / "tables" / f"{name}.csv", df.to_csv(index=False).encode("utf-8"))


def text(content: str, name: str, folder: str | Path = FOLDER) -> Path:
    """``<folder>/<name>``: a text file (e.g. the suggested bands as a params fragment)."""
    return _atomic(Path(folder) / name, content.encode("utf-8"))
