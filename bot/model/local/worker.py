"""The model worker: one thread owns the model; sessions are served round-robin, in batches.

A visitor turn submits its N candidates as N jobs with one prompt; they are always taken
together, so the runner computes that prompt once for all of them.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from bot.lifecycle import native_work
from bot.model.base import BackendError
from bot.model.loads import load_serially
from bot.model.local.cores import MODEL_THREAD, name_os_thread
from bot.model.local.engine import Engine, TextJob
from bot.model.prompt import Prompt

log = logging.getLogger(__name__)

BATCH_LINGER_S = 0.015  # a short wait lets requests arriving together share one batch
# How long close() waits for the thread. A batch being generated is cut short at once; a model
# still loading cannot be, and loading from the cache takes seconds.
CLOSE_TIMEOUT_S = 30.0


@dataclass
class _Pending:
    work: Prompt | TextJob  # a visitor prompt, or a ready TextJob (the model server)
    seed: int
    future: Future[str] = field(default_factory=Future)

    def job(self, engine: Engine) -> TextJob:
        if isinstance(self.work, TextJob):
            return self.work
        return engine.job(self.work, self.seed)

    def same_prompt(self, other: _Pending) -> bool:
        """Whether both are candidates of one turn (they differ only in their seed)."""
        a, b = self.work, other.work
        if isinstance(a, TextJob) and isinstance(b, TextJob):
            return (a.prefix, a.suffix) == (b.prefix, b.suffix)
        return a is b or a == b


_OPEN: weakref.WeakSet[ModelWorker] = weakref.WeakSet()


@atexit.register
def _close_open_workers() -> None:
    """A worker nobody closed is stopped before the interpreter finalises: a thread still in
    torch then (decoding, or the warm-up after ready) aborts the whole process (exit 134)."""
    for worker in list(_OPEN):
        worker.close()


class ModelWorker:
    """Queues prompts per session and generates them on the engine from a single thread."""

    def __init__(self, load: Callable[[], Engine], max_batch: int | None = None) -> None:
        self._load = load
        self._max_batch = max_batch
        self._queues: OrderedDict[str, deque[_Pending]] = OrderedDict()
        self._cv = threading.Condition()
        self._closed = False
        self._stopping = threading.Event()  # tells a generating engine to stop between steps
        self._close_by: float | None = None
        self._told_still_running = False
        self._ready = threading.Event()
        self.engine: Engine | None = None
        self.load_error: BaseException | None = None
        self.load_seconds = 0.0
        self.largest_batch = 0
        self._thread = threading.Thread(target=self._run, name=MODEL_THREAD, daemon=True)
        self._thread.start()
        _OPEN.add(self)

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until the model is loaded (or failed to load); True when it is usable."""
        self._ready.wait(timeout)
        return self.engine is not None

    @property
    def alive(self) -> bool:
        """True while the worker thread runs and has not been closed."""
        return self._thread.is_alive() and not self._closed

    @property
    def loading(self) -> bool:
        """True until the model has loaded or failed to (queued work waits for it meanwhile)."""
        return not self._ready.is_set()

    def submit(self, session: str, work: Prompt | TextJob, seed: int = 0) -> Future[str]:
        """Queue work behind the session's earlier requests; the future gets the raw text."""
        pending = _Pending(work, seed)
        with self._cv:
            if self._closed:
                raise BackendError("the model worker is closed")
            if self.load_error is not None:
                raise BackendError(f"the visitor model failed to load: {self.load_error}")
            self._queues.setdefault(session, deque()).append(pending)
            self._cv.notify()
        return pending.future

    def close(self, timeout: float | None = None) -> bool:
        """Stop the thread and wait for it (up to `timeout`, default CLOSE_TIMEOUT_S); True when
        it has ended.

        Queued jobs fail with BackendError and a batch being generated is cut short. The wait
        matters: a thread still inside torch when the interpreter exits aborts the whole
        process ("terminate called without an active exception", exit code 134). Closing again
        waits only for what is left of the first close's time.
        """
        wait = CLOSE_TIMEOUT_S if timeout is None else timeout
        with self._cv:
            if self._close_by is None:
                self._close_by = time.monotonic() + wait
            self._closed = True
            self._fail_all(closed=True)
            self._cv.notify_all()
        self._stopping.set()
        self._thread.join(max(0.0, self._close_by - time.monotonic()))
        if self._thread.is_alive():
            if not self._told_still_running:
                self._told_still_running = True
                doing = "loading" if not self._ready.is_set() else "generating"
                log.warning("the visitor model is still %s after %.0f s; not waiting longer",
                            doing, wait)  # fmt: skip
            return False
        return True

    @property
    def stopped(self) -> bool:
        """True once the worker thread has ended (after close, or if it died)."""
        return not self._thread.is_alive()

    def _run(self) -> None:
        # the OS name lets the thread count follow the load without counting our own threads
        name_os_thread(MODEL_THREAD)
        with native_work():  # until here, exiting the process must not finalise around torch
            self._work()

    def _work(self) -> None:
        start = time.monotonic()
        try:
            engine = load_serially("the visitor model", self._load)
            if hasattr(engine, "stop"):  # engines that can stop between decode steps
                engine.stop = self._stopping
            self.engine = engine
        except Exception as exc:  # noqa: BLE001 - reported to every caller instead
            log.error("the visitor model failed to load: %s", exc)
            self.load_error = exc
        finally:
            self.load_seconds = time.monotonic() - start
            self._ready.set()
        self._warm_up()
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            self._serve(batch)

    def _warm_up(self) -> None:
        """One-time kernel set-up after `ready`: the officer reads the opening line meanwhile."""
        warm_up = getattr(self.engine, "warm_up", None)
        if warm_up is None or self._closed:
            return
        try:
            warm_up()
        except Exception:  # noqa: BLE001 - the first real turn pays the set-up instead
            log.warning("visitor model warm-up failed", exc_info=True)

    def _next_batch(self) -> list[_Pending] | None:
        with self._cv:
            while not self._queues and not self._closed:
                self._cv.wait()
            if self._closed or self.engine is None:
                self._fail_all(self._closed)
                return None if self._closed else []
        limit = self._max_batch or self.engine.max_batch
        if limit > 1:
            time.sleep(BATCH_LINGER_S)
        with self._cv:
            return self._take(limit)

    def _take(self, limit: int) -> list[_Pending]:
        """Round-robin: one turn (its jobs with one prompt) per session per pass, the served
        session moves to the back. A turn that no longer fits waits for the next batch rather
        than being split (its prompt would be computed twice); only a turn larger than a whole
        batch is split."""
        batch: list[_Pending] = []
        taken = True
        while self._queues and len(batch) < limit and taken:
            taken = False
            for session in list(self._queues):
                queue = self._queues[session]
                turn = _turn_length(queue)
                if batch and len(batch) + turn > limit:
                    continue
                batch += [queue.popleft() for _ in range(min(turn, limit - len(batch)))]
                taken = True
                if queue:
                    self._queues.move_to_end(session)
                else:
                    del self._queues[session]
                if len(batch) == limit:
                    break
        return [p for p in batch if p.future.set_running_or_notify_cancel()]

    def _serve(self, batch: list[_Pending]) -> None:
        if not batch or self.engine is None:
            return
        start = time.monotonic()
        self.largest_batch = max(self.largest_batch, len(batch))
        try:
            engine = self.engine
            texts = engine.generate([p.job(engine) for p in batch])
        except Exception as exc:  # noqa: BLE001 - one bad batch must not kill the worker
            log.exception("visitor generation failed")
            for pending in batch:
                pending.future.set_exception(BackendError(f"generation failed: {exc}"))
            return
        if self._closed:  # cut short by close(): the texts are unfinished
            for pending in batch:
                pending.future.set_exception(BackendError("the model worker is closed"))
            return
        log.debug("generated a batch of %d in %.2f s", len(batch), time.monotonic() - start)
        for pending, text in zip(batch, texts, strict=True):
            pending.future.set_result(text)

    def _fail_all(self, closed: bool) -> None:
        reason = "the model worker is closed" if closed else f"model failed: {self.load_error}"
        for queue in self._queues.values():
            for pending in queue:
                if pending.future.set_running_or_notify_cancel():
                    pending.future.set_exception(BackendError(reason))
        self._queues.clear()


def _turn_length(queue: deque[_Pending]) -> int:
    """How many jobs at the head of a session's queue share the first one's prompt."""
    count = 1
    while count < len(queue) and queue[count].same_prompt(queue[0]):
        count += 1
    return count
