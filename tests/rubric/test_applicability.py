"""Criteria that apply only when the moment calls for them: decided by the visitor's line, the
officer's earlier replies and the persona; never scored low, coached or averaged when they don't."""

from __future__ import annotations

from bot.core.rubric import ReplyRubric, ScoreContext
from bot.core.scores import CRITERIA, dimensions_from

HURRY = "I've got a train in ten minutes and the queue for the lockers hasn't moved!"
OPENING = "Hi there, I can see you're in a real hurry. What's going on?"
MUM = "Where's my mum? She was brought in forty minutes ago and nobody will tell me anything!"


def test_opening_question_is_not_coached_on_rules(any_rubric: ReplyRubric) -> None:
    # The example: an opening with no rule in play was the "weakest reply" and got the
    # tip to give a reason for a rule.
    score = any_rubric.score(OPENING, HURRY)
    assert not score.applies("explains_reason")
    assert not score.applies("sets_boundary_respectfully")
    assert score.weakest().name not in ("explains_reason", "sets_boundary_respectfully")
    tips = " ".join(score.coaching).lower()
    assert "rule" not in tips and "reason" not in tips and "because" not in tips
    note = score.criteria["explains_reason"].coaching
    assert note.startswith("Not needed here") and not score.criteria["explains_reason"].evidence


def test_not_applicable_criteria_are_left_out_of_the_dimensions(any_rubric: ReplyRubric) -> None:
    score = any_rubric.score(OPENING, HURRY)
    values = {c: score.criterion(c) for c in CRITERIA}
    assert score.dimensions == dimensions_from(values, score.not_applicable)
    # Had they counted, the missing reason and limit would have dragged resolution down.
    assert score.dimensions["resolution"] == score.criterion("offers_options")


def test_a_refusal_owes_a_reason(any_rubric: ReplyRubric) -> None:
    bare = any_rubric.score("No. Wait over there.", MUM)
    assert bare.applies("explains_reason") and bare.criterion("explains_reason") <= 35
    reasoned = any_rubric.score(
        "I can't let you into resus because the team is working on her, but I'll ring the "
        "nurse in charge now.",
        MUM,
    )
    assert reasoned.applies("explains_reason") and reasoned.applies("sets_boundary_respectfully")
    assert reasoned.criterion("explains_reason") >= bare.criterion("explains_reason") + 30


def test_asking_why_makes_a_reason_applicable(any_rubric: ReplyRubric) -> None:
    score = any_rubric.score("I hear you. Let me see what I can do.", "Why can't I just go in?")
    assert score.applies("explains_reason")
    assert "explains_reason" not in score.not_applicable


def test_a_limit_set_earlier_stays_in_play(any_rubric: ReplyRubric) -> None:
    earlier = ScoreContext(earlier_replies=("I can't let you into the ward right now.",))
    reply, visitor = "I know how hard this is.", "I still need to get in there!"
    with_limit = any_rubric.score(reply, visitor, context=earlier)
    assert with_limit.applies("explains_reason")
    assert with_limit.applies("sets_boundary_respectfully")


def test_the_persona_decides_when_a_demand_needs_a_limit(plain: ReplyRubric) -> None:
    reply, visitor = "I understand. Let me have a look.", "Give me my keys back now."
    strict = ScoreContext(triggers=("told the rules without a reason", "being refused entry"))
    easy = ScoreContext(triggers=("being ignored",), soothers=("a cup of tea",))
    assert plain.score(reply, visitor, context=strict).applies("sets_boundary_respectfully")
    assert not plain.score(reply, visitor, context=easy).applies("sets_boundary_respectfully")


def test_visitor_swearing_calls_for_a_limit(any_rubric: ReplyRubric) -> None:
    score = any_rubric.score(
        "I can see you're angry. What's happened?", "This is a f***ing joke, you useless prat!"
    )
    assert score.applies("sets_boundary_respectfully")


def test_a_goodbye_needs_no_question_or_options(any_rubric: ReplyRubric) -> None:
    score = any_rubric.score("You're welcome. Take care now.", "Thanks, that's all I needed. Bye!")
    assert not score.applies("explores")
    assert not score.applies("offers_options")
    assert score.dimensions["resolution"] is None  # nothing of resolution applied
    empathy, calmness = score.dimensions["empathy"], score.dimensions["calmness"]
    assert score.overall == round((empathy + calmness) / 2)  # type: ignore[operator]


def test_empathy_and_calmness_always_apply(any_rubric: ReplyRubric) -> None:
    for reply, visitor in ((OPENING, HURRY), ("Bye.", "Thanks, bye!"), ("Calm down.", MUM)):
        score = any_rubric.score(reply, visitor)
        for name in ("acknowledges_emotion", "shows_understanding", "composed_tone",
                     "non_commanding", "respectful"):  # fmt: skip
            assert score.applies(name), (reply, name)
