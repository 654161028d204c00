"""The debrief as a phone shows it: at most 600 characters before Details, the outcome and four
scores on one line, a colour that follows the result, the weakest moment with its visitor line."""

from __future__ import annotations

import dataclasses

import discord

from bot.core.debrief import build_debrief
from bot.core.persona import Persona
from bot.core.scores import CRITERIA, CriterionScore, RubricScore, ScoreContext, dimensions_from
from bot.core.session import PracticeSession
from bot.discord.practice._render import DEBRIEF_ROOM, debrief_embed
from bot.model.scripted import ScriptedVisitor
from tests.conftest import FakeRubric

LONG_VISITOR = "Where is my car? " + "I parked it right here and nobody will tell me anything. " * 8


class FixedRubric(FakeRubric):
    """Every criterion gets the same score, so the overall is known."""

    def __init__(self, value: int) -> None:
        super().__init__()
        self.value = value

    def score(
        self, reply: str, visitor_line: str = "", context: ScoreContext | None = None
    ) -> RubricScore:
        values = dict.fromkeys(CRITERIA, self.value)
        tip = "Offer a concrete next step and say why the rule is there, in your own words. " * 2
        criteria = {c: CriterionScore(c, self.value, (), tip) for c in CRITERIA}
        return RubricScore(criteria, dimensions_from(values), (tip,))


def debrief_for(persona: Persona, rubric: FakeRubric, *replies: str):  # noqa: ANN201
    session = PracticeSession.start(persona, "discord:1", ScriptedVisitor(), rubric)
    for reply in replies:
        session.respond(reply)
    session.end()
    return build_debrief(session, rubric)


def test_debrief_fits_a_phone_screen_however_long_the_lines(persona: Persona) -> None:
    persona = dataclasses.replace(persona, opening_lines=(LONG_VISITOR,), start_agitation=4)
    long_reply = "I understand, I really do, " * 70  # close to the 2,000-character limit
    debrief = debrief_for(persona, FixedRubric(30), long_reply, "Okay. " * 300)
    embed = debrief_embed(debrief)
    assert len(embed) <= DEBRIEF_ROOM == 600
    assert not embed.fields  # the criteria table is behind Details
    first = (embed.description or "").split("\n")[0]
    assert first == "**Ended early** · Overall 30 · Empathy 30 · Calmness 30 · Resolution 30"
    assert "**Dana:** Where is my car?" in embed.description
    assert "**You:** I understand" in embed.description


def test_colour_follows_the_result(persona: Persona) -> None:
    good = debrief_embed(debrief_for(persona, FixedRubric(62), "Okay."))
    poor = debrief_embed(debrief_for(persona, FixedRubric(32), "Okay."))
    assert good.colour != poor.colour
    assert poor.colour == discord.Colour.red()
