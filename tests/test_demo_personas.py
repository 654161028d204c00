"""Every shipped persona plays out: its good officer calms the visitor, its poor one does not."""

from __future__ import annotations

import io

import pytest

from bot.cli_practice import run_demo
from bot.core.persona import PersonaLibrary
from bot.core.practice import PracticeRoom
from bot.model.scripted import ScriptedVisitor
from tests.conftest import PERSONAS_DIR

LIBRARY = PersonaLibrary.from_directory(PERSONAS_DIR)


@pytest.fixture(scope="module")
def room() -> PracticeRoom:
    """A room with the real rubric (sentence encoder) and the scripted visitor."""
    from bot.model.encoder import load_rubric

    return PracticeRoom(LIBRARY, ScriptedVisitor(), load_rubric())


@pytest.mark.parametrize("persona_id", LIBRARY.ids())
def test_good_officer_resolves_and_poor_officer_does_not(
    room: PracticeRoom, persona_id: str
) -> None:
    good, poor = run_demo(room, LIBRARY.get(persona_id), io.StringIO())
    assert good.outcome.value == "resolved"
    assert poor.outcome.value in ("escalated", "turn_limit", "ended_by_officer")
    assert poor.outcome.value != "resolved"
    assert good.dimensions["overall"] >= poor.dimensions["overall"] + 15
