"""Run a notebook with papermill and export it to self-contained HTML and PDF, atomically.

Computes nothing: a report is a notebook executed on validated params. Output goes to
``<out>/<client>/<period>/<report>.{ipynb,html,pdf}`` (and ``<report>_exports/`` when the notebook wrote
figures and tables for papers under ``exports/``); files are first written in a temporary folder
beside the destination and moved in only when every step succeeded, so a failed run never replaces a
good report with a half one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .errors import GpsError
from .params import load

PACKAGE = Path(__file__).resolve().parent
TEMPLATE = PACKAGE / "templates" / "offline" / "gps_offline.html.j2"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--no-pdf-header-footer",
]


class ReportError(GpsError):
    """A notebook failed to execute or export; the message says which and why."""


def notebooks_dir() -> Path:
    """The project's ``notebooks/`` folder (beside the package in a checkout, or under the working dir)."""
    for cand in (PACKAGE.parent / "notebooks", Path.cwd() / "notebooks"):
        if cand.is_dir():
            return cand
    raise ReportError("no notebooks/ folder found beside gps_core or in the working directory")


def notebook_path(name: str) -> Path:
    p = Path(name)
    if p.suffix == ".ipynb" and p.is_file():
        return p.resolve()
    q = notebooks_dir() / f"{p.stem}.ipynb"
    if not q.is_file():
        known = sorted(x.stem for x in notebooks_dir().glob("*.ipynb"))
        raise ReportError(f"unknown notebook '{name}'; known: {known}")
    return q


@dataclass(frozen=True)
class Job:
    """One report to produce."""

    notebook: str
    params_file: str
    out_root: str = "reports"
    report: str | None = None  # relative name under <client>/<period>/, default: the notebook name
    extra: dict = field(default_factory=dict)
    pdf: bool = True

    def destination(self) -> Path:
        p = load(self.params_file, Path(self.notebook).stem)
        return Path(self.out_root) / p.client / p.period.name


def confined(root: str | Path, path: str | Path, what: str) -> Path:
    """``path`` resolved, when it lies inside ``root``; every output path built from params or unit names is
    checked here, so that no label can climb out of the reports root.

    Raises
    ------
    ReportError
        Naming ``what`` built the path (the params file and key) and where it would have gone.
    """
    base = Path(root).resolve()
    full = Path(path).resolve()
    if full != base and base not in full.parents:
        raise ReportError(f"{what}: the output path {full} is outside the reports root {base}; use plain names")
    return full


def out_root(root: str | Path) -> Path:
    """The reports root a user named (``--out``): a folder, or a path where one can be made, writable.

    Raises
    ------
    ReportError
        It is a file, or it (or the folder it would be made in) is not writable.
    """
    p = Path(root)
    if p.exists() and not p.is_dir():
        raise ReportError(f"--out {p}: is a file, not a folder; give a folder for the reports")
    probe = p
    while not probe.exists():
        probe = probe.parent
    if not os.access(probe, os.W_OK | os.X_OK):
        raise ReportError(f"--out {p}: {probe} is not writable; choose another folder or fix its permissions")
    return p


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        if path := shutil.which(name):
            return path
    return None


def export_html(executed: Path, html_path: Path) -> None:
    """Executed notebook -> self-contained HTML without code, through the offline template."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    for cell in nb.cells:  # machine-readable JSON results stay in the .ipynb; the HTML is for people
        if cell.get("cell_type") == "code":
            cell.outputs = [o for o in cell.outputs if set(o.get("data", {})) != {"application/json"}]
    exporter = HTMLExporter(
        template_file=str(TEMPLATE), exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    exporter.exclude_anchor_links = True
    body, _ = exporter.from_notebook_node(nb)
    html_path.write_text(body, encoding="utf-8")


def export_pdf(html_path: Path, pdf_path: Path) -> str:
    """HTML -> PDF with headless Chromium, or WeasyPrint when no Chromium is installed. Returns the engine."""
    chromium = find_chromium()
    if chromium:
        with tempfile.TemporaryDirectory() as profile:
            cmd = [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--print-to-pdf={pdf_path}",
                html_path.resolve().as_uri(),
            ]
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        if run.returncode != 0 or not pdf_path.is_file():
            raise ReportError(f"Chromium could not print {html_path} to PDF: {run.stderr[-500:]}")
        return "chromium"
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as e:  # OSError: the system's Pango libraries are missing
        raise ReportError(
            f"no PDF engine: Chromium is not installed and WeasyPrint cannot load ({e}). "
            "Install Chromium (apt-get install chromium) or run with --no-pdf."
        ) from None
    HTML(filename=str(html_path)).write_pdf(str(pdf_path))
    return "weasyprint"


def run(job: Job) -> list[Path]:
    """Execute one report job and move its files into place. Returns the written paths."""
    import papermill as pm

    nb = notebook_path(job.notebook)
    params_file = str(Path(job.params_file).resolve())
    load(params_file, nb.stem)  # validate before any kernel starts
    dest = job.destination()
    name = job.report or nb.stem
    final = dest / name
    confined(job.out_root, final.parent / f"{final.name}.html", f"{job.params_file} (client, period.label, units)")
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{uuid.uuid4().hex[:8]}-", dir=final.parent))
    try:
        executed = tmp / f"{final.name}.ipynb"
        try:
            pm.execute_notebook(
                str(nb),
                str(executed),
                parameters={"params_file": params_file, **job.extra},
                kernel_name="python3",
                progress_bar=False,
                cwd=str(tmp),
                log_output=False,
            )
        except pm.PapermillExecutionError as e:
            raise ReportError(
                f"{nb.name} with {job.params_file} {job.extra or ''} failed in cell "
                f"{e.exec_count}: {e.ename}: {e.evalue}"
            ) from None
        export_html(executed, tmp / f"{final.name}.html")
        outputs = [executed, tmp / f"{final.name}.html"]
        if job.pdf:
            export_pdf(tmp / f"{final.name}.html", tmp / f"{final.name}.pdf")
            outputs.append(tmp / f"{final.name}.pdf")
        written = []
        made = tmp / "exports"  # figures and tables a notebook wrote for papers (gps_core.exports)
        if made.is_dir():
            target = final.parent / f"{final.name}_exports"
            if target.exists():  # the old folder goes into tmp, removed with it
                os.replace(target, tmp / "previous_exports")
            os.replace(made, target)
            written.append(target)
        for f in outputs:  # each os.replace is atomic; all exports succeeded before the first one
            target = final.parent / f.name
            os.replace(f, target)
            written.append(target)
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
