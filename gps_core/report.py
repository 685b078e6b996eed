"""Run a notebook with papermill and export it to self-contained HTML and PDF, atomically.

Computes nothing: a report is a notebook executed on validated params. Output goes to
``<out>/<client>/<period>/<report>.{ipynb,html,pdf}`` (and ``<report>_exports/`` when the notebook wrote
figures and tables for papers under ``exports/``); files are first written in a temporary folder
beside the destination and moved in only when every step succeeded, so a failed run never replaces a
good report with a half one.
"""

from __future__ import annotations

import base64
import html
import os
import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import GpsError
from .params import load
from .pdf import Browser, PdfError, find_chromium, weasy
from .views import page

if TYPE_CHECKING:
    from nbformat import NotebookNode

PACKAGE = Path(__file__).resolve().parent
TEMPLATE = PACKAGE / "templates" / "offline" / "gps_offline.html.j2"
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class ReportError(GpsError):
    """A notebook failed to execute or export; the message says which and why."""


def notebook_folders() -> list[Path]:
    """The folders reports' notebooks come from, first match by name wins: a folder of the user's own
    (``GPS_NOTEBOOKS``, else ``notebooks/`` in the working directory), then the copy the installed package
    carries (``gps_core/notebooks`` in a wheel, read through ``importlib.resources``), then the checkout's
    ``notebooks/`` beside the package (an editable install, where the package carries none)."""
    from importlib.resources import files

    own = os.environ.get("GPS_NOTEBOOKS")
    if own and not Path(own).is_dir():  # a mistyped folder would silently run the shipped notebooks instead
        raise ReportError(f"GPS_NOTEBOOKS={own!r} is not a folder: point it at your notebooks or unset it")
    cands = [Path(own)] if own else []
    cands += [Path.cwd() / "notebooks", Path(str(files("gps_core") / "notebooks")), PACKAGE.parent / "notebooks"]
    seen, out = set(), []
    for c in cands:
        r = c.resolve()
        if r not in seen and r.is_dir():
            seen.add(r)
            out.append(r)
    return out


def known_notebooks() -> dict[str, Path]:
    """Every report's notebook by name (its file's stem), from :func:`notebook_folders` in their order."""
    out: dict[str, Path] = {}
    for folder in notebook_folders():
        for f in sorted(folder.glob("*.ipynb")):
            out.setdefault(f.stem, f)
    if not out:
        raise ReportError(
            "no report notebooks found: the installed package carries none (reinstall gps-analytics) and "
            "GPS_NOTEBOOKS or ./notebooks has none"
        )
    return out


def notebook_path(name: str) -> Path:
    """The notebook of a report by name (``annual_evaluation``), or a path to a ``.ipynb`` of the user's."""
    p = Path(name)
    if p.suffix == ".ipynb" and p.is_file():
        return p.resolve()
    known = known_notebooks()
    if p.stem not in known:
        raise ReportError(f"unknown notebook '{name}'; known: {sorted(known)}")
    return known[p.stem]


def checkout() -> Path | None:
    """The repository checkout the package runs from (its ``params/`` and ``data/`` hold the demo), or None
    for a package installed from a wheel."""
    root = PACKAGE.parent
    return root if (root / "params").is_dir() and (root / "notebooks").is_dir() else None


@dataclass(frozen=True)
class Job:
    """One report to produce."""

    notebook: str
    params_file: str
    out_root: str = "reports"
    report: str | None = None  # relative name under <client>/<period>/, default: the notebook name
    extra: dict = field(default_factory=dict)
    pdf: bool = True


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


