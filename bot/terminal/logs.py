"""Log lines and library output in the terminal: never across the scene or the `You:` prompt.

The visitor model loads on its worker thread while the officer reads the opening line and types.
Anything written to the terminal then lands in the middle of the prompt, so the libraries'
progress bars and load reports are switched off (unless -v), and our own log lines wait while the
officer is typing and are shown as soon as the reply is sent.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

FORMAT = "%(levelname)s %(name)s: %(message)s"

# Read by tqdm, huggingface_hub and transformers when they are first imported: the CLI sets them
# before importing any of them, so nothing of theirs has to be imported just to be quietened.
QUIET_ENV = {
    "TQDM_DISABLE": "1",  # every tqdm bar, including the GGUF conversion's raw one
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",  # the "Loading weights" bars
    "TRANSFORMERS_VERBOSITY": "error",  # load reports and advisory warnings
}


def quiet_libraries() -> None:
    """Switch off the model libraries' progress bars and warnings (a user's own settings win)."""
    for name, value in QUIET_ENV.items():
        os.environ.setdefault(name, value)
    # already imported (in-process callers such as tests): their switches instead
    if "transformers" in sys.modules:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    if "huggingface_hub" in sys.modules:
        from huggingface_hub.utils import disable_progress_bars

        disable_progress_bars()


class TerminalLogHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is now, and holds lines while the officer is typing.

    "Now" matters: the start-up line redirects stderr so a warning prints above it, not through it.
    """

    def __init__(self, level: int = logging.NOTSET) -> None:
        logging.Handler.__init__(self, level)  # no fixed stream: see `stream`
        self._held: list[logging.LogRecord] = []
        self._holding = 0
        self._hold_lock = threading.Lock()

    @property
    def stream(self) -> TextIO:  # type: ignore[override]
        """The current sys.stderr."""
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:  # StreamHandler.setStream; stderr is always used
        pass

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record, or keep it for later while a prompt is open."""
        with self._hold_lock:
            if self._holding:
                self._held.append(record)
                return
        super().emit(record)

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Keep records back inside the block; write them, in order, when it ends."""
        with self._hold_lock:
            self._holding += 1
        try:
            yield
        finally:
            with self._hold_lock:
                self._holding -= 1
                held = [] if self._holding else self._held
                if not self._holding:
                    self._held = []
            for record in held:
                super().emit(record)


def configure(level: int, verbose: bool) -> None:
    """Log to stderr at `level` (DEBUG with -v); quieten the libraries unless verbose."""
    if not verbose:
        quiet_libraries()
    logging.captureWarnings(True)  # library warnings wait for the prompt like our own lines
    logging.basicConfig(
        level=logging.DEBUG if verbose else level,
        format=FORMAT,
        handlers=[TerminalLogHandler()],
    )


@contextmanager
def held_logs() -> Iterator[None]:
    """Hold the terminal's log lines inside the block (the officer is typing)."""
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, TerminalLogHandler)]
    if not handlers:
        yield
        return
    with handlers[0].holding():
        yield
