"""The timing harness every benchmark script shares (they run as scripts: this folder is on sys.path).

A benchmark compares two sides doing the same work: ours and a peer (another library, hand-written SQL, a
bare pandas group-by). The machine is shared and noisy, so the sides run alternately, pair after pair, and
the ratio of each pair is kept: the report gives the minimum and the median ratio. Each run happens in a
child process forked for it, so that each side's peak memory is that child's own high-water mark (the
inputs built before the fork count for both alike) and nothing one side leaves in memory slows the other.

Each script prints the target it is held to and exits 1 when a median misses it, so ``make bench`` is a
regression check; ``--quick`` runs smaller sizes (``make bench-quick``, under 2 minutes in all).
"""

from __future__ import annotations

import gc
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median wall time of ``repeat`` calls of ``fn`` in this process, and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def ratio(fn, baseline, repeat: int) -> tuple[float, float, float]:
    """Median times of ``fn`` and ``baseline`` run alternately in this process and the median of the
    per-pair ratios: ``(t_fn, t_baseline, ratio)``."""
    a, b, r = [], [], []
    for _ in range(repeat):
        ta, _ = timed(fn, 1)
        tb, _ = timed(baseline, 1)
        a.append(ta)
        b.append(tb)
        r.append(ta / tb)
    return statistics.median(a), statistics.median(b), statistics.median(r)


def forked(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall time of ``fn()`` and the peak resident memory (MiB) of the child process it ran in."""
    read, write = os.pipe()
    # The parent's objects leave the collector's sight: a collection in the child would otherwise write to
    # every page of the inputs it walks (copy-on-write), a cost neither side's own work has.
    gc.freeze()
    pid = os.fork()
    if pid == 0:  # the child: run, report, leave without running the parent's clean-up
        os.close(read)
        code = 0
        try:
            t0 = time.perf_counter()
            fn()
            seconds = time.perf_counter() - t0
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            os.write(write, json.dumps([seconds, peak]).encode())
        except BaseException as e:  # any failure goes to the parent, never swallowed
            os.write(write, json.dumps({"error": f"{type(e).__name__}: {e}"}).encode())
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    got = json.loads(b"".join(chunks) or b'{"error": "the child died without a word"}')
    if isinstance(got, dict):
        raise RuntimeError(got["error"])
    return got[0], got[1]


def live_peak(root: int | None = None) -> float:
    """The largest peak resident memory (MiB, each process's own high-water mark ``VmHWM``) among the live
    descendants of ``root`` (this process by default): the kernels and browsers a side keeps open. Linux
    only (``/proc``); 0 elsewhere."""
    root = os.getpid() if root is None else root
    parent = {}
    for d in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    parent[int(d)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # the process ended while we looked
    kids, todo = set(), [root]
    while todo:
        p = todo.pop()
        for c, pp in parent.items():
            if pp == p and c not in kids:
                kids.add(c)
                todo.append(c)
    peak = 0.0
    for c in kids:
        try:
            with open(f"/proc/{c}/status") as f:
                hwm = next((line.split()[1] for line in f if line.startswith("VmHWM:")), "0")
            peak = max(peak, int(hwm) / 1024)
        except OSError:
            continue
    return peak


@dataclass
class Result:
    """One measure: ours against the peer over alternated pairs, and the target the median is held to."""

    measure: str
    target: float  # the largest median ratio allowed (ours / peer time); or seconds when ``absolute``
    size: str
    ours: list[float] = field(default_factory=list)
    peer: list[float] = field(default_factory=list)
    peak_ours: float = 0.0
    peak_peer: float = 0.0
    absolute: bool = False  # held to seconds of ours alone (the peer is shown for scale)
    per: tuple[float, float] = (1.0, 1.0)  # the work each side does (members scored): ratios per unit of work
    memory: float | None = None  # the largest peak memory (MiB) allowed to ours, when held to one

    @property
    def ratios(self) -> list[float]:
        return [(a / self.per[0]) / (b / self.per[1]) for a, b in zip(self.ours, self.peer, strict=True)]

    @property
    def value(self) -> float:
        return statistics.median(self.ours) if self.absolute else statistics.median(self.ratios)

    @property
    def ok(self) -> bool:
        return self.value <= self.target and (self.memory is None or self.peak_ours <= self.memory)

    def line(self) -> str:
        r = self.ratios
        held = f"median {self.value:.3f} s" if self.absolute else f"median {self.value:.3g}x"
        target = f"<= {self.target:g} s" if self.absolute else f"<= {self.target:g}x"
        return (
            f"{self.measure} [{self.size}, {len(r)} pairs]: ratio min {min(r):.3g}x, median "
            f"{statistics.median(r):.3g}x; {held} (target {target}) {'ok' if self.ok else 'MISSED'}; "
            f"ours {statistics.median(self.ours):.3f} s, peer {statistics.median(self.peer):.3f} s; "
            f"peak memory ours {self.peak_ours:,.0f} MiB"
            + (f" (target <= {self.memory:,.0f} MiB)" if self.memory is not None else "")
            + f", peer {self.peak_peer:,.0f} MiB"
        )


def pairs(
    measure: str,
    ours: Callable[[], object],
    peer: Callable[[], object],
    target: float,
    size: str,
    n: int = 5,
    absolute: bool = False,
    per: tuple[float, float] = (1.0, 1.0),
    memory: float | None = None,
) -> Result:
    """Run ``ours`` and ``peer`` alternately ``n`` times each, each run in its own forked child (the order
    flips every pair), print the result line and return it. ``per``: the work of each side, when they do
    different amounts (the ratio is then of times per unit of work); ``memory``: the peak (MiB) ours may
    reach."""
    res = Result(measure, target, size, absolute=absolute, per=per, memory=memory)
    for k in range(n):
        order = ((ours, res.ours, "ours"), (peer, res.peer, "peer"))
        for fn, times, side in order if k % 2 == 0 else order[::-1]:
            t, peak = forked(fn)
            times.append(t)
            if side == "ours":
                res.peak_ours = max(res.peak_ours, peak)
            else:
                res.peak_peer = max(res.peak_peer, peak)
    print(res.line(), flush=True)
    return res


def finish(results: list[Result]) -> None:
    """Exit 1 when any measure missed its target (``make bench`` stops there)."""
    missed = [r.measure for r in results if not r.ok]
    if missed:
        print(f"MISSED: {', '.join(missed)}", file=sys.stderr)
        sys.exit(1)
