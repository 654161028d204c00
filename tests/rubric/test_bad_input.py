"""Replies with nothing to judge, or too much, get a defined score and coaching, never an error."""

from __future__ import annotations

import pytest

from bot.core.rubric import MAX_CHARS, ReplyRubric
from bot.core.scores import CRITERIA

VISITOR = "Where is my car? It was right here ten minutes ago!"


def _valid(score) -> None:  # noqa: ANN001
    assert set(score.criteria) == set(CRITERIA)
    assert all(0 <= c.score <= 100 and c.coaching for c in score.criteria.values())
    assert score.coaching and all(score.coaching)


@pytest.mark.parametrize(
    ("reply", "flag"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("🙂👍", "emoji_only"),
        ("**__~~**", "markup_only"),
        ("<@123456789> ```", "markup_only"),
        ("Lo siento mucho, señor, no puede pasar sin el pase.", "non_english"),
        ("这里不能进去，请等一下", "non_english"),
    ],
)
def test_no_words_gets_a_defined_score(any_rubric: ReplyRubric, reply: str, flag: str) -> None:
    score = any_rubric.score(reply, VISITOR)
    _valid(score)
    assert flag in score.flags
    assert score.dimensions["empathy"] == 0
    assert score.criterion("composed_tone") == 50


def test_rude_emoji_costs_composure(any_rubric: ReplyRubric) -> None:
    score = any_rubric.score("🙄🙄", VISITOR)
    assert "emoji_only" in score.flags and "sarcasm" in score.flags
    assert score.criterion("composed_tone") < 50


def test_huge_reply_is_truncated_and_flagged(any_rubric: ReplyRubric) -> None:
    reply = "I can see how stressful this is. " * 500
    score = any_rubric.score(reply, VISITOR)
    _valid(score)
    assert "truncated" in score.flags
    assert len(reply) > MAX_CHARS


@pytest.mark.parametrize(
    "reply",
    [
        "???", "1234", "a" * 5000, "\x00\x07 control", "<b>OK</b>", "x" * 3 + "\u200b" * 50,
        "I can't.\n\n\n\nSorry.", "NO", ":)", "ok ok ok ok ok ok ok ok ok ok",
    ],
)  # fmt: skip
def test_odd_replies_never_raise(any_rubric: ReplyRubric, reply: str) -> None:
    _valid(any_rubric.score(reply, VISITOR))


@pytest.mark.parametrize("visitor", ["", "🙂", "x" * 10_000, None, 42])
def test_odd_visitor_lines_never_raise(any_rubric: ReplyRubric, visitor: object) -> None:
    _valid(any_rubric.score("Let me check where your car is.", visitor))  # type: ignore[arg-type]
