"""Cooperative or competitive: the strategy an officer's reply takes, labelled per turn.

Conflict-management training distinguishes interest-based (cooperative) handling, which
acknowledges, asks, explains and offers, from rights/power-based (competitive) handling, which
commands, threatens, cites bare rules and blames; the share of each over time shows whether an
officer is learning the first. The labels and their names follow bench/rubric/GUIDELINES.md.

This is a rule-based labeller over the rubric's tone patterns, so the per-turn field and the
charts work now; when the rubric itself returns a `strategy` on its RubricScore (issue 12),
`strategy_of` uses that instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.rubric.cues import Cues, find_cues
from bot.core.rubric.text import prepare
from bot.core.scores import RubricScore


class Strategy(StrEnum):
    """How a reply tries to resolve the conflict."""

    COOPERATIVE = "cooperative"  # acknowledging, asking, explaining, offering
    COMPETITIVE = "competitive"  # commanding, threatening, citing bare rules, blaming
    MIXED = "mixed"  # both in one reply ("I get it, but do as you're told")
    NEUTRAL = "neutral"  # neither (a bare fact, "okay")


STRATEGIES: tuple[Strategy, ...] = tuple(Strategy)

# Pattern families (bot/core/rubric/patterns.py) that show each side.
COOPERATIVE_CUES = (
    "validation", "reflection", "apology", "generic_ack", "reason", "offer", "reassurance",
    "invite",
)  # fmt: skip
# Tone alone (sarcasm, a "mate", swearing) is the calmness criteria's business, not a strategy.
COMPETITIVE_CUES = (
    "calm_down", "command", "directive", "ultimatum", "threat", "blame", "insult", "dismissive",
    "hostile_question", "minimizing",
)  # fmt: skip
_ORDERS = ("calm_down", "command", "directive", "ultimatum")


@dataclass(frozen=True)
class StrategyLabel:
    """A reply's strategy and the cues that decided it (for explaining the label)."""

    strategy: Strategy
    cooperative: tuple[str, ...]
    competitive: tuple[str, ...]


def label_cues(cues: Cues) -> StrategyLabel:
    """The strategy shown by a reply's cues."""
    # "You need to wait" reads as both a reflection ("you need...") and an order: an order.
    orders = [(h.start, h.start + len(h.text)) for f in _ORDERS for h in cues.hits.get(f, ())]
    coop = [
        f
        for f in COOPERATIVE_CUES
        if any(not any(a <= h.start < b for a, b in orders) for h in cues.hits.get(f, ()))
    ]
    if cues.questions:
        coop.append("question")
    if cues.offer_questions and "offer" not in coop:
        coop.append("offer")
    comp = [f for f in COMPETITIVE_CUES if cues.has(f)]
    # "Rules are rules" is competitive; a rule with its reason is an explanation.
    if cues.has("rules_bare") and not cues.has("reason"):
        comp.append("rules_bare")
    if cues.shouting >= 0.6:
        comp.append("shouting")
    if cues.but_dismissal is not None:
        # "I get it, but do as you're told" is both (mixed), as bench/rubric/GUIDELINES.md says.
        comp.append("but_dismissal")
    if coop and comp:
        strategy = Strategy.MIXED
    elif coop:
        strategy = Strategy.COOPERATIVE
    elif comp:
        strategy = Strategy.COMPETITIVE
    else:
        strategy = Strategy.NEUTRAL
    return StrategyLabel(strategy, tuple(coop), tuple(comp))


def label_reply(text: str) -> StrategyLabel:
    """The strategy of one officer reply, by the rubric's tone patterns."""
    return label_cues(find_cues(prepare(text)))


def strategy_of(reply: str, score: RubricScore | None = None) -> Strategy:
    """The rubric's own strategy label when it gives one, else the rule-based label."""
    given = getattr(score, "strategy", None)
    if given:
        try:
            return Strategy(str(given))
        except ValueError:
            pass
    return label_reply(reply).strategy


def shares(labels: list[str]) -> dict[str, float]:
    """Share (0-1) of each strategy among labelled turns (empty labels are not counted)."""
    counted = [label for label in labels if label]
    if not counted:
        return {s.value: 0.0 for s in STRATEGIES}
    return {s.value: counted.count(s.value) / len(counted) for s in STRATEGIES}


def describe_shares(shares: dict[str, float]) -> str:
    """"cooperative 60%, mixed 10%, neutral 10%, competitive 20%" (cooperative first)."""
    order = (Strategy.COOPERATIVE, Strategy.MIXED, Strategy.NEUTRAL, Strategy.COMPETITIVE)
    return ", ".join(f"{s.value} {shares.get(s.value, 0.0):.0%}" for s in order)
