"""Strategy labels and LEAPS steps per reply.

Cooperative (interest-based: acknowledging, asking, explaining, offering options) against
competitive (rights/power-based: commanding, threatening, citing rules, blaming), the contrast
conflict-practice studies count: trained people used far fewer competitive strategies. LEAPS is
the sequence trainers teach: listen, empathise, ask, paraphrase, summarise.

`label_strategy(reply, visitor_line)` is the stand-alone labeller (patterns only, instant, no
encoder): what a store or a report can call for any stored line. Inside the rubric the trained
heads refine it (`strategy_from`), and every RubricScore carries its label in `score.strategy`.
"""

from __future__ import annotations

import re

from bot.core.rubric.cues import Cues, find_cues
from bot.core.rubric.features import context_overlap
from bot.core.rubric.heads import HeadOutput
from bot.core.rubric.text import prepare
from bot.core.scores import LEAPS_STEPS, StrategyLabel

COOPERATIVE = ("validation", "apology", "reflection", "reason", "offer", "reassurance",
               "polite_request", "invite")  # fmt: skip
COMPETITIVE = ("threat", "ultimatum", "command", "directive", "curt_imperative", "calm_down",
               "rules_bare", "blame", "dismissive", "insult", "sarcasm", "condescending",
               "hostile_question", "minimizing", "profanity", "never_say")  # fmt: skip
_SUMMARY = re.compile(
    r"\b(?:so,? (?:to (?:sum|recap)|just so|what (?:we'?ll|i'?ll|happens) (?:do|now|next)|"
    r"here'?s (?:where|what))|to sum up|in short|so the plan is|let me (?:recap|make sure i'?ve "
    r"got)|just to (?:check|confirm|recap)|so,? (?:you|your) \w+[^.?!]{0,60}\b(?:and|so) "
    r"(?:i'?ll|we'?ll|what)\b)",
    re.IGNORECASE,
)
_PARAPHRASE = re.compile(
    r"\b(?:so (?:you(?:'re| are| were|'ve| have)?|your)|sounds like you|if i'?ve got (?:this|it) "
    r"right|what i'?m hearing|you'?re saying|you mean|you(?:'ve| have) been)\b",
    re.IGNORECASE,
)
_LEAPS_AT = 0.5


def label_strategy(reply: str, visitor_line: str = "") -> StrategyLabel:
    """The strategy and LEAPS steps of one reply, from the transparent patterns alone."""
    prepared = prepare(reply)
    if not prepared.scorable:
        return StrategyLabel("neutral")
    cues = find_cues(prepared)
    overlap, _ = context_overlap(prepared.text, visitor_line)
    return strategy_from(cues, overlap)


def _quotes(cues: Cues, families: tuple[str, ...]) -> tuple[str, ...]:
    return cues.quotes(*families, limit=2)


def strategy_from(
    cues: Cues, overlap: float, head: HeadOutput | None = None
) -> StrategyLabel:
    """Label and LEAPS steps. The cues decide the label where only one side speaks; the trained
    heads (where they ran) settle a reply with cues on both sides or none. Both sides of a mixed
    reply are quoted as evidence."""
    coop = [f for f in COOPERATIVE if cues.has(f)] + (["question"] if cues.questions else [])
    comp = [f for f in COMPETITIVE if cues.has(f)] + (["shouting"] if cues.shouting >= 0.6 else [])
    label = ("mixed" if coop and comp else "cooperative" if coop else
             "competitive" if comp else "neutral")  # fmt: skip
    if head is not None and head.strategy and label in ("mixed", "neutral"):
        # The heads choose only among labels the quoted words can show: where both sides speak,
        # which one the reply is; where no cue speaks, what the meaning is. A threat alone is
        # never "cooperative", a paraphrase (a cooperative cue) never "competitive".
        allowed = ("cooperative", "competitive") + (("mixed",) if label == "mixed"
                                                    else ("neutral",))  # fmt: skip
        label = max(allowed, key=lambda s: head.strategy.get(s, 0.0))
    evidence: tuple[str, ...] = ()
    if label in ("cooperative", "mixed"):
        evidence += _quotes(cues, COOPERATIVE) or cues.question_texts[:1]
    if label in ("competitive", "mixed"):
        evidence += _quotes(cues, COMPETITIVE)
    return StrategyLabel(label, _leaps(cues, overlap, head), evidence)


def _leaps(cues: Cues, overlap: float, head: HeadOutput | None) -> tuple[str, ...]:
    if head is not None and head.leaps:
        return tuple(s for s in LEAPS_STEPS if head.leaps.get(s, 0.0) >= _LEAPS_AT)
    text = cues.text
    steps = set()
    if overlap > 0 or cues.has("reflection"):
        steps.add("listen")
    if (cues.has("validation") or cues.has("apology")) and not cues.has("but_dismissal"):
        steps.add("empathise")
    if cues.questions:
        steps.add("ask")
    if cues.has("reflection") or (_PARAPHRASE.search(text) and overlap > 0):
        steps.add("paraphrase")
    if _SUMMARY.search(text):
        steps.add("summarise")
    return tuple(s for s in LEAPS_STEPS if s in steps)
