"""The debrief an officer reads: three bullets, the weakest moment with a better reply that is
not their own, no "best reply" without a choice, and the same debrief from the store later."""

from __future__ import annotations

import dataclasses

from bot.core.catalogue import PersonaCatalogue
from bot.core.debrief import build_debrief
from bot.core.persona import Persona
from bot.core.practice import PracticeRoom
from bot.core.session import Outcome, PracticeSession
from bot.core.store import Store
from bot.model.scripted import ScriptedVisitor
from tests.conftest import FakeRubric

GOOD = "I can see how stressful this is, let me help you find your car. Can I see your ticket?"
POOR = "Calm down. Rules are rules, not my problem."


def session_of(persona: Persona, rubric: FakeRubric, *replies: str) -> PracticeSession:
    session = PracticeSession.start(persona, "cli:test", ScriptedVisitor(), rubric)
    for reply in replies:
        session.respond(reply)
    session.end()
    return session


def test_a_lone_poor_reply_is_not_called_the_best(
    persona: Persona, fake_rubric: FakeRubric
) -> None:
    debrief = build_debrief(session_of(persona, fake_rubric, POOR), fake_rubric)
    assert debrief.best is None and debrief.worst is not None
    assert "Best reply" not in debrief.as_text()
    assert debrief.worst.visitor_line == "Where is my car? It was right here ten minutes ago!"


def test_best_reply_needs_a_choice_and_a_decent_score(
    persona: Persona, fake_rubric: FakeRubric
) -> None:
    debrief = build_debrief(session_of(persona, fake_rubric, "Okay.", GOOD), fake_rubric)
    assert debrief.best is not None and debrief.best.officer_text == GOOD
    calm = dataclasses.replace(persona, start_agitation=3)  # two poor replies before it escalates
    poor_twice = build_debrief(session_of(calm, fake_rubric, POOR, POOR + "!"), fake_rubric)
    assert poor_twice.turns == 2
    assert poor_twice.best is None  # 20 is nobody's best reply


def test_better_phrasing_is_never_what_the_officer_already_said(
    persona: Persona, fake_rubric: FakeRubric
) -> None:
    own = persona.good_examples[0]
    other = "I'm sorry, that's a horrible surprise. Shall I call the pound with you now?"
    persona = dataclasses.replace(persona, good_examples=(own, other))
    session = session_of(persona, fake_rubric, own.replace(".", "!"), "Okay.")
    debrief = build_debrief(session, fake_rubric)
    assert debrief.try_instead == other  # the officer's own reply, reworded, is not offered


def test_three_bullets_one_worked_two_to_work_on(persona: Persona, fake_rubric: FakeRubric) -> None:
    debrief = build_debrief(session_of(persona, fake_rubric, GOOD, POOR), fake_rubric)
    bullets = debrief.bullets()
    assert len(bullets) <= 3
    if debrief.worked and debrief.to_improve:
        assert bullets[0] == (True, debrief.worked[0])
        assert [good for good, _ in bullets[1:]] == [False] * (len(bullets) - 1)


def test_a_recorded_session_gives_the_same_debrief_later(
    persona: Persona, fake_rubric: FakeRubric, tmp_path
) -> None:  # noqa: ANN001
    store = Store(tmp_path / "c.db")
    try:
        room = PracticeRoom(PersonaCatalogue([persona]), ScriptedVisitor(), fake_rubric, store)
        session = room.start("cli:a", persona.id)
        room.reply("cli:a", "Okay.")
        room.reply("cli:a", GOOD)
        now = room.end("cli:a")
        later_room = PracticeRoom(
            PersonaCatalogue([persona]), ScriptedVisitor(), fake_rubric, store
        )
        later = later_room.recorded_debrief(session.id)
        assert later.outcome is Outcome.ENDED_BY_OFFICER
        assert (later.dimensions, later.criteria, later.try_instead) == (
            now.dimensions,
            now.criteria,
            now.try_instead,
        )
        assert later.worst.officer_text == "Okay."
    finally:
        store.close()
