"""Model loads are serialised and retried, and a visitor that cannot load is said loudly."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.cli_practice import play
from bot.core.persona import Persona
from bot.core.practice import PracticeRoom
from bot.model.loads import load_serially
from bot.model.local import LocalVisitor
from bot.model.local.worker import ModelWorker
from bot.settings import get_settings

PROJECT = Path(__file__).resolve().parents[2]


def test_two_loads_never_overlap() -> None:
    inside = 0
    overlaps = []
    guard = threading.Lock()

    def load() -> int:
        nonlocal inside
        with guard:
            inside += 1
            overlaps.append(inside)
        time.sleep(0.05)
        with guard:
            inside -= 1
        return 1

    threads = [threading.Thread(target=load_serially, args=("m", load)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert max(overlaps) == 1


def test_a_failed_load_is_tried_once_more() -> None:
    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Cannot copy out of meta tensor; no data!")
        return "engine"

    assert load_serially("the visitor model", flaky) == "engine"
    assert len(calls) == 2


def test_a_load_that_fails_twice_is_reported() -> None:
    def broken() -> str:
        raise RuntimeError("disk on fire")

    worker = ModelWorker(broken)
    assert worker.wait_ready(5) is False
    assert "disk on fire" in str(worker.load_error)
    worker.close()


def test_the_terminal_says_loudly_when_the_model_could_not_load(
    persona: Persona, fake_rubric: object
) -> None:
    def broken() -> object:
        raise RuntimeError("Cannot copy out of meta tensor; no data!")

    visitor = LocalVisitor(engine=object())  # type: ignore[arg-type]
    visitor.worker.close()
    visitor.worker = ModelWorker(broken)  # a model whose load fails, as in the race
    room = PracticeRoom(_library(persona), visitor, fake_rubric)  # type: ignore[arg-type]
    session = room.start("cli:t", persona.id)
    out = io.StringIO()
    play(room, session, ["I can see you're upset. Let me help.", "/end"], out)
    text = out.getvalue()
    assert "!! The visitor model could not load (Cannot copy out of meta tensor" in text
    assert "scripted lines" in text
    # the banner comes before the visitor's line it explains
    said = f'{persona.short_name}: "'
    first_reply = text.index(said, text.index(said) + 1)  # after the opening line
    assert text.index("!! The visitor model") < first_reply
    visitor.close()


def _library(persona: Persona):  # noqa: ANN202
    from bot.core.persona import PersonaLibrary

    library = PersonaLibrary()
    library.add(persona)
    return library


RACE = """
from bot.model.local import LocalVisitor
from bot.model.encoder import load_encoder
visitor = LocalVisitor(cache_dir={cache!r})
load_encoder()  # the rubric's encoder loads on the main thread while the model loads
print("READY" if visitor.wait_ready(120) else f"FAILED {{visitor.worker.load_error}}")
visitor.close()
"""


@pytest.mark.slow
def test_visitor_model_and_encoder_load_together() -> None:
    """The start-up race: this failed on every cold start before loads were serialised."""
    settings = get_settings()
    code = RACE.format(cache=str(settings.path(settings.model_cache_dir)))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=PROJECT
    )
    assert "READY" in out.stdout, out.stdout + out.stderr[-2000:]
