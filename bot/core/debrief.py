"""The end-of-session debrief: scores per criterion, best and worst reply, what to try instead."""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from bot.core.rubric.tips import in_scene
from bot.core.scores import (
    CRITERIA,
    CRITERION_LABELS,
    DIMENSIONS,
    LEAPS_STEPS,
    STRATEGIES,
    Rubric,
    shown,
)
from bot.core.session import Outcome, PracticeSession, SessionKind, Turn

# A reply is only called the best one when there was a choice and it was decent: a lone reply
# that threatened the police is not anyone's "best reply (20)".
BEST_AT_LEAST = 50
# A suggestion this close to something the officer already said teaches nothing.
SAME_AS_SAID = 0.6


@dataclass(frozen=True)
class Debrief:
    """What an officer reads when a session ends."""

    session_id: str
    officer_id: str
    persona_id: str
    persona_name: str
    outcome: Outcome
    turns: int
    start_agitation: int
    final_agitation: int
    criteria: dict[str, int | None]  # mean over the replies it applied to; None: never applied
    dimensions: dict[str, int | None]
    best: Turn | None
    worst: Turn | None
    worked: tuple[str, ...]  # criteria that went well, with a note
    to_improve: tuple[str, ...]  # criteria that went badly, with the coaching
    try_instead: str  # a better phrasing of the worst reply ('' when there were no replies)
    kind: SessionKind = SessionKind.PRACTICE
    focus: str | None = None  # a drill's criterion
    strategies: dict[str, int] = field(default_factory=dict)  # replies per strategy label
    leaps: tuple[str, ...] = ()  # LEAPS steps performed at least once, in LEAPS order

    @property
    def cooperative_share(self) -> float | None:
        """Share of replies that were cooperative (None without labelled replies)."""
        total = sum(self.strategies.values())
        return self.strategies.get("cooperative", 0) / total if total else None

    def strategy_line(self) -> str:
        """"Strategy: 3 of 4 replies cooperative, 1 competitive. LEAPS: listen, ask (missing:
        ...)" - the balance trainers track over time."""
        total = sum(self.strategies.values())
        if not total:
            return ""
        parts = [f"{self.strategies.get(s, 0)} {s}" for s in STRATEGIES[1:]
                 if self.strategies.get(s)]  # fmt: skip
        line = (f"Strategy: {self.strategies.get('cooperative', 0)} of {total} "
                f"repl{'y' if total == 1 else 'ies'} cooperative")  # fmt: skip
        line += (", " + ", ".join(parts) if parts else "") + "."
        missing = [s for s in LEAPS_STEPS if s not in self.leaps]
        line += f" LEAPS steps used: {', '.join(self.leaps) or 'none'}"
        return line + (f" (not yet: {', '.join(missing)})." if missing else ".")

    def bullets(self, limit: int = 3) -> tuple[tuple[bool, str], ...]:
        """What to take away, as (went well, text): one thing that worked, then what to work
        on, topped up from either side to `limit`."""
        good = [(True, w) for w in self.worked]
        picked = good[:1] + [(False, w) for w in self.to_improve][: limit - len(good[:1])]
        picked += good[1 : 1 + limit - len(picked)]
        return tuple(picked)

    def as_text(self) -> str:
        """A plain-text debrief for the terminal and logs."""
        out = [
            f"Debrief - {self.persona_name}: {self.outcome.label} after {self.turns} "
            f"repl{'y' if self.turns == 1 else 'ies'} (agitation {self.start_agitation} -> "
            f"{self.final_agitation})"
        ]
        if not self.turns:
            out.append("No replies were scored.")
            return "\n".join(out)
        out.append(
            "Scores: " + ", ".join(f"{d} {shown(self.dimensions[d])}" for d in DIMENSIONS)
        )
        for name in CRITERIA:
            value = shown(self.criteria[name])
            note = "  (not called for in this session)" if self.criteria[name] is None else ""
            out.append(f"  {CRITERION_LABELS[name]:<28} {value:>3}{note}")
        if self.strategy_line():
            out.append(self.strategy_line())
        if self.worked:
            out.append("What worked:")
            out += [f"  + {w}" for w in self.worked]
        if self.to_improve:
            out.append("What to work on:")
            out += [f"  - {w}" for w in self.to_improve]
        if self.best:
            out.append(f'Best reply ({self.best.score.overall}): "{self.best.officer_text}"')
        if self.worst and self.worst is not self.best:
            out.append(f'Weakest reply ({self.worst.score.overall}): "{self.worst.officer_text}"')
        if self.try_instead:
            out.append(f'Try instead: "{self.try_instead}"')
        if self.focus:
            label = CRITERION_LABELS[self.focus]
            out.append(f"Drill score on {label}: {self.criteria[self.focus]}")
        return "\n".join(out)


