"""Closing the model worker: a batch being generated is cut short, a load is waited for."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from bot.lifecycle import threads_left
from bot.model.base import BackendError
from bot.model.local.engine import TextJob
from bot.model.local.worker import ModelWorker
from bot.model.prompt import Prompt


class StepEngine:
    """Decodes step by step until done or until the worker's stop event is set."""

    chat = False
    max_batch = 4

    def __init__(self, steps: int = 10_000) -> None:
        self.stop: threading.Event | None = None
        self.steps = steps
        self.started = threading.Event()
        self.steps_done = 0

    def job(self, prompt: Prompt, seed: int) -> TextJob:
        return TextJob(prompt.prefix, prompt.suffix, seed)

    def generate(self, jobs: Sequence[TextJob]) -> list[str]:
        self.started.set()
        for _ in range(self.steps):
            if self.stop is not None and self.stop.is_set():
                break
            time.sleep(0.005)
            self.steps_done += 1
        return ["half a sentence"] * len(jobs)


def test_close_cuts_a_long_generation_short_and_fails_its_job() -> None:
    engine = StepEngine()
    worker = ModelWorker(lambda: engine)
    future = worker.submit("s1", TextJob("prefix", "suffix", 1))
    assert engine.started.wait(10)
    started = time.monotonic()
    assert worker.close(timeout=10) is True
    assert time.monotonic() - started < 2  # not the 50 s the batch would have taken
    assert worker.stopped and engine.steps_done < engine.steps
    with pytest.raises(BackendError, match="closed"):
        future.result(timeout=1)  # an unfinished text is never handed out as a line


def test_queued_jobs_fail_at_once_when_closed() -> None:
    engine = StepEngine()
    worker = ModelWorker(lambda: engine, max_batch=1)
    first = worker.submit("s1", TextJob("p", "s", 1))
    assert engine.started.wait(10)
    queued = worker.submit("s2", TextJob("p", "s", 2))
    assert worker.close(timeout=10)
    for future in (first, queued):
        with pytest.raises(BackendError):
            future.result(timeout=1)
    with pytest.raises(BackendError, match="closed"):
        worker.submit("s3", TextJob("p", "s", 3))


def test_a_load_that_outlasts_the_wait_is_reported_and_the_thread_named() -> None:
    release = threading.Event()

    def slow_load() -> StepEngine:
        release.wait(30)
        return StepEngine(steps=1)

    worker = ModelWorker(slow_load)
    assert worker.close(timeout=0.2) is False  # still loading: it cannot be interrupted
    started = time.monotonic()
    assert worker.close(timeout=5) is False  # closing again does not wait all over again
    assert time.monotonic() - started < 1
    assert worker._thread in threads_left()  # what lifecycle.leave looks for
    assert worker._thread.name == "cooldown-model"
    release.set()
    worker._thread.join(10)
    assert worker.stopped and worker._thread not in threads_left()


UNCLOSED = """
import sys, threading, time
import torch
from bot.model.local.worker import ModelWorker
from bot.model.local.engine import TextJob

class TorchEngine:
    chat = False
    max_batch = 4
    stop = None

    def job(self, prompt, seed):
        return TextJob(prompt.prefix, prompt.suffix, seed)

    def generate(self, jobs):
        x = torch.randn(256, 256)
        while not (self.stop is not None and self.stop.is_set()):
            x = torch.tanh(x @ x)  # inside torch, as a decoding model is
        return ["done"] * len(jobs)

worker = ModelWorker(TorchEngine)
assert worker.wait_ready(10)
worker.submit("s1", TextJob("a", "b", 0))
time.sleep(0.3)
print("leaving without close", flush=True)
"""


def test_a_worker_nobody_closed_is_stopped_before_the_interpreter_exits() -> None:
    """A script that forgets close() while the model decodes still exits 0, not with an abort."""
    import subprocess
    import sys

    from bot.settings import PROJECT_ROOT

    run = subprocess.run(
        [sys.executable, "-c", UNCLOSED], cwd=PROJECT_ROOT, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert "leaving without close" in run.stdout
    assert run.returncode == 0, run.stderr[-2000:]
