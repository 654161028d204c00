"""How many threads the model may use: the cores that everything else has left idle.

Why not a fixed count: a decode step is hundreds of small parallel regions, each waiting for its
slowest thread, so a thread that shares its core with another busy process stalls every region.
On a 2-core host two threads made a 40-token turn take 58 s instead of 1 s while another process
was busy, yet on an idle host they decode ~1.6x faster than one. So the model thread measures
(Linux /proc) how much CPU everything except its own threads used over the last moments, and
takes the cores left over; elsewhere it keeps half the cores.
"""

from __future__ import annotations

import ctypes
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

MODEL_THREAD = "cooldown-model"  # OS name of the model thread; its OpenMP team inherits it
MIN_WINDOW_S = 0.25  # shorter windows are too noisy to judge the load
_PROC = Path("/proc")


def name_os_thread(name: str) -> None:
    """Give the calling thread an OS-level name (threads it starts later inherit it)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME
    except (OSError, AttributeError):
        pass


def machine_ticks(proc: Path = _PROC) -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot, all cores together."""
    fields = [int(x) for x in (proc / "stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = fields
    busy = user + nice + system + irq + softirq + steal
    return busy, busy + idle + iowait


def thread_ticks(name: str, proc: Path = _PROC) -> int:
    """CPU ticks used so far by this process's threads called `name`."""
    total = 0
    for task in (proc / "self" / "task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue  # the thread ended meanwhile
        comm, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :]
        if comm == name[:15]:
            fields = rest.split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


class CoreShare:
    """Picks the model thread's intra-op thread count from the cores others leave idle."""

    def __init__(
        self,
        apply: Callable[[int], None],
        limit: int | None = None,
        cpus: int | None = None,
        name: str = MODEL_THREAD,
        proc: Path = _PROC,
    ) -> None:
        self.cpus = cpus or os.cpu_count() or 1  # /proc/stat counts every core of the machine
        usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else self.cpus
        self.limit = max(1, min(limit or 4, self.cpus, usable))
        self._apply, self._name, self._proc = apply, name, proc
        self.threads = 0
        self.last_free: float | None = None
        self._sample = self._read()

    def __call__(self) -> int:
        """Re-measure (when enough time passed) and apply the thread count; returns it."""
        now = self._read()
        if now is None or self._sample is None:
            self._set(max(1, min(self.limit, self.cpus // 2)))
            return self.threads
        wall, busy, total, ours = (b - a for a, b in zip(self._sample, now, strict=True))
        if wall < MIN_WINDOW_S and self.threads:
            return self.threads
        self._sample = now
        if total <= 0:
            return self.threads or self._set(1)
        others = max(0.0, (busy - ours) / (total / self.cpus))
        self.last_free = self.cpus - others
        # a thread needs most of a core to itself: 1.75 free cores give two threads, 1.7 one
        self._set(max(1, min(self.limit, int(self.last_free + 0.25))))
        return self.threads

    def _set(self, threads: int) -> int:
        if threads != self.threads:
            free = "unknown" if self.last_free is None else f"{self.last_free:.2f}"
            log.debug("model threads %d -> %d (free cores %s)", self.threads, threads, free)
            self._apply(threads)
            self.threads = threads
        return threads

    def _read(self) -> tuple[float, int, int, int] | None:
        try:
            busy, total = machine_ticks(self._proc)
            ours = thread_ticks(self._name, self._proc)
        except (OSError, ValueError, IndexError):
            return None
        return time.monotonic(), busy, total, ours
