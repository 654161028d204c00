"""Fixtures for the visitor-model tests: a realistic persona and request builders."""

from __future__ import annotations

import pytest
import yaml

from bot.core.persona import Persona, parse_persona
from bot.core.visitor import Line, VisitorRequest

MARCUS = {
    "name": "Marcus, son looking for his mother",
    "setting": "Hospital emergency entrance, 2 a.m.",
    "difficulty": 3,
    "start_agitation": 7,
    "backstory": (
        "Marcus's mother was brought in by ambulance forty minutes ago after a fall. Nobody at "
        "the entrance can tell him where she is and he has been asked to wait outside."
    ),
    "wants": "To know where his mother is and when he can see her.",
    "triggers": ["being told to calm down", "rules quoted without a reason"],
    "soothers": ["hearing that staff will find out where his mother is"],
    "opening_lines": ["My mum came in by ambulance forty minutes ago and nobody will tell me!"],
    "lines": {
        "high": [
            "Forty minutes! Not one person has told me if she's even alive!",
            "Don't you dare tell me to wait outside. That's my mother in there!",
            "I'm not going anywhere until somebody tells me where she is.",
            "You're just standing there. Do something!",
        ],
        "medium": [
            "Okay. But can you actually find out, or are you just saying that?",
            "I just need to know she's alright. Is that too much to ask?",
            "Fine, I'll wait. But how long are we talking?",
            "She's seventy-eight. She gets confused when she's scared.",
        ],
        "low": [
            "Thank you. Sorry I shouted, I've been going out of my mind.",
            "Okay, ten minutes. I can do ten minutes.",
            "Can you tell her I'm here? Her name's Maureen.",
            "I appreciate you checking. Really.",
        ],
    },
    "max_turns": 10,
}


@pytest.fixture(scope="session")
def marcus() -> Persona:
    """A realistic persona (hospital entrance, son looking for his mother)."""
    return parse_persona(yaml.safe_dump(MARCUS), "er_son", "tests/model/conftest.py")


@pytest.fixture(scope="session")
def marcus_with_facts() -> Persona:
    """Marcus with facts he knows (his mother's name and age, her medication)."""
    data = {**MARCUS, "facts": [
        {"q": "What is your mother's name?", "a": "Maureen Bell. She's seventy-eight."},
        {"q": "Does she take any medication?", "a": "Blood thinners. Warfarin."},
        {"q": "What is your name?", "a": "Marcus. Marcus Bell."},
    ]}  # fmt: skip
    return parse_persona(yaml.safe_dump(data), "er_son", "tests/model/conftest.py")


def make_request(
    persona: Persona, agitation: int, *officer_lines: str, session: str = "s1"
) -> VisitorRequest:
    """A request after the opening line and the given officer lines (visitor lines between)."""
    history = [Line("visitor", persona.opening_lines[0])]
    for i, text in enumerate(officer_lines):
        if i:
            history.append(Line("visitor", persona.lines["medium"][i % 4]))
        history.append(Line("officer", text))
    return VisitorRequest(persona, agitation, tuple(history), session)
