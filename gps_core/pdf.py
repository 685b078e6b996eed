"""Print HTML reports to PDF with one headless Chromium kept open for a whole batch.

Chromium is driven over the DevTools protocol through a pipe (``--remote-debugging-pipe``: commands on the
child's fd 3, replies on its fd 4, each message JSON ended by a NUL byte), so no port is opened and nothing
beyond the standard library is needed. Each report is a new tab: navigate to the file, wait for its ``load``
event, ``Page.printToPDF`` with a footer (client name, page x of y), close the tab. Starting a browser costs
about half a second and printing a page a fraction of that, which is why a batch keeps one open
(issue 14: a browser per file was 30 % of a scorecard's cost). Without Chromium, WeasyPrint lays out the
same HTML (:func:`weasy`).
"""

from __future__ import annotations

import base64
import html
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .errors import GpsError

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-extensions",
    "--mute-audio",
]


# fds 3 and 4 from the two pipe ends given as arguments, moved above 10 first so that neither clobbers the other
WIRE = """import fcntl, os, sys
a, b = (fcntl.fcntl(int(x), fcntl.F_DUPFD, 10) for x in sys.argv[1:3])
os.dup2(a, 3)
os.dup2(b, 4)
for fd in {a, b, int(sys.argv[1]), int(sys.argv[2])} - {3, 4}:
    os.close(fd)
os.execv(sys.argv[3], sys.argv[3:])
"""


class PdfError(GpsError):
    """A PDF could not be printed; the message says which file and why."""