def _mean(values: list[int | None]) -> int | None:
    rated = [v for v in values if v is not None]
    return round(sum(rated) / len(rated)) if rated else None


def better_phrasing(session: PracticeSession, turn: Turn, rubric: Rubric) -> str:
    """A stronger reply to the line the weakest turn answered.

    Uses the persona's example good replies, scored by the same rubric against that visitor line,
    so the suggestion is one the rubric itself rates highest; personas without examples get a
    reply assembled from what the visitor wants.
    """
    said = [t.officer_text.casefold() for t in session.turns]
    candidates = [
        c
        for c in session.persona.good_examples
        if all(SequenceMatcher(None, c.casefold(), s).ratio() < SAME_AS_SAID for s in said)
    ]
    if candidates:
        scores = rubric.score_many([(c, turn.visitor_line) for c in candidates])
        best = max(range(len(candidates)), key=lambda i: scores[i].overall)
        if scores[best].overall > turn.score.overall:
            return candidates[best]
    wants = session.persona.wants.rstrip(".")
    return (
        "I can see how stressful this is, and I want to help sort it out. "
        f"As I understand it, you need this: {wants[0].lower() + wants[1:]}. "
        "Here is what I can do right now - would that work for you?"
    )


def build_debrief(session: PracticeSession, rubric: Rubric) -> Debrief:
    """Summarise a session (finished or not) into a Debrief.

    A rewind is judged on the replies played in it, from its branch point on: the turns before
    it are the parent session's and were debriefed there. A criterion that did not apply to a
    reply is left out of that criterion's mean.
    """
    turns = session.own_turns
    criteria = {
        c: _mean([t.score.criterion(c) for t in turns if t.score.applies(c)]) for c in CRITERIA
    }
    dimensions = {d: _mean([t.score.dimensions.get(d) for t in turns]) for d in DIMENSIONS}
    dimensions["overall"] = dimensions["overall"] or 0
    best = max(turns, key=lambda t: t.score.overall, default=None)
    worst = min(turns, key=lambda t: t.score.overall, default=None)
    if best is worst or (best is not None and best.score.overall < BEST_AT_LEAST):
        best = None
    rated = {c: v for c, v in criteria.items() if v is not None}
    ranked = sorted(rated, key=lambda c: rated[c], reverse=True)
    worked = tuple(f"{CRITERION_LABELS[c]} ({rated[c]})" for c in ranked[:3] if rated[c] >= 60)
    to_improve: list[str] = []
    for c in reversed(ranked if turns else []):
        if rated[c] >= 50 or len(to_improve) == 3:
            break
        lowest = min((t for t in turns if t.score.applies(c)), key=lambda t: t.score.criterion(c))
        tip = in_scene(c, lowest.score.criteria[c].coaching, session.persona.setting)
        to_improve.append(f"{CRITERION_LABELS[c]} ({rated[c]}): {tip}".rstrip(": "))
    labels = [t.score.strategy for t in turns if t.score.strategy is not None]
    strategies = {s: sum(lab.label == s for lab in labels) for s in STRATEGIES}
    used = {step for lab in labels for step in lab.leaps}
    return Debrief(
        session_id=session.id,
        officer_id=session.officer_id,
        persona_id=session.persona.id,
        persona_name=session.persona.name,
        outcome=session.outcome,
        turns=len(turns),
        start_agitation=turns[0].agitation_before if turns else session.agitation,
        final_agitation=session.agitation,
        criteria=criteria,
        dimensions=dimensions,
        best=best,
        worst=worst,
        worked=worked,
        to_improve=tuple(to_improve),
        try_instead=better_phrasing(session, worst, rubric) if worst else "",
        kind=session.kind,
        focus=session.focus,
        strategies={s: n for s, n in strategies.items() if n},
        leaps=tuple(s for s in LEAPS_STEPS if s in used),
    )
