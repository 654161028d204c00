"""The scene shows before the model is ready; the first reply waits for it with a line that says
so, and that line is gone when the turn prints."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from bot.cli_practice import play
from bot.core.persona import Persona, PersonaLibrary
from bot.core.practice import PracticeRoom
from bot.model import loads
from bot.model.local import LocalVisitor
from bot.model.local.engine import TextJob
from bot.model.local.worker import ModelWorker
from bot.model.prompt import Prompt
from bot.terminal.screen import Screen
from tests.terminal.conftest import FakeTerminal
from tests.terminal.vt import Terminal

PREPARING = "first run: preparing the model, about a minute"


class SlowLoadingEngine:
    """Answers every sample with one line; ready only when the test says so."""

    chat = False
    max_batch = 4

    def job(self, prompt: Prompt, seed: int) -> TextJob:
        return TextJob(prompt.prefix, prompt.suffix, seed)

    def generate(self, jobs: Sequence[TextJob]) -> list[str]:
        return ["Okay. I just need to know where my car is." for _ in jobs]


def test_the_first_reply_waits_for_the_model_and_says_why(
    persona: Persona, fake_rubric: object, terminal: FakeTerminal
) -> None:
    release = threading.Event()

    def load() -> SlowLoadingEngine:
        loads.note(PREPARING)
        assert release.wait(10)
        return SlowLoadingEngine()

    visitor = LocalVisitor(engine=SlowLoadingEngine())  # type: ignore[arg-type]
    visitor.worker.close()
    visitor.worker = ModelWorker(load)  # type: ignore[arg-type]
    library = PersonaLibrary()
    library.add(persona)
    room = PracticeRoom(library, visitor, fake_rubric)  # type: ignore[arg-type]
    session = room.start("cli:t", persona.id)
    screen = Screen(terminal)
    deadline = time.monotonic() + 5  # the worker thread says what it does once it has started
    while visitor.loading != PREPARING and time.monotonic() < deadline:
        time.sleep(0.01)
    assert visitor.loading == PREPARING  # still loading when the scene shows

    threading.Timer(0.8, release.set).start()
    play(room, session, ["I can see this is stressful. Let me help.", "/end"], screen)
    visitor.close()

    written = terminal.getvalue()
    # shown while it waited (cut to the 60-column width with an ellipsis, never wrapped)
    assert f"Getting the visitor ready ({PREPARING[:20]}" in written
    seen = Terminal(60)
    seen.feed(written)
    lines = seen.text()
    assert not any("Getting the visitor ready" in line for line in lines)  # and then gone
    first = lines.index(f"== {persona.name} (difficulty {persona.difficulty}/5) ==")
    score = next(i for i, line in enumerate(lines) if line.startswith("  score "))
    assert first < score
    assert visitor.loading == ""
