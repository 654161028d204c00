"""Drills: short sessions on the officer's weakest criterion, spaced out over days.

A drill picks the criterion the officer scores lowest on over their latest sessions, a persona
whose triggers and soothers turn on that skill, a difficulty near the officer's level, and a hard
moment to start from (e.g. agitation 8 with a visitor who needs a reason). It lasts a few replies.
The drill's score is the officer's mean on that criterion over its replies; the next drill on the
same criterion falls due after 1, 2, 4, 8 or 16 days: the interval doubles with each passed drill
in a row and drops back to a day after a failed one (a Leitner schedule).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.core.catalogue import PersonaCatalogue
from bot.core.persona import Persona
from bot.core.scores import CRITERIA, CRITERION_LABELS

if TYPE_CHECKING:
    from bot.core.store import Store

DAY = 86400.0
DRILL_TURNS = 4  # replies in a drill: one hard moment, not a whole conversation
PASS_SCORE = 60  # a drill at or above this on its criterion moves the next one further out
INTERVAL_DAYS = (1, 2, 4, 8, 16)
HISTORY_SESSIONS = 10  # how many latest sessions decide the weakest criterion


class NoDrillYet(LookupError):
    """Nothing to drill yet: the officer has no scored replies and named no criterion."""


@dataclass(frozen=True)
class DrillFocus:
    """How a criterion is drilled: the moment to start from and the persona cues that need it."""

    start_agitation: int
    moment: str  # "a visitor who needs a reason", said to the officer
    cues: tuple[str, ...]  # words in a persona's triggers, soothers or wants that call for it


FOCUS: dict[str, DrillFocus] = {
    "acknowledges_emotion": DrillFocus(
        8, "a frightened or grieving visitor who needs to feel heard",
        ("sorry", "feel", "scared", "worried", "upset", "frightened", "grief", "loss", "afraid",
         "laughed at", "ignored"),
    ),
    "shows_understanding": DrillFocus(
        7, "a visitor whose situation nobody has listened to",
        ("ignored", "listen", "heard", "nobody", "no one", "understand", "situation", "again"),
    ),
    "explores": DrillFocus(
        6, "a visitor with more to tell than they say",
        ("asking about", "finding out", "checking", "what happened", "details", "who", "where"),
    ),
    "composed_tone": DrillFocus(
        9, "a visitor who swears and provokes",
        ("swear", "language", "shout", "laughed", "joking", "insult", "called a", "rude"),
    ),
    "non_commanding": DrillFocus(
        8, "a visitor who bristles at being told what to do",
        ("calm down", "relax", "told to", "wait", "hurried", "go home", "threatened"),
    ),
    "respectful": DrillFocus(
        7, "a visitor who feels talked down to",
        ("talked down", "respect", "like a child", "grown", "nuisance", "calling him",
         "calling her", "name", "laughed"),
    ),
    "explains_reason": DrillFocus(
        8, "a visitor who needs a reason, not a rule",
        ("rules are rules", "reason", "explaining why", "why", "policy", "no id", "nothing anyone",
         "nothing i can do", "final"),
    ),
    "offers_options": DrillFocus(
        7, "a visitor who needs a way forward tonight",
        ("calling", "ringing", "taxi", "rebook", "address", "options", "help", "next", "way"),
    ),
    "sets_boundary_respectfully": DrillFocus(
        8, "a visitor demanding what cannot be allowed",
        ("let in", "refused", "cannot", "demand", "insist", "won't", "another drink", "removed",
         "no entry", "final"),
    ),
}  # fmt: skip


@dataclass(frozen=True)
class DrillPlan:
    """What a drill will be: the criterion, the persona at its hard moment, and why."""

    criterion: str
    persona: Persona  # start agitation and turn limit already set for the drill
    level: float | None  # the officer's mean on the criterion (None: never scored)
    moment: str

    @property
    def label(self) -> str:
        """The criterion as people read it ("Explains reason")."""
        return CRITERION_LABELS[self.criterion]

    def describe(self) -> str:
        """One paragraph for the officer: what is drilled, why, with whom and from where."""
        why = (
            f"your weakest skill over your latest sessions ({self.level:.0f}/100)"
            if self.level is not None
            else "the skill you chose"
        )
        p = self.persona
        return (
            f"Drill: {self.label} - {why}. {p.name}, difficulty {p.difficulty}/5, starting at "
            f"agitation {p.start_agitation}/10: {self.moment}. {p.max_turns} replies."
        )


@dataclass(frozen=True)
class DrillResult:
    """One finished drill: its criterion and the officer's mean on it."""

    session_id: str
    criterion: str
    persona_id: str
    ended_at: float
    score: float


