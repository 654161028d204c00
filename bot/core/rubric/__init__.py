"""The reply rubric: nine criteria with evidence and coaching, from patterns and optional encoder.

from bot.core.rubric import build_rubric
rubric = build_rubric()                 # patterns only: instant, lower quality
rubric = build_rubric(encoder)          # any object with encode(list[str]) -> (n, d) array
score = rubric.score("reply", "visitor line")              # score.strategy, score.not_applicable
label_strategy("reply", "visitor line")                     # StrategyLabel(label, leaps)
"""

from __future__ import annotations

from bot.core.rubric.encoder import Encoder
from bot.core.rubric.scorer import ReplyRubric
from bot.core.rubric.strategy import label_strategy
from bot.core.rubric.text import MAX_CHARS
from bot.core.scores import ScoreContext, StrategyLabel

__all__ = ["MAX_CHARS", "Encoder", "ReplyRubric", "ScoreContext", "StrategyLabel", "build_rubric",
           "label_strategy"]  # fmt: skip


def build_rubric(encoder: Encoder | None = None) -> ReplyRubric:
    """The rubric; with an encoder it judges meaning, without one it runs on patterns alone."""
    return ReplyRubric(encoder=encoder)
