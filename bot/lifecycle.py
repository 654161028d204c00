"""How every `cooldown` command ends: documented exit codes, signals, no thread left in torch.

A service manager (systemd, Docker, a supervisor) reads the exit code: 134 (an abort) reads as a
crash and a traceback reads as a bug, so each way of stopping has its own code (docs/service.md)
and the model worker and store writer are stopped and joined before the interpreter exits.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from types import FrameType

log = logging.getLogger(__name__)

class ExitCode(IntEnum):
    """What `cooldown` exits with; the table in docs/service.md explains each one."""

    OK = 0  # done, or the bot stopped as asked (SIGINT, SIGTERM, SIGHUP)
    FAILED = 1  # an unexpected error (a bug): the log has the traceback
    USAGE = 2  # the command line or a setting is wrong (e.g. DISCORD_TOKEN is not set)
    TOKEN_REJECTED = 3  # Discord refused DISCORD_TOKEN (401)
    INTENT_MISSING = 4  # the Message Content intent is not switched on
    UNREACHABLE = 5  # Discord could not be reached within DISCORD_CONNECT_TIMEOUT_S
    DATABASE = 6  # the database cannot be opened or written
    PERSONAS = 7  # the personas folder is missing or holds no usable persona
    HANGUP = 129  # a terminal command stopped by SIGHUP (its terminal closed)
    INTERRUPTED = 130  # a terminal command stopped by Ctrl-C
    TERMINATED = 143  # a terminal command stopped by SIGTERM


class Stopped(BaseException):
    """SIGTERM or SIGHUP arrived: unwind like Ctrl-C does, closing everything on the way.

    A BaseException, like KeyboardInterrupt, so no `except Exception` swallows it. Unlike Ctrl-C
    in a practice (the officer ending it), this is the system stopping the program: a practice
    in progress is left saved for resume, not ended.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.exit_code = 128 + signum
        super().__init__(f"stopped by {signal.Signals(signum).name}")


# SIGHUP: the terminal closed (Windows has no SIGHUP)
STOP_SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n))


class _StopOnce:
    """The signal handler: raises Stopped once; later signals only log, so a supervisor that
    repeats SIGTERM does not interrupt the closing that the first one started."""

    def __init__(self) -> None:
        self.raised = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.raised:
            log.info("%s again: already stopping", signal.Signals(signum).name)
            return
        self.raised = True
        raise Stopped(signum)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise Stopped in the main thread (else: no change)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handler = _StopOnce()
    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _ignore(signum: int, frame: FrameType | None) -> None:
    log.info("%s: already stopping", signal.Signals(signum).name)


@contextmanager
def closing_undisturbed() -> Iterator[None]:
    """While inside (closing the model worker and the store), stop signals are only logged."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _ignore) for sig in (signal.SIGINT, *STOP_SIGNALS)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


_working: set[threading.Thread] = set()
_working_lock = threading.Lock()


@contextmanager
def native_work() -> Iterator[None]:
    """Marks the calling thread as one that runs native code (torch) for as long as it is inside.

    Thread.is_alive() cannot be trusted for this: a join() interrupted by Ctrl-C marks a thread
    that is still running as stopped (CPython bpo-45274).
    """
    thread = threading.current_thread()
    with _working_lock:
        _working.add(thread)
    try:
        yield
    finally:
        with _working_lock:
            _working.discard(thread)


def threads_left() -> list[threading.Thread]:
    """Threads still inside native_work() (the interpreter would not wait for them)."""
    with _working_lock:
        return sorted(_working, key=lambda t: t.name)


def leave(code: int) -> int:
    """The exit code, once nothing of ours still runs; else flush and end the process now.

    Closing waits for the model worker, but a model still loading cannot be interrupted. If the
    interpreter finalised around it, torch would abort the process (exit 134); leaving with
    os._exit skips that finalisation, and only ever happens after everything else has closed.
    """
    left = threads_left()
    if not left:
        return code
    names = ", ".join(sorted(t.name for t in left))
    log.info("leaving while %s still runs (it cannot be interrupted)", names)
    for handler in logging.getLogger().handlers:
        handler.flush()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
