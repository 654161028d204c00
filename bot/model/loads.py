"""One model load at a time per process, retried once.

transformers is not safe to import or load from two threads at once: the visitor model loading on
its worker thread while the rubric's sentence encoder loads on the main thread failed with
"cannot import name 'AutoModelForCausalLM' from 'transformers'" or "Cannot copy out of meta
tensor" on most cold starts, and the practice silently fell back to persona lines. Every load
of a transformers/sentence-transformers model goes through `load_serially`.

Because loads run one at a time, "what is loading now" is one fact per process: `note` lets a
loader say what it is doing in a user's words (a first-run conversion takes a minute) and
`loading_now` lets an adapter show it while someone waits.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

# Re-entrant: a load may call another loader (a sentence-transformers model builds a transformers
# model) on the same thread.
LOAD_LOCK = threading.RLock()
_now = ""  # what the running load is doing, in a user's words ('' when nothing loads)


def loading_now() -> str:
    """What the running model load said it is doing ('' when it said nothing or none runs)."""
    return _now


def note(step: str) -> None:
    """Say what the running load is doing now, in a user's words (e.g. a first-run conversion)."""
    global _now
    _now = step
    log.debug("load step: %s", step)


def load_serially(what: str, load: Callable[[], T], retries: int = 1) -> T:
    """Run `load` while no other model loads; a failure is logged and retried `retries` times."""
    global _now
    for attempt in range(retries + 1):
        with LOAD_LOCK:
            outer = _now  # a nested load's note ends with it
            try:
                return load()
            except Exception as exc:
                if attempt == retries:
                    raise
                log.warning("%s failed to load (%s); trying once more", what, exc)
            finally:
                _now = outer
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
