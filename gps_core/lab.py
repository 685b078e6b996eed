"""``gps lab <folder>``: a client project opened in JupyterLab, every report's notebook ready to run on the
project's own params.

:func:`prepare` writes ``<folder>/lab/<stem>.ipynb`` for each ``<folder>/params/<stem>.yaml``: the report's
notebook (as ``gps run`` finds it: a project's own ``notebooks/`` first, then the installed one) with its
parameters cell pointing at ``../params/<stem>.yaml``, so "Run All" in JupyterLab shows the report. A
scorecard's params get the annex's notebook too (``<stem>_anexo.ipynb``). A notebook already in ``lab/`` is
the consultant's (edited, annotated) and is never written over; a params file that does not load is
reported and written nothing for. :func:`launch` then starts JupyterLab (the ``[lab]`` extra) on the folder.

Nothing here changes how ``gps run`` works: ``lab/`` is not a notebook folder reports are looked up in.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

from .errors import GpsError, ParamsError

FOLDER = "lab"
ANNEX = "scorecard_annex"


def _filled(notebook: Path, params_file: str) -> str:
    """The notebook's JSON with ``params_file = "..."`` written into its parameters cell."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParamsError(f"{notebook}: a report notebook has one cell tagged 'parameters', found {len(cells)}")
    source = "".join(cells[0]["source"])
    blank = 'params_file = ""'
    if blank not in source:
        raise ParamsError(f"{notebook}: its parameters cell has no {blank} line to fill")
    cells[0]["source"] = source.replace(blank, f"params_file = {json.dumps(params_file)}", 1).splitlines(True)
    return json.dumps(nb, ensure_ascii=False, indent=1) + "\n"


def prepare(folder: str | Path) -> tuple[list[Path], list[Path], list[str]]:
    """Write the lab notebooks of a project; returns ``(written, kept, problems)``: the notebooks written,
    those already there and kept, and one line per params file that could not be used.

    Raises
    ------
    ParamsError
        ``folder`` has no ``params/`` folder with a YAML file.
    """
    from .params import load
    from .report import notebook_path

    root = Path(folder).absolute()
    files = sorted((root / "params").glob("*.yaml")) if (root / "params").is_dir() else []
    if not files:
        raise ParamsError(f"{folder}: no params/*.yaml here; gps lab opens a project (start one with gps init)")
    lab = root / FOLDER
    lab.mkdir(exist_ok=True)
    written, kept, problems = [], [], []
    for f in files:
        try:
            report = load(f).report
        except GpsError as e:
            problems.append(f"{f.relative_to(root)}: {e}")
            continue
        pairs = [(report, f.stem)] + ([(ANNEX, f"{f.stem}_anexo")] if report == "scorecard" else [])
        for name, stem in pairs:
            target = lab / f"{stem}.ipynb"
            if target.exists():
                kept.append(target)
                continue
            text = _filled(notebook_path(name), f"../params/{f.name}")
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, target)  # a notebook appears whole or not at all
            written.append(target)
    return written, kept, problems


def command(folder: str | Path, port: int | None, browser: bool) -> list[str]:
    """The JupyterLab command line that serves ``folder`` and opens its ``lab/``."""
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={Path(folder).absolute()}",
           f"--LabApp.default_url=/lab/tree/{FOLDER}"]  # fmt: skip
    if port is not None:
        cmd.append(f"--ServerApp.port={port}")
    if not browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # a container's root user; Jupyter refuses it otherwise
        cmd.append("--allow-root")
    return cmd


def launch(folder: str | Path, port: int | None = None, browser: bool = True) -> None:
    """Replace this process with JupyterLab serving ``folder`` (returns only on failure to start).

    Raises
    ------
    ParamsError
        JupyterLab is not installed.
    """
    if importlib.util.find_spec("jupyterlab") is None:
        raise ParamsError(f"JupyterLab is not installed: pip install 'gps-analytics[lab]' (the notebooks are ready "
                          f"in {Path(folder) / FOLDER})")  # fmt: skip
    cmd = command(folder, port, browser)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(cmd[0], cmd)  # the server is this process: stopping it (Ctrl-C, a signal) stops JupyterLab
