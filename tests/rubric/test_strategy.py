"""Strategy labels and LEAPS steps per reply, and warmth in any words (sarcasm only where it is)."""

from __future__ import annotations

import pytest

from bot.core.rubric import ReplyRubric, label_strategy
from bot.core.scores import LEAPS_STEPS, STRATEGIES, RubricScore

MUM = "Where's my mum? She was brought in forty minutes ago and nobody will tell me anything!"
RAIN = "I got soaked waiting for the bus and now I've missed my appointment."


@pytest.mark.parametrize(
    ("reply", "label"),
    [
        ("Calm down or you're out. Rules are rules.", "competitive"),
        ("I can see how worried you are. What's her name? I'll ring the ward now.", "cooperative"),
        ("I get it, I do, but you need to calm down and do as you're told.", "mixed"),
        ("Okay.", "neutral"),
    ],
)
def test_standalone_labeller(reply: str, label: str) -> None:
    assert label_strategy(reply, MUM).label == label


def test_standalone_labeller_quotes_both_sides_and_names_leaps() -> None:
    mixed = label_strategy("I understand you're upset, but calm down.", MUM)
    assert mixed.label == "mixed"
    assert any("upset" in e for e in mixed.evidence) and any("calm down" in e.lower()
                                                             for e in mixed.evidence)  # fmt: skip
    steps = label_strategy(
        "Forty minutes without news about your mum - that's frightening. What's her name?", MUM
    ).leaps
    assert {"listen", "empathise", "ask"} <= set(steps)
    assert label_strategy("", MUM).label == "neutral"


def _check(score: RubricScore) -> None:
    assert score.strategy is not None
    assert score.strategy.label in STRATEGIES
    assert set(score.strategy.leaps) <= set(LEAPS_STEPS)


def test_every_score_carries_a_strategy(any_rubric: ReplyRubric) -> None:
    threat = any_rubric.score("Step back or I'll have you arrested.", MUM)
    warm = any_rubric.score(
        "Forty minutes with no news about your mum would scare anyone. What's her name? "
        "I'll call the ward right now.",
        MUM,
    )
    for score in (threat, warm):
        _check(score)
    assert threat.strategy.label == "competitive"  # type: ignore[union-attr]
    assert warm.strategy.label == "cooperative"  # type: ignore[union-attr]
    assert {"empathise", "ask"} <= set(warm.strategy.leaps)  # type: ignore[union-attr]
    restored = RubricScore.from_dict(warm.to_dict())
    assert restored.strategy == warm.strategy  # stored per turn in score_json


def test_sympathy_in_plain_words_is_not_sarcasm(any_rubric: ReplyRubric) -> None:
    # The examples: both were coached as sarcastic or condescending.
    poor = any_rubric.score("Oh you poor thing, what a nightmare. Must be terrifying.", RAIN)
    mate = any_rubric.score(
        "I hear you, mate. Rotten luck with the rain too. Let's get it sorted.", RAIN
    )
    assert "sarcasm" not in poor.flags and "sarcasm" not in " ".join(poor.coaching).lower()
    assert poor.criterion("acknowledges_emotion") >= 55
    assert "mate" not in " ".join(mate.coaching).lower()
    assert mate.criterion("respectful") >= 50


def test_sarcasm_is_still_caught_where_it_is(any_rubric: ReplyRubric) -> None:
    cold = any_rubric.score("Oh, poor thing. Maybe read the timetable next time.", RAIN)
    assert "sarcasm" in cold.flags
    told = any_rubric.score("Calm down, mate.", MUM)
    assert "calm_down" in told.flags
    assert told.criterion("respectful") <= 45


def test_verbal_judo_never_say_phrases(any_rubric: ReplyRubric) -> None:
    score = any_rubric.score("I'm not going to tell you again. Come here.", MUM)
    assert "never_say" in score.flags
    assert score.criterion("non_commanding") <= 40
    assert any("never-say" in tip for tip in score.coaching)
    assert score.strategy is not None and score.strategy.label in ("competitive", "mixed")
