"""What an officer reads after each reply: tips that follow the reply, and why the visitor reacted.

Both come from what the session already holds (each turn's scores and agitation reasons), so
they are rebuilt the same way in any adapter and after a restart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.rubric.tips import SessionCoach
from bot.core.session import PracticeSession, Turn

_REASON = re.compile(r"^(?P<text>.+) \((?P<delta>[+-]\d+)\)$")
# The engine's own reasons (bot/core/agitation.py) as the officer reads them.
_SAID = {
    "handled well overall": "your reply handled it well",
    "handled reasonably": "your reply was reasonable",
    "handled badly": "your reply handled it badly",
    "missed what the visitor needs": "your reply missed what they need",
    "lost composure (insult, sarcasm, threat or shouting)": "the edge in your words",
    "gave orders or blamed instead of asking": "orders or blame instead of asking",
    "named how the visitor feels": "you named how they feel",
    "heard news": "they heard news",
    "small talk while the visitor is upset": "small talk while they are upset",
}


@dataclass(frozen=True)
class TurnFeedback:
    """The coaching shown under one reply."""

    number: int
    tips: tuple[str, ...]
    why: str  # one line: what moved the visitor's agitation, or that nothing did


def _reasons(turn: Turn) -> list[tuple[str, int]]:
    parsed = []
    for reason in turn.reasons:
        match = _REASON.match(reason)
        if match:
            parsed.append((match["text"], int(match["delta"])))
    return parsed


def why_reacted(turn: Turn, name: str) -> str:
    """One line on why the visitor's agitation moved: the persona's trigger or soother if one
    fired, otherwise the biggest reason in the direction it moved."""
    delta = turn.agitation_after - turn.agitation_before
    reasons = _reasons(turn)
    if delta == 0:
        if not reasons:
            return f"Why {name} stayed at {turn.agitation_after}: nothing in that reply moved them."
        ups = [r for r in reasons if r[1] > 0]
        downs = [r for r in reasons if r[1] < 0]
        if ups and downs:
            return (
                f"Why {name} stayed at {turn.agitation_after}: {_say(ups[0][0])} and "
                f"{_say(downs[0][0])} cancelled out."
            )
        return f"Why {name} stayed at {turn.agitation_after}: {_say(reasons[0][0])}."
    same_way = [r for r in reasons if (r[1] > 0) == (delta > 0) and r[1] != 0]
    cues = [r for r in same_way if r[0].startswith(("trigger: ", "soother: "))]
    pool = cues or same_way
    verb = "calmed down" if delta < 0 else "got more agitated"
    if not pool:
        return f"Why {name} {verb}: several small things together."
    text, change = max(pool, key=lambda r: abs(r[1]))
    kind, _, cue = text.partition(": ")
    if kind in ("trigger", "soother") and cue:
        return f"Why {name} {verb}: {cue} (a {kind}, {change:+d})."
    return f"Why {name} {verb}: {_say(text)} ({change:+d})."


def _say(reason: str) -> str:
    kind, _, cue = reason.partition(": ")
    if kind in ("trigger", "soother") and cue:
        return cue
    return _SAID.get(reason, reason)


def session_feedback(session: PracticeSession) -> list[TurnFeedback]:
    """Every turn's tips and reaction line, in order (replayed, so repeats are remembered)."""
    coach = SessionCoach(session.persona.setting)
    name = session.persona.short_name
    return [
        TurnFeedback(
            turn.number, coach.tips(turn.score, turn.officer_text), why_reacted(turn, name)
        )
        for turn in session.turns
    ]


def latest_feedback(session: PracticeSession) -> TurnFeedback | None:
    """The feedback for the session's last reply (None before the first)."""
    feedback = session_feedback(session)
    return feedback[-1] if feedback else None


# A nudge per criterion, as a question: it points at what is missing without writing the reply.
HINTS = {
    "acknowledges_emotion": "How is {name} feeling right now - and have you said so?",
    "shows_understanding": "What does {name} actually need? Could you say it back in a few words?",
    "explores": "What don't you know yet that would help you help {name}?",
    "composed_tone": "Would your last reply calm you down if you were {name}?",
    "non_commanding": "Are you asking {name}, or telling them?",
    "respectful": "Would {name} feel taken seriously by your last reply?",
    "explains_reason": "If there is a rule in the way, does {name} know why it exists?",
    "offers_options": "What could you actually do for {name} in the next five minutes?",
    "sets_boundary_respectfully": "If the answer is no, what can you say yes to?",
}
FIRST_HINT = "acknowledges_emotion"  # before any reply: feelings first, facts second


def hint_for(session: PracticeSession) -> str:
    """A hint for the next reply: the weakest criterion so far (feelings before the first
    reply), asked as a question so the officer still finds the words."""
    name = session.persona.short_name
    criterion = FIRST_HINT
    if session.turns:
        recent = session.turns[-2:]
        criterion = min(
            HINTS, key=lambda c: sum(t.score.criterion(c) for t in recent if c in t.score.criteria)
        )
    return f"{name} is at agitation {session.agitation}/10. " + HINTS[criterion].format(name=name)
