"""Shared fixtures: a small valid persona and a fake rubric, so core tests need no model."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml

from bot.core.persona import Persona, parse_persona
from bot.core.scores import (
    CRITERIA,
    CriterionScore,
    RubricScore,
    ScoreContext,
    StrategyLabel,
    dimensions_from,
)

PROJECT = Path(__file__).resolve().parent.parent
PERSONAS_DIR = PROJECT / "personas"

PERSONA_DATA = {
    "name": "Dana, driver whose car was towed",
    "setting": "Multi-storey car park office, 6 p.m.",
    "difficulty": 2,
    "start_agitation": 7,
    "backstory": "Dana parked in a loading bay for ten minutes and came back to an empty space.",
    "wants": "To know where the car is and how to get it back tonight.",
    "triggers": ["being told to calm down", "rules quoted without a reason"],
    "soothers": ["hearing where the car is", "being told how to get the car back tonight"],
    "opening_lines": ["Where is my car? It was right here ten minutes ago!"],
    "lines": {
        "high": [f"High line {i}: this is outrageous, where is my car?" for i in range(5)],
        "medium": [f"Medium line {i}: so what happens now with my car?" for i in range(5)],
        "low": [f"Low line {i}: okay, thank you, that helps." for i in range(5)],
    },
    "officer_examples": {
        "good": ["I can see how stressful this is. Your car is at the pound on Mill Road."],
        "poor": ["Calm down. Rules are rules."],
    },
    "max_turns": 6,
}


@pytest.fixture
def persona_data() -> dict:
    """A fresh copy of a valid persona as a dict (edit it to make it invalid)."""
    return copy.deepcopy(PERSONA_DATA)


@pytest.fixture
def persona() -> Persona:
    """A small valid persona."""
    return parse_persona(yaml.safe_dump(PERSONA_DATA), "towed_car_driver", "test.yaml")


GOOD_MARKERS = ("i can see", "sorry", "understand", "help", "let me", "?", "thank")
BAD_MARKERS = ("calm down", "rules are rules", "not my problem", "shut up", "or else")


class FakeRubric:
    """Scores by marker words: enough for the engine's behaviour, none of the real rubric."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.contexts: list[ScoreContext | None] = []

    def score(
        self, reply: str, visitor_line: str = "", context: ScoreContext | None = None
    ) -> RubricScore:
        self.calls.append((reply, visitor_line))
        self.contexts.append(context)
        text = reply.lower()
        good = sum(m in text for m in GOOD_MARKERS)
        bad = sum(m in text for m in BAD_MARKERS)
        value = max(0, min(100, 50 + 15 * good - 35 * bad))
        values = {c: value for c in CRITERIA}
        if bad:
            values["composed_tone"] = values["non_commanding"] = 10
        criteria = {
            c: CriterionScore(c, v, evidence=(reply[:20],), coaching=f"work on {c}")
            for c, v in values.items()
        }
        label = "mixed" if good and bad else "cooperative" if good else (
            "competitive" if bad else "neutral")  # fmt: skip
        leaps = ("empathise",) if "i can see" in text else ()
        return RubricScore(criteria, dimensions_from(values), coaching=("fake tip",),
                           strategy=StrategyLabel(label, leaps))  # fmt: skip

    def score_many(self, pairs: Sequence[tuple[str, str]]) -> list[RubricScore]:
        return [self.score(r, v) for r, v in pairs]


@pytest.fixture
def fake_rubric() -> FakeRubric:
    """A deterministic marker-word rubric."""
    return FakeRubric()
