"""Evidence (quoted words that earned or cost points) and the score for replies without words."""

from __future__ import annotations

import re

from bot.core.rubric.coaching import ADD
from bot.core.rubric.cues import Cues
from bot.core.rubric.text import PreparedReply
from bot.core.scores import CRITERIA, CriterionScore, RubricScore, StrategyLabel, dimensions_from

# criterion -> (families that earn points, families that cost points)
EVIDENCE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "acknowledges_emotion": (
        ("validation", "apology", "reassurance", "generic_ack"),
        ("but_dismissal", "insult", "sarcasm", "calm_down", "minimizing", "dismissive"),
    ),
    "shows_understanding": (
        ("reflection",),
        ("dismissive", "but_dismissal", "sarcasm", "blame", "minimizing"),
    ),
    "explores": (("invite",), ("hostile_question",)),
    "composed_tone": (
        ("courtesy",),
        (
            "threat",
            "insult",
            "profanity",
            "shouting",
            "ultimatum",
            "sarcasm",
            "irritation",
            "hostile_question",
            "condescending",
            "calm_down",
        ),
    ),  # fmt: skip
    "non_commanding": (
        ("polite_request",),
        ("threat", "ultimatum", "calm_down", "command", "directive", "blame", "curt_imperative",
         "never_say"),
    ),
    "respectful": (
        ("courtesy", "apology", "reassurance"),
        ("insult", "profanity", "dismissive", "sarcasm", "condescending", "blame", "rules_bare",
         "never_say"),
    ),
    "explains_reason": (("reason",), ("rules_bare", "dismissive")),
    "offers_options": (("offer",), ("dismissive", "threat")),
    "sets_boundary_respectfully": (
        ("limit",),
        ("threat", "ultimatum", "caves", "rules_bare", "insult", "command", "calm_down"),
    ),
}
_CUT = 90
# Criteria earned by what a reply does *not* do: nothing to quote when they score well.
_ABSENCE_CRITERIA = ("composed_tone", "non_commanding", "respectful", "sets_boundary_respectfully")


def overlap_phrases(text: str, shared: tuple[str, ...]) -> list[str]:
    """The visitor's words as they appear in the reply, neighbours joined ("forty minutes")."""
    spans: list[tuple[int, int]] = []
    for word in dict.fromkeys(shared):
        match = re.search(rf"\b{re.escape(word)}\b", text)
        if match:
            spans.append(match.span())
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and re.fullmatch(r"[\s,'-]*(?:\w{1,4}\s+)?", text[merged[-1][1] : start]):
            merged[-1][1] = end
        else:
            merged.append([start, end])
    return [text[a:b] for a, b in merged]


def _short(text: str) -> str:
    return text if len(text) <= _CUT else text[: _CUT - 3].rstrip() + "..."


def evidence_for(
    criterion: str,
    score: int,
    cues: Cues,
    overlap_words: tuple[str, ...],
    sentences: tuple[str, ...],
) -> tuple[str, ...]:
    """Up to three quotes: what cost points first when the score is low, what earned them if not."""
    earned_families, cost_families = EVIDENCE[criterion]
    earned = list(cues.quotes(*earned_families))
    if criterion == "shows_understanding":
        earned += [p for p in overlap_phrases(cues.text, overlap_words) if p not in earned]
    if criterion in ("explores", "offers_options"):
        asked = cues.question_texts if criterion == "explores" else cues.offer_question_texts
        earned = list(asked) + earned
    cost = list(cues.quotes(*cost_families))
    # Very low: only what cost points (a "sir" in a threat earned nothing); otherwise both sides,
    # the side that decided the score first.
    if score < 30:
        ordered = cost or earned
    else:
        ordered = cost + earned if score < 50 else earned + cost
    if not ordered and score >= 60 and sentences and criterion not in _ABSENCE_CRITERIA:
        ordered = [sentences[0]]  # credit came from meaning, not a phrase: quote where it starts
    return tuple(_short(q) for q in dict.fromkeys(ordered))[:3]


# A reply with no words to judge still gets a defined score: nothing earned, tone not harmed.
NO_WORDS = {
    "acknowledges_emotion": 0, "shows_understanding": 0, "explores": 0, "composed_tone": 50,
    "non_commanding": 50, "respectful": 20, "explains_reason": 0, "offers_options": 0,
    "sets_boundary_respectfully": 30,
}  # fmt: skip
NO_WORDS_TIPS = {
    "empty": "Say something to the visitor in words - even \"I'm here, tell me what's happened\" "
             "is a start.",
    "emoji_only": "An emoji alone can read as dismissive; answer in words, e.g. \"I can see "
                  "you're upset - what's happened?\"",
    "markup_only": "Only formatting came through; write your reply as plain words to the visitor.",
    "non_english": "The visitor is speaking English - answer in English so they (and the rubric) "
                   "can follow you.",
}  # fmt: skip


def no_words_score(reply: PreparedReply) -> RubricScore:
    """The defined score for empty, emoji-only, markup-only and non-English replies."""
    values = dict(NO_WORDS)
    if "insult" in reply.flags or "sarcasm" in reply.flags:
        values.update(composed_tone=15, respectful=10)
    reason = next(
        f for f in ("empty", "emoji_only", "markup_only", "non_english") if f in reply.flags
    )
    criteria = {
        c: CriterionScore(c, values[c], (), NO_WORDS_TIPS[reason] if c == CRITERIA[0] else ADD[c])
        for c in CRITERIA
    }
    coaching = (NO_WORDS_TIPS[reason], ADD["acknowledges_emotion"])
    return RubricScore(
        criteria, dimensions_from(values), coaching, reply.flags, StrategyLabel("neutral")
    )
