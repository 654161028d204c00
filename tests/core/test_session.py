"""The session state machine: outcomes, agitation movement, transcripts and the debrief."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pytest

from bot.core.agitation import RESOLVED_AT, lexical_cue_matcher
from bot.core.debrief import build_debrief
from bot.core.persona import Persona, PersonaLibrary
from bot.core.practice import AlreadyPractising, NoActiveSession, PracticeRoom
from bot.core.scores import CRITERIA, CRITERION_LABELS, CriterionScore, RubricScore, dimensions_from
from bot.core.session import (
    MAX_REPLY_CHARS,
    Outcome,
    PracticeSession,
    ReplyRejected,
    SessionClosed,
)
from bot.model.scripted import ScriptedVisitor
from tests.conftest import FakeRubric

GOOD = "I can see how stressful this is, let me help you find your car. Can I see your ticket?"
POOR = "Calm down. Rules are rules, not my problem."
# Neutral for the fake rubric (score 50: handling alone moves nothing), each hitting one cue.
TRIGGERING = "The rules say so, that is the reason."  # "rules quoted without a reason"
SOOTHING = "Your car is at the pound on Mill Road."  # "hearing where the car is"


def new_session(persona: Persona, rubric: FakeRubric) -> PracticeSession:
    return PracticeSession.start(persona, "cli:test", ScriptedVisitor(), rubric)


def test_good_handling_resolves(persona: Persona, fake_rubric: FakeRubric) -> None:
    session = new_session(persona, fake_rubric)
    levels = [session.agitation]
    while not session.finished:
        levels.append(session.respond(GOOD).agitation_after)
    assert session.outcome is Outcome.RESOLVED
    assert levels == sorted(levels, reverse=True)
    assert session.agitation <= 2


def test_poor_handling_escalates(persona: Persona, fake_rubric: FakeRubric) -> None:
    session = new_session(persona, fake_rubric)
    while not session.finished:
        session.respond(POOR)
    assert session.outcome is Outcome.ESCALATED
    assert session.agitation == 10
    assert any("trigger: being told to calm down" in r for r in session.turns[0].reasons)


@pytest.mark.parametrize(
    ("start", "outcome"),
    [(RESOLVED_AT + 3, Outcome.RESOLVED), (RESOLVED_AT + 4, Outcome.IN_PROGRESS)],
)
def test_calming_to_exactly_the_resolved_level_resolves(
    persona: Persona, fake_rubric: FakeRubric, start: int, outcome: Outcome
) -> None:
    # One good reply calms an easy visitor by 3: landing exactly on RESOLVED_AT is resolved.
    session = new_session(dataclasses.replace(persona, start_agitation=start), fake_rubric)
    turn = session.respond(GOOD)
    assert turn.agitation_after == start - 3
    assert session.outcome is outcome


def test_harder_visitors_need_more_good_replies(persona: Persona, fake_rubric: FakeRubric) -> None:
    def replies_to_calm(difficulty: int) -> list[int]:
        session = new_session(dataclasses.replace(persona, difficulty=difficulty), fake_rubric)
        while not session.finished:
            session.respond(GOOD)
        assert session.outcome is Outcome.RESOLVED
        return [session.persona.start_agitation] + [t.agitation_after for t in session.turns]

    easy, hard = replies_to_calm(1), replies_to_calm(5)
    assert easy == [7, 4, 1]
    assert hard == [7, 5, 3, 1]  # same replies, smaller steps: one more reply to calm down


def test_a_trigger_raises_agitation_and_a_soother_lowers_it(
    persona: Persona, fake_rubric: FakeRubric
) -> None:
    neutral = new_session(persona, fake_rubric).respond("Okay.")
    triggered = new_session(persona, fake_rubric).respond(TRIGGERING)
    soothed = new_session(persona, fake_rubric).respond(SOOTHING)
    assert neutral.agitation_after == persona.start_agitation and neutral.reasons == ()
    assert triggered.agitation_after == persona.start_agitation + 1
    assert soothed.agitation_after == persona.start_agitation - 1
    assert triggered.reasons == ("trigger: rules quoted without a reason (+1)",)
    assert soothed.reasons == ("soother: hearing where the car is (-1)",)


def test_turn_limit(persona: Persona, fake_rubric: FakeRubric) -> None:
    session = new_session(persona, fake_rubric)
    while not session.finished:
        session.respond("Okay.")  # neutral: agitation stays put
    assert session.outcome is Outcome.TURN_LIMIT
    assert len(session.turns) == persona.max_turns


def test_officer_can_end_and_no_more_replies(persona: Persona, fake_rubric: FakeRubric) -> None:
    session = new_session(persona, fake_rubric)
    session.respond(GOOD)
    session.end()
    assert session.outcome is Outcome.ENDED_BY_OFFICER and session.ended_at
    with pytest.raises(SessionClosed):
        session.respond(GOOD)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_replies_are_refused_with_a_hint(
    persona: Persona, fake_rubric: FakeRubric, text: str
) -> None:
    session = new_session(persona, fake_rubric)
    with pytest.raises(ReplyRejected, match="empty"):
        session.respond(text)
    assert session.turns == [] and fake_rubric.calls == []


def test_overlong_reply_is_refused(persona: Persona, fake_rubric: FakeRubric) -> None:
    session = new_session(persona, fake_rubric)
    with pytest.raises(ReplyRejected, match="2,000"):
        session.respond("x" * (MAX_REPLY_CHARS + 1))
    assert session.turns == []


def test_reply_is_scored_against_the_line_it_answers(
    persona: Persona, fake_rubric: FakeRubric
) -> None:
    session = new_session(persona, fake_rubric)
    first = session.respond(GOOD)
    session.respond(GOOD)
    assert fake_rubric.calls[0][1] == session.opening_line
    assert fake_rubric.calls[1][1] == first.visitor_reply


def test_scripted_visitor_never_repeats_and_follows_band(
    persona: Persona, fake_rubric: FakeRubric
) -> None:
    session = new_session(persona, fake_rubric)
    while not session.finished:
        session.respond("Okay.")
    replies = [t.visitor_reply for t in session.turns]
    assert len(set(replies)) == len(replies)
    # Agitation stayed at 7: high-band lines until all 5 are used, then the nearest band.
    assert all(r.startswith("High line") for r in replies[:5])
    assert replies[5].startswith("Medium line")


def test_transcript_alternates(persona: Persona, fake_rubric: FakeRubric) -> None:
    session = new_session(persona, fake_rubric)
    session.respond(GOOD)
    speakers = [line.speaker for line in session.history()]
    assert speakers == ["visitor", "officer", "visitor"]


def test_debrief_has_scores_best_worst_and_better_phrasing(
    persona: Persona, fake_rubric: FakeRubric
) -> None:
    session = new_session(persona, fake_rubric)
    session.respond("Okay.")
    session.respond(GOOD)
    session.end()
    debrief = build_debrief(session, fake_rubric)
    assert debrief.best.officer_text == GOOD
    assert debrief.worst.officer_text == "Okay."
    assert set(debrief.criteria) >= {"acknowledges_emotion", "sets_boundary_respectfully"}
    assert debrief.try_instead == persona.good_examples[0]
    text = debrief.as_text()
    assert "Best reply" in text and "Try instead" in text and "ended by the officer" in text


class LadderRubric:
    """Every reply gets the same fixed score per criterion: 10, 20, ... 90 in CRITERIA order."""

    values = {c: 10 * (i + 1) for i, c in enumerate(CRITERIA)}

    def score(self, reply: str, visitor_line: str = "", context: object = None) -> RubricScore:
        criteria = {c: CriterionScore(c, v, (), f"tip for {c}") for c, v in self.values.items()}
        return RubricScore(criteria, dimensions_from(self.values), ("tip",))

    def score_many(self, pairs: Sequence[tuple[str, str]]) -> list[RubricScore]:
        return [self.score(r, v) for r, v in pairs]


def test_debrief_lists_at_most_three_things_to_work_on(persona: Persona) -> None:
    rubric = LadderRubric()
    session = PracticeSession.start(persona, "cli:test", ScriptedVisitor(), rubric)
    session.respond("Okay.")
    session.end()
    weak = [c for c in CRITERIA if rubric.values[c] < 50]
    assert len(weak) == 4  # more weak criteria than the debrief should list
    debrief = build_debrief(session, rubric)
    assert debrief.to_improve == tuple(
        f"{CRITERION_LABELS[c]} ({rubric.values[c]}): tip for {c}" for c in weak[:3]
    )  # the three weakest, weakest first
    text = debrief.as_text()
    listed = text.split("What to work on:\n")[1].split("\n")
    assert [line.startswith("  - ") for line in listed[:4]] == [True, True, True, False]


def test_debrief_without_replies(persona: Persona, fake_rubric: FakeRubric) -> None:
    session = new_session(persona, fake_rubric)
    session.end()
    debrief = build_debrief(session, fake_rubric)
    assert debrief.turns == 0 and debrief.best is None and debrief.try_instead == ""
    assert "No replies" in debrief.as_text()


def test_room_one_session_per_officer(persona: Persona, fake_rubric: FakeRubric) -> None:
    library = PersonaLibrary()
    library.add(persona)
    room = PracticeRoom(library, ScriptedVisitor(), fake_rubric)
    room.start("cli:a", persona.id)
    with pytest.raises(AlreadyPractising):
        room.start("cli:a", persona.id)
    room.start("cli:b")  # someone else is fine
    debrief = room.end("cli:a")
    assert debrief.outcome is Outcome.ENDED_BY_OFFICER
    with pytest.raises(NoActiveSession):
        room.reply("cli:a", GOOD)
    room.start("cli:a", persona.id)  # and a new one can start


def test_cue_matcher() -> None:
    cues = ["being told to calm down", "mentioning the police", "rules quoted without a reason"]
    assert lexical_cue_matcher("Sir, calm down please.", cues) == [cues[0]]
    assert lexical_cue_matcher("I will call the police.", cues) == [cues[1]]
    assert lexical_cue_matcher("Rules are rules, I don't need a reason.", cues) == [cues[2]]
    assert lexical_cue_matcher("Let me find out where your mother is.", cues) == []