@dataclass(frozen=True)
class DrillDue:
    """When the next drill on a criterion is due, and how the last ones went."""

    criterion: str
    due_at: float
    scores: tuple[float, ...]  # every drill on it so far, oldest first
    passed_in_a_row: int

    @property
    def label(self) -> str:
        """The criterion as people read it."""
        return CRITERION_LABELS[self.criterion]

    def when(self, now: float) -> str:
        """"due now" or "in 3 days"."""
        days = (self.due_at - now) / DAY
        if days <= 0:
            return "due now"
        whole = max(1, round(days))
        return f"in {whole} day{'s' if whole != 1 else ''}"


def weakest(levels: Mapping[str, float]) -> str | None:
    """The criterion with the lowest mean (rubric order on ties), None without scores."""
    scored = [c for c in CRITERIA if levels.get(c) is not None]
    return min(scored, key=lambda c: levels[c]) if scored else None


def target_difficulty(level: float | None) -> int:
    """A persona difficulty that stretches an officer at this level without swamping them."""
    if level is None or level < 40:
        return 2
    if level < 55:
        return 3
    if level < 70:
        return 4
    return 5


def _fit(persona: Persona, focus: DrillFocus) -> int:
    said = " ".join((*persona.triggers, *persona.soothers, persona.wants)).lower()
    return sum(cue in said for cue in focus.cues)


def choose_persona(
    candidates: Iterable[Persona], criterion: str, level: float | None, avoid: str | None = None
) -> Persona:
    """The persona that calls for the criterion most, near the target difficulty.

    `avoid` (the persona of the last drill on this criterion) is passed over when another one
    fits as well, so repeated drills meet different visitors.
    """
    focus, target = FOCUS[criterion], target_difficulty(level)
    ranked = sorted(
        candidates,
        key=lambda p: (-_fit(p, focus), abs(p.difficulty - target), p.id),
    )
    if not ranked:
        raise NoDrillYet("No persona is enabled, so there is nothing to drill with.")
    if ranked[0].id == avoid and len(ranked) > 1 and _fit(ranked[1], focus) >= _fit(
        ranked[0], focus
    ) - 1:
        return ranked[1]
    return ranked[0]


def plan_drill(
    levels: Mapping[str, float],
    catalogue: PersonaCatalogue,
    *,
    criterion: str | None = None,
    results: Sequence[DrillResult] = (),
) -> DrillPlan:
    """The drill for an officer with these criterion means (or on the criterion they chose)."""
    chosen = criterion or weakest(levels)
    if chosen is None:
        raise NoDrillYet(
            "Drills work on your weakest skill, and you have no scored replies yet. Finish a "
            "practice first, or pick the skill to drill."
        )
    if chosen not in FOCUS:
        raise NoDrillYet(f"Unknown skill '{chosen}'. Choose one of: {', '.join(CRITERIA)}")
    level = levels.get(chosen)
    last = next((r.persona_id for r in reversed(results) if r.criterion == chosen), None)
    persona = choose_persona(catalogue.at_difficulty(None), chosen, level, avoid=last)
    focus = FOCUS[chosen]
    drill_persona = replace(
        persona, start_agitation=focus.start_agitation, max_turns=DRILL_TURNS
    )
    return DrillPlan(chosen, drill_persona, level, focus.moment)


def schedule(
    results: Sequence[DrillResult], levels: Mapping[str, float], now: float
) -> list[DrillDue]:
    """When each drilled criterion is due again, plus the weakest one if never drilled; soonest
    first."""
    by_criterion: dict[str, list[DrillResult]] = {}
    for result in sorted(results, key=lambda r: r.ended_at):
        by_criterion.setdefault(result.criterion, []).append(result)
    due = []
    for criterion, done in by_criterion.items():
        streak = 0
        for result in reversed(done):
            if result.score < PASS_SCORE:
                break
            streak += 1
        days = INTERVAL_DAYS[min(streak, len(INTERVAL_DAYS) - 1)] if streak else 1
        due.append(
            DrillDue(criterion, done[-1].ended_at + days * DAY, tuple(r.score for r in done),
                     streak)  # fmt: skip
        )
    first = weakest(levels)
    if first is not None and first not in by_criterion:
        due.append(DrillDue(first, now, (), 0))
    return sorted(due, key=lambda d: (d.due_at, d.criterion))


def plan_for(
    store: Store, catalogue: PersonaCatalogue, officer_id: str, criterion: str | None = None
) -> DrillPlan:
    """The officer's next drill, from their history in the store."""
    return plan_drill(
        store.criterion_levels(officer_id, HISTORY_SESSIONS),
        catalogue,
        criterion=criterion,
        results=store.drill_results(officer_id),
    )


def due_drills(store: Store, officer_id: str, now: float | None = None) -> list[DrillDue]:
    """The officer's drill schedule, soonest first."""
    return schedule(
        store.drill_results(officer_id),
        store.criterion_levels(officer_id, HISTORY_SESSIONS),
        store.now() if now is None else now,
    )
