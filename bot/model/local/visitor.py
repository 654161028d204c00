"""LocalVisitor: the visitor spoken by a local transformers model through the model worker."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from bot.core.pick import LinePicker
from bot.model import loads
from bot.model.base import CANDIDATES, GeneratingVisitor
from bot.model.local.engine import Engine, build_engine
from bot.model.local.worker import ModelWorker
from bot.model.prompt import Prompt

log = logging.getLogger(__name__)


class LocalVisitor(GeneratingVisitor):
    """Visitor backed by a local model; loading starts at once on the worker thread.

    `model`: '' for the embedded gemma-3-270m, a local model folder, a .gguf file or a hub id
    already in the Hugging Face cache. `adapter`: '' for the shipped visitor adapter (embedded
    model only), 'none', or an adapter folder. `threads`: CPU threads for generation (default: half
    the cores, 1 on a 2-core host). `engine` replaces the model (tests, custom runners).
    """

    def __init__(
        self,
        model: str = "",
        cache_dir: Path | str = "models",
        device: str = "auto",
        max_batch: int | None = None,
        threads: int | None = None,
        engine: Engine | None = None,
        reply_timeout_s: float = 120.0,
        picker: LinePicker | None = None,
        candidates: int = CANDIDATES,
        adapter: str = "",
    ) -> None:
        super().__init__(reply_timeout_s, picker, candidates)
        cache = Path(cache_dir)
        if engine is not None:
            self._load: Callable[[], Engine] = lambda: engine
        else:
            self._load = lambda: build_engine(model, cache, device, threads, adapter)
        self._max_batch = max_batch
        self._closed = False
        self._restart_lock = threading.Lock()
        self.worker = ModelWorker(self._load, max_batch)
        self.restarts = 0

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until the model is loaded; False if loading failed (replies then fall back)."""
        return self.worker.wait_ready(timeout)

    @property
    def loading(self) -> str:
        """What the model is still doing before it can speak ('' once it has loaded or failed)."""
        if not self.worker.loading:
            return ""
        return loads.loading_now() or "loading the model"

    @property
    def problem(self) -> str:
        """A sentence for the officer when the model could not load ('' otherwise)."""
        if self.worker.load_error is not None:
            return f"the visitor model could not load ({self.worker.load_error})"
        return super().problem

    def close(self) -> bool:
        """Stop the model worker and wait for its thread; False if it would not stop in time."""
        self._closed = True
        return self.worker.close()

    def restart_worker(self) -> None:
        """A new model worker (the model loads again); the old one's queued jobs fall back.

        The new worker is in place before the old one stops, so no request meets a closed one.
        """
        with self._restart_lock:
            old = self.worker
            self.worker = ModelWorker(self._load, self._max_batch)
            self.restarts += 1
        log.warning("model worker restarted (%d so far)", self.restarts)
        old.close()

    def _generate(self, prompt: Prompt, seed: int, session: str) -> Future[str]:
        worker = self.worker
        if not worker.alive and not self._closed:
            log.error("the model worker thread has died; starting a new one")
            with self._restart_lock:
                stale = self.worker is worker
            if stale:
                self.restart_worker()
            worker = self.worker
        return worker.submit(session, prompt, seed)