@cache
def _exporter():
    """One HTML exporter per process: building it (template loading) costs more than exporting a scorecard.

    nbconvert's HTML exporter parses its whole output again with BeautifulSoup to give images an English
    alternative text and notebook cells a tab stop (a third of a scorecard's export, for nothing a report
    shows); this one renders the template only, and an image without alternative text gets an empty one
    (decorative) in the report's own words elsewhere."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class Exporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", Highlight2HTML(parent=self))
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources),
            )
            body, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return re.sub(r"<img(?![^>]*\balt=)", "<img alt=''", body), resources

    exporter = Exporter(
        template_file=str(TEMPLATE), exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    exporter.exclude_anchor_links = True
    return exporter


LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
LOGO_MAX = 1 << 20


def logo_uri(params) -> str | None:
    """The params' ``style.logo`` as a data URI (PNG, JPEG or SVG, at most 1 MiB), None without a logo.

    Raises
    ------
    ReportError
        Naming the params file, the key, the file and what to do.
    """
    name = params.style.logo
    if not name:
        return None
    from .params import origin
    from .params import where as located

    f = located(name)  # resolved against the params file's folder when the params were loaded
    where = f"{origin(params)}: style.logo {name!r}"
    if not f.is_file():
        raise ReportError(f"{where}: no such file ({f}); give the logo's path relative to the params file")
    if f.stat().st_size > LOGO_MAX:
        raise ReportError(f"{where}: {f.stat().st_size} bytes; a logo of at most 1 MiB is enough for a cover")
    data = f.read_bytes()
    kind = next((t for magic, t in LOGO_TYPES.items() if data.startswith(magic)), None)
    head = data[:400].lstrip().lower()
    if kind is None and (head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head)):
        kind = "image/svg+xml"  # shown through <img>: a script inside an SVG does not run there
    if kind is None:
        raise ReportError(f"{where}: not a PNG, JPEG or SVG file; export the logo in one of those formats")
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def export_html(
    executed: Path | NotebookNode,
    html_path: Path,
    lang: str = "en",
    front: str = "",
    title: str = "",
    toc: bool = False,
    report: str = "",
) -> None:
    """Executed notebook -> self-contained HTML without code, through the offline template, its ``<html
    lang>`` the report's language (nbconvert knows only two-letter codes and writes ``en``), ``front`` (the
    cover) first in the page, then with ``toc`` the table of contents, ``title`` as the page's title, and,
    closing the page, the sections of the methods document that ``report`` rests on (issue 15)."""
    import nbformat

    # the executed notebook as papermill returns it (already written), or read from its file
    nb = executed if isinstance(executed, nbformat.NotebookNode) else nbformat.read(executed, as_version=4)
    for cell in nb.cells:  # machine-readable JSON results stay in the .ipynb; the HTML is for people
        if cell.get("cell_type") == "code":
            cell.outputs = [o for o in cell.outputs if set(o.get("data", {})) != {"application/json"}]
    body, _ = _exporter().from_notebook_node(nb)
    head, sep, rest = body.partition('<html lang="en">')
    body = f'{head}<html lang="{lang}">{rest}' if sep else body
    nav = ""
    if toc:
        body, nav = page.contents(body, lang)
    first = front + nav  # the cover, then the table of contents
    if first:
        body = re.sub(r"(<main[^>]*>)", lambda m: m.group(1) + first, body, count=1)
    if report and report not in page.MASTHEAD:  # a scorecard cites them in its provenance line, on page 1
        said = f"<p class='gps-cite'>{page.cite(report, lang)}.</p>"
        body = body.replace("</main>", said + "</main>", 1)
    if title:  # the browser tab and the PDF's metadata name the report, not nbconvert's "Notebook"
        named = f"<title>{html.escape(title)}</title>"
        body = re.sub(r"<title>.*?</title>", lambda _: named, body, count=1, flags=re.S)
    html_path.write_text(body, encoding="utf-8")


def kernel_env(threads: int | None) -> dict[str, str]:
    """The environment of a report kernel: this process's, with OpenMP and BLAS limited to ``threads``
    unless the user set a limit of their own."""
    env = dict(os.environ)
    if threads:
        env.update({v: env.get(v) or str(threads) for v in THREAD_VARS})
    return env


WARM = "gps-warm"


def prelude(folder: Path) -> str:
    """Code a warm kernel runs before a notebook: its working folder, and an empty namespace."""
    # what %reset -f clears (the user's names, the output cache) and cells numbered from 1 as in a fresh kernel,
    # without a full garbage collection: %reset and DisplayHook.flush() each run gc.collect() over the warm
    # kernel's whole heap, 0.2 s a notebook (Python's own generational collection still runs)
    # absolute: the kernel's working folder moves with each report, so a relative one (``--out reports``)
    # would be looked for inside the previous report's folder
    return (
        f"__import__('os').chdir({str(Path(folder).resolve())!r})\n"
        "def _gps_clean(ip):\n"
        "    for k in [k for k in ip.user_ns if k not in ip.user_ns_hidden]:\n"
        "        del ip.user_ns[k]\n"
        "    dh = ip.displayhook\n"
        "    for n in range(1, dh.prompt_count + 1):\n"
        "        ip.user_ns.pop(f'_{n}', None)\n"
        "        ip.user_ns_hidden.pop(f'_{n}', None)\n"
        "    ip.user_ns.get('_oh', {}).clear()\n"
        "    dh._, dh.__, dh.___ = '', '', ''\n"
        "    ip.execution_count = 1\n"
        "_gps_clean(get_ipython())\n"
    )


@cache
def _register_warm_engine() -> None:
    """A papermill engine that executes on a kernel it is given and keeps it: nbclient shuts down only a
    kernel it started itself, so passing ``km`` keeps the kernel warm for the next notebook."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class Client(PapermillNotebookClient):
        before = ""

        def papermill_execute_cells(self):
            reply = self.wait_for_reply(self.kc.execute(self.before, silent=True, store_history=False))
            if reply is None or reply["content"]["status"] != "ok":
                raise ReportError(f"the kernel could not prepare the notebook: {(reply or {}).get('content')}")
            super().papermill_execute_cells()

    class Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):  # fmt: skip
            from papermill.log import logger

            km, kc = kwargs["kernel"]
            client = Client(
                nb_man,
                km=km,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            client.kc = kc  # the open connection: a new one per notebook waits ~0.2 s for the kernel's reply
            client.before = kwargs.get("prelude", "")
            return client.execute()

    papermill_engines.register(WARM, Engine)


# reports whose notebook reads the run's evaluation artefact (gps_core.artefact) instead of computing it
READS_ARTEFACTS = frozenset({"annual_evaluation", "scorecard", "scorecard_annex", "p4p_simulation"})
# a notebook that reads another report's params (the scorecards' annex reads the scorecards')
PARAMS_OF = {"scorecard_annex": "scorecard"}
NO_CONTENTS = frozenset({"scorecard", "scorecard_annex"})  # a few pages: no table of contents


class Renderer:
    """Renders report jobs one after another with one warm kernel and one browser (issue 14: render many).

    A kernel start and the imports cost more than a scorecard; a Chromium start more than printing one. The
    kernel is kept between notebooks, and each notebook starts from an empty namespace (``%reset -f``) in its
    own working folder, as in a fresh kernel; modules stay imported, and the run's evaluation stays in memory
    (:func:`gps_core.artefact.cached`). A kernel that died is replaced before the next job. Every notebook is
    still executed by papermill with its parameters injected, so each can be opened and re-run alone.

    Parameters
    ----------
    threads
        OpenMP and BLAS threads of the kernel's model fitting (a share of the cores when workers run side by
        side); None leaves the environment as it is.
    """

    def __init__(self, threads: int | None = None):
        self.threads = threads
        self.km = None
        self.kc = None
        self.sockets = None
        self.browser = None
        self._params: dict = {}
        self._logos: dict = {}

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.close_kernel()
        if self.browser is not None:
            self.browser.close()
            self.browser = None

    def kernel(self):
        """The warm kernel's manager and client, started (again, when the last one died) with the thread
        limits; on POSIX over local sockets (IPC), not TCP."""
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        if self.km is not None and run_sync(self.km.is_alive)():
            return self.km, self.kc
        self.close_kernel()
        km = AsyncKernelManager(kernel_name="python3", transport="ipc" if os.name == "posix" else "tcp")
        if os.name == "posix":
            self.sockets = tempfile.mkdtemp(prefix="gps-kernel-")
            km.ip = os.path.join(self.sockets, "k")
        # no input history: a report does not need it, and numbering each notebook's cells from 1 again made
        # IPython's history database print an error into the report
        run_sync(km.start_kernel)(env=kernel_env(self.threads), extra_arguments=["--HistoryManager.enabled=False"])
        kc = km.client()
        kc.start_channels()
        run_sync(kc.wait_for_ready)(timeout=120)
        kc.allow_stdin = False
        self.km, self.kc = km, kc
        return km, kc

    def close_kernel(self) -> None:
        from jupyter_core.utils import run_sync

        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.sockets:
            shutil.rmtree(self.sockets, ignore_errors=True)
            self.sockets = None
        if self.km is not None:
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:  # a kernel already gone is what we want
                pass
            self.km = None

    def params(self, job: Job):
        """Validated params of a job, loaded once per file and notebook in a batch."""
        stem = Path(job.notebook).stem
        k = (str(Path(job.params_file).resolve()), PARAMS_OF.get(stem, stem))
        if k not in self._params:
            self._params[k] = load(job.params_file, k[1])
        return self._params[k]

    def logo(self, job: Job, params) -> str | None:
        """The params' logo as a data URI, read and checked once per params file in a batch."""
        k = str(Path(job.params_file).resolve())
        if k not in self._logos:
            self._logos[k] = logo_uri(params)
        return self._logos[k]

    def pdf(self, html_path: Path, pdf_path: Path, footer: str) -> str:
        """Print with the batch's Chromium (started on first use), or WeasyPrint without one; returns the
        engine. A browser that crashed is started again once."""
        if find_chromium() is None:
            weasy(html_path, pdf_path)
            return "weasyprint"
        for attempt in (1, 2):
            if self.browser is None:
                self.browser = Browser()
                self.browser.start()
            try:
                self.browser.print(html_path, pdf_path, footer)
                return "chromium"
            except PdfError as e:
                self.browser.close()
                self.browser = None
                if attempt == 2:
                    raise ReportError(f"Chromium could not print {html_path} to PDF: {e}") from None
        raise AssertionError("unreachable")

    def run(self, job: Job) -> list[Path]:
        """Execute one report job and move its files into place. Returns the written paths."""
        return run(job, self)


def run(job: Job, renderer: Renderer | None = None) -> list[Path]:
    """Execute one report job and move its files into place; returns the written paths. With a
    ``renderer`` (a batch), its warm kernel and browser are used; alone, a renderer lives for this job."""
    if renderer is None:
        with Renderer() as own:
            return run(job, own)
    import papermill as pm

    _register_warm_engine()
    nb = notebook_path(job.notebook)
    params_file = str(Path(job.params_file).resolve())
    p = renderer.params(job)  # validated before any kernel starts
    renderer.logo(job, p)  # and the cover's logo
    dest = Path(job.out_root) / p.client / p.period.name
    name = job.report or nb.stem
    final = dest / name
    confined(job.out_root, final.parent / f"{final.name}.html", f"{job.params_file} (client, period.label, units)")
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{uuid.uuid4().hex[:8]}-", dir=final.parent))
    try:
        executed = tmp / f"{final.name}.ipynb"
        given = {"params_file": params_file, **job.extra}
        if nb.stem in READS_ARTEFACTS:
            given["artefacts"] = str(Path(job.out_root).resolve())
        try:
            done = pm.execute_notebook(
                str(nb),
                str(executed),
                parameters=given,
                engine_name=WARM,
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                kernel=renderer.kernel(),
                prelude=prelude(tmp),
            )
        except pm.PapermillExecutionError as e:
            raise ReportError(
                f"{nb.name} with {job.params_file} {job.extra or ''} failed in cell "
                f"{e.exec_count}: {e.ename}: {e.evalue}"
            ) from None
        front = page.cover(p, nb.stem, renderer.logo(job, p), job.extra.get("unit"))
        export_html(done, tmp / f"{final.name}.html", getattr(p, "language", "en"), front,
                    page.title(p, nb.stem, job.extra.get("unit")), toc=nb.stem not in NO_CONTENTS,
                    report=nb.stem)  # fmt: skip
        outputs = [executed, tmp / f"{final.name}.html"]
        if job.pdf:
            names = (getattr(p, "client_name", None) or p.client, getattr(p, "program", None), p.period.name)
            footer = " · ".join(str(n) for n in names if n)
            renderer.pdf(tmp / f"{final.name}.html", tmp / f"{final.name}.pdf", footer)
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
        stale = final.parent / f"{final.name}.pdf"
        if not job.pdf and stale.exists():  # an older run's PDF would contradict the new HTML: it goes with tmp
            os.replace(stale, tmp / "previous.pdf")
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