def find_chromium() -> str | None:
    """The path of a Chromium (or Chrome) on PATH, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        if path := shutil.which(name):
            return path
    return None


def footer(left: str) -> str:
    """The page footer Chromium stamps on every page: ``left`` (the client) and ``page / pages``.

    Chromium fills the ``pageNumber`` and ``totalPages`` spans; the text is escaped because it comes from
    params."""
    style = "font-family: 'DejaVu Sans', sans-serif; font-size: 7.5pt; color: #555; width: 100%; margin: 0 12mm;"
    return (
        f'<div style="{style} display: flex; justify-content: space-between;">'
        f"<span>{html.escape(left)}</span>"
        '<span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>'
    )


class Browser:
    """One headless Chromium for many PDFs. Use as a context manager; :meth:`print` one file at a time.

    Parameters
    ----------
    executable
        Chromium's path (default: :func:`find_chromium`).
    timeout
        Seconds a single page may take to load and print.
    """

    def __init__(self, executable: str | None = None, timeout: float = 120.0):
        self.executable = executable or find_chromium()
        if not self.executable:
            raise PdfError("Chromium is not installed (apt-get install chromium); WeasyPrint can print instead")
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        self.session: str | None = None  # the one tab every print navigates (a new tab per file cost 0.1 s)
        self._id = 0
        self._buffer = b""

    def __enter__(self) -> Browser:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        self.profile = tempfile.mkdtemp(prefix="gps-chromium-")
        to_child_r, self._w = os.pipe()  # we write commands; Chromium reads them on its fd 3
        self._r, from_child_w = os.pipe()  # Chromium writes replies on its fd 4; we read them
        try:  # a tiny exec wrapper puts the pipe ends on fds 3 and 4 (no preexec_fn: unsafe with threads)
            self.proc = subprocess.Popen(
                [sys.executable, "-c", WIRE, str(to_child_r), str(from_child_w), self.executable, *FLAGS,
                 f"--user-data-dir={self.profile}", "--remote-debugging-pipe", "about:blank"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(to_child_r, from_child_w),
            )  # fmt: skip
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self.call("Target.setDiscoverTargets", {"discover": False})

    def close(self) -> None:
        if self.proc is None:
            return
        try:
            self._send("Browser.close", {})
            self.proc.wait(timeout=10)
        except Exception:  # a browser that does not close in time is killed; its profile goes either way
            self.proc.kill()
            self.proc.wait()
        finally:
            for fd in (self._w, self._r):
                try:
                    os.close(fd)
                except OSError:
                    pass
            shutil.rmtree(self.profile, ignore_errors=True)
            self.proc = None
            self.session = None

    def _send(self, method: str, params: dict, session: str | None = None) -> int:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._w, data) :]
        except OSError:  # broken pipe: the browser is gone
            raise PdfError("Chromium closed the connection (it crashed or was killed)") from None
        return self._id

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._r], [], [], left)[0]:
                raise PdfError(f"Chromium did not answer within {self.timeout:.0f} s")
            chunk = os.read(self._r, 1 << 20)
            if not chunk:
                raise PdfError("Chromium closed the connection (it crashed or was killed)")
            self._buffer += chunk
        msg, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(msg)

    def call(self, method: str, params: dict | None = None, session: str | None = None, until: str | None = None):
        """Send one command and return its result; with ``until``, also wait for that event of the session."""
        deadline = time.monotonic() + self.timeout
        want = self._send(method, params or {}, session)
        result, seen = None, until is None
        while result is None or not seen:
            msg = self._read(deadline)
            if msg.get("id") == want:
                if "error" in msg:
                    raise PdfError(f"Chromium refused {method}: {msg['error'].get('message')}")
                result = msg.get("result", {})
            elif until and msg.get("method") == until and msg.get("sessionId") == session:
                seen = True
        return result

    def _value(self, expression: str, session: str):
        """The value of a JavaScript expression in the page of ``session``."""
        res = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
        if "exceptionDetails" in res:
            raise PdfError(f"the page's script failed: {res['exceptionDetails'].get('text')}")
        return res["result"].get("value")

    def tab(self) -> str:
        """The session of the browser's one tab, opened on first use. Every print navigates it to its file:
        a navigation starts the page afresh (its document, scripts and DOM), and a new tab per file cost a
        third of printing a scorecard."""
        if self.session is None:
            target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            self.call("Page.enable", session=self.session)
        return self.session

    def print(self, html_path: str | Path, pdf_path: str | Path, footer_left: str = "") -> None:
        """Print one HTML file to ``pdf_path`` (A4, backgrounds, the CSS page size and margins win)."""
        session = self.tab()
        url = Path(html_path).resolve().as_uri()
        self.call("Page.navigate", {"url": url}, session, until="Page.loadEventFired")
        opts = {
            "printBackground": True,
            "preferCSSPageSize": True,
            "paperWidth": 8.27,
            "paperHeight": 11.69,
            "displayHeaderFooter": bool(footer_left),
            "headerTemplate": "<span></span>",
            "footerTemplate": footer(footer_left) if footer_left else "<span></span>",
            "generateDocumentOutline": True,
            "generateTaggedPDF": True,
        }
        data = self.call("Page.printToPDF", opts, session)["data"]
        if self._value("document.querySelectorAll('.gps-toc-page').length", session):
            # Chromium has no target-counter(): read where each section landed in the outline of the first
            # print, write the numbers into the contents (same width, so no page moves) and print again
            pages = outline_pages(base64.b64decode(data))
            self._value(FILL_TOC.replace("PAGES", json.dumps(pages)), session)
            data = self.call("Page.printToPDF", opts, session)["data"]
        Path(pdf_path).write_bytes(base64.b64decode(data))


# titles are compared without white space: Chromium's outline drops the space where a heading wraps
FILL_TOC = """(() => {
  const key = (t) => t.replace(/\\s+/g, '');
  const left = {};
  for (const [title, page] of PAGES) (left[key(title)] ??= []).push(page);
  let filled = 0;
  for (const li of document.querySelectorAll('.gps-toc li')) {
    const queue = left[key(li.querySelector('a').textContent)];
    if (queue && queue.length) { li.querySelector('.gps-toc-page').textContent = queue.shift(); filled++; }
  }
  return filled;
})()"""


def outline_pages(pdf: bytes) -> list[tuple[str, int]]:
    """Every entry of a PDF's outline (its bookmarks, nested ones included, in order) with its page number
    counted from 1, as the footer counts."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    out: list[tuple[str, int]] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out.append((str(item.title), reader.get_destination_page_number(item) + 1))

    walk(reader.outline)
    return out


def weasy(html_path: str | Path, pdf_path: str | Path) -> None:
    """Print with WeasyPrint, the fallback when no Chromium is installed.

    Raises
    ------
    PdfError
        WeasyPrint cannot load (its system libraries are missing).
    """
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as e:  # OSError: the system's Pango libraries are missing
        raise PdfError(
            f"no PDF engine: Chromium is not installed and WeasyPrint cannot load ({e}). "
            "Install Chromium (apt-get install chromium) or run with --no-pdf."
        ) from None
    HTML(filename=str(html_path)).write_pdf(str(pdf_path))
