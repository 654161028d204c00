"""Criterion behaviour on concrete replies, in both modes (with and without the encoder)."""

from __future__ import annotations

import pytest

from bot.core.rubric import ReplyRubric
from bot.core.scores import CRITERIA, DIMENSIONS, dimensions_from

MUM = "Where's my mum? She was brought in forty minutes ago and nobody will tell me anything!"
FORTY = "Forty minutes with no news about your mum - that would scare anyone."
RULES = "I understand, but rules are rules."


def test_design_examples_empathy_is_not_keywords(any_rubric: ReplyRubric) -> None:
    forty = any_rubric.score(FORTY, MUM)
    rules = any_rubric.score(RULES, MUM)
    assert forty.criterion("acknowledges_emotion") >= 65
    assert rules.criterion("acknowledges_emotion") <= 30
    assert forty.dimensions["empathy"] >= rules.dimensions["empathy"] + 30
    assert "but_dismissal" in rules.flags and "rules_without_reason" in rules.flags
    assert any("rules are rules" in e.lower() for e in rules.criteria["explains_reason"].evidence)


def test_understanding_then_help_is_not_cancelled_by_but(any_rubric: ReplyRubric) -> None:
    reply = "I understand, but I can't take you through myself - I can call the ward for you now."
    score = any_rubric.score(reply, MUM)
    assert "but_dismissal" not in score.flags
    assert score.criterion("offers_options") >= 60


@pytest.mark.parametrize(
    "reply",
    [
        "Calm down, sir.",
        "Please calm down, sir, and I'll see what I can do.",
        "I totally hear you, and with the greatest respect, you need to calm down.",
    ],
)
def test_calm_down_lowers_non_commanding(any_rubric: ReplyRubric, reply: str) -> None:
    told = any_rubric.score(reply, MUM)
    asked = any_rubric.score("I can see this is really worrying. Shall we find out together?", MUM)
    assert told.criterion("non_commanding") <= 30
    assert asked.criterion("non_commanding") >= told.criterion("non_commanding") + 30
    assert "calm_down" in told.flags


@pytest.mark.parametrize(
    ("reply", "flag"),
    [
        ("Step back or I'll have you arrested.", "threat"),
        ("Keep shouting and you'll be walking home, pal.", "threat"),
        ("Don't be an idiot, the ward is closed.", "insult"),
        ("What the hell is your problem?", "profanity"),
        ("GET OUT OF MY FACE!!", "shouting"),
    ],
)
def test_threats_insults_shouting_lower_composed_tone(
    any_rubric: ReplyRubric, reply: str, flag: str
) -> None:
    score = any_rubric.score(reply, MUM)
    assert score.criterion("composed_tone") <= 35
    assert flag in score.flags
    assert score.criteria["composed_tone"].evidence, "the words that cost points are quoted"


def test_polite_sounding_sarcasm_is_caught(any_rubric: ReplyRubric) -> None:
    reply = (
        "Thank you SO much for your patience, I'm sure the doctors will drop everything for you."
    )
    score = any_rubric.score(reply, MUM)
    assert "sarcasm" in score.flags
    assert score.criterion("composed_tone") <= 40
    assert score.criterion("respectful") <= 40


def test_calm_boundary_scores_high_and_firmness_is_not_penalised(any_rubric: ReplyRubric) -> None:
    calm = any_rubric.score("I can't let you through, but I can call the ward for you.", MUM)
    harsh = any_rubric.score("You're not getting through. Try it and see what happens.", MUM)
    assert calm.criterion("sets_boundary_respectfully") >= 75
    assert calm.dimensions["calmness"] >= 65
    assert harsh.criterion("sets_boundary_respectfully") <= 20
    assert calm.overall > harsh.overall + 25


@pytest.mark.slow
def test_paraphrasing_the_complaint_raises_understanding(rubric: ReplyRubric) -> None:
    reply = "So you've been waiting forty minutes for news about your mum and nobody has told you."
    on_topic = rubric.score(reply, MUM)
    off_topic = rubric.score(reply, "Is there a cash machine anywhere in this building?")
    assert (
        on_topic.criterion("shows_understanding") >= off_topic.criterion("shows_understanding") + 15
    )
    assert any("mum" in e.lower() for e in on_topic.criteria["shows_understanding"].evidence)


def test_ignoring_the_question_is_flagged(any_rubric: ReplyRubric) -> None:
    score = any_rubric.score("The vending machine is round the corner.", MUM)
    assert "ignores_question" in score.flags
    assert score.criterion("shows_understanding") <= 25


def test_questions_explore_but_hostile_questions_do_not(any_rubric: ReplyRubric) -> None:
    open_q = any_rubric.score("What's your mum's name, and when did the ambulance bring her?", MUM)
    hostile = any_rubric.score("What part of 'wait' don't you understand?", MUM)
    assert open_q.criterion("explores") >= 60
    assert hostile.criterion("explores") <= 25


def test_reason_and_options_raise_resolution(any_rubric: ReplyRubric) -> None:
    good = any_rubric.score(
        "Visitors can't go into resus because the team is working on her, but I'll ring the "
        "nurse in charge now and ask her to come out to you.",
        MUM,
    )
    bare = any_rubric.score("No. Wait over there.", MUM)
    assert good.criterion("explains_reason") >= 60
    assert good.criterion("offers_options") >= 60
    assert good.dimensions["resolution"] >= bare.dimensions["resolution"] + 30


def test_score_shape_evidence_and_coaching(any_rubric: ReplyRubric) -> None:
    reply = "I'm sorry, I know the wait is awful. Let me call the ward - what's her name?"
    score = any_rubric.score(reply, MUM)
    assert set(score.criteria) == set(CRITERIA) and set(score.dimensions) == set(DIMENSIONS)
    values = {c: score.criterion(c) for c in CRITERIA}
    assert score.dimensions == dimensions_from(values, score.not_applicable)
    # Nothing was refused or limited, so no reason or limit is owed.
    assert {"explains_reason", "sets_boundary_respectfully"} <= set(score.not_applicable)
    for criterion in score.criteria.values():
        assert 0 <= criterion.score <= 100
        assert criterion.coaching.strip()
        assert criterion.applicable or not criterion.evidence
        for quote in criterion.evidence:
            assert quote.lower().rstrip(".") in reply.lower(), quote
    assert 1 <= len(score.coaching) <= 3


def test_evidence_leads_with_what_decided_the_score(plain: ReplyRubric) -> None:
    # Pattern mode only: the order rule is the same in both modes, the scores that reach it not.
    score = plain.score("I can see you're really worried about your mum, please calm down.", MUM)
    empathy, tone = score.criteria["acknowledges_emotion"], score.criteria["composed_tone"]
    assert 30 <= empathy.score < 50 and tone.score >= 50  # a mid score quotes both sides
    # Mid score: what cost points comes first, although the reply says it last.
    assert empathy.evidence == ("calm down", "I can see you're really worried")
    # Good score: what earned points comes first.
    assert tone.evidence == ("please", "calm down")


def test_score_and_score_many_agree(any_rubric: ReplyRubric) -> None:
    pairs = [(FORTY, MUM), (RULES, MUM), ("Calm down.", ""), ("", MUM)]
    assert any_rubric.score_many(pairs) == [any_rubric.score(r, v) for r, v in pairs]
    assert any_rubric.score_many([]) == []
