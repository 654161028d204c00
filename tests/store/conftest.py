"""Store fixtures: in-memory and file stores, and helpers that play or build real sessions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from bot.core.persona import Persona
from bot.core.scores import CRITERIA, CriterionScore, RubricScore, dimensions_from
from bot.core.session import Mode, Outcome, PracticeSession, Turn
from bot.core.store import Store
from bot.model.scripted import ScriptedVisitor
from tests.conftest import FakeRubric

DAY = 86400.0
NOW = 1_760_000_000.0  # a fixed "now" (2025-10-09 08:53 UTC) so periods are deterministic
GOOD = "I can see how stressful this is, let me help you find your car. Can I see your ticket?"
POOR = "Calm down. Rules are rules, not my problem."


class Clock:
    """A settable clock for the store."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    """The store's clock, starting at NOW."""
    return Clock()


@pytest.fixture
def store(clock: Clock) -> Iterator[Store]:
    """An in-memory store."""
    s = Store.memory(clock=clock)
    yield s
    s.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a file store lives in this test."""
    return tmp_path / "data" / "cooldown.db"


@pytest.fixture
def file_store(db_path: Path, clock: Clock) -> Iterator[Store]:
    """A store on a real file (WAL, separate read connections)."""
    s = Store(db_path, clock=clock)
    yield s
    s.close()


def play(
    store: Store,
    persona: Persona,
    officer_id: str,
    replies: Sequence[str],
    *,
    end: bool = False,
    meta: dict[str, str] | None = None,
) -> PracticeSession:
    """Run a real session through PracticeSession.respond with the store as recorder."""
    session = PracticeSession.start(
        persona,
        officer_id,
        ScriptedVisitor(),
        FakeRubric(),
        recorder=store,
        meta=dict(meta or {}),
    )
    for reply in replies:
        if session.finished:
            break
        session.respond(reply)
    if end:
        session.end()
    return session


def score_of(overall: int) -> RubricScore:
    """A RubricScore whose every criterion (and so every dimension) is `overall`."""
    values = {c: overall for c in CRITERIA}
    criteria = {c: CriterionScore(c, overall, (f"q {c}",), f"tip {c}") for c in CRITERIA}
    return RubricScore(criteria, dimensions_from(values), ("tip",))


def record(
    store: Store,
    persona: Persona,
    officer_id: str,
    overalls: Sequence[int],
    *,
    ended_at: float = NOW - 3600,
    outcome: Outcome = Outcome.RESOLVED,
) -> PracticeSession:
    """Store a finished session with chosen turn scores and end time (for leaderboards)."""
    started = ended_at - 60 * (len(overalls) + 1)
    session = PracticeSession(
        persona,
        officer_id,
        ScriptedVisitor(),
        FakeRubric(),
        mode=Mode.ASSESSMENT,
        started_at=started,
        recorder=store,
    )
    store.session_started(session)
    for i, overall in enumerate(overalls, start=1):
        turn = Turn(
            number=i,
            visitor_line=session.last_visitor_line,
            officer_text=f"reply {i}",
            score=score_of(overall),
            agitation_before=6,
            agitation_after=5,
            reasons=("fake",),
            visitor_reply=f"visitor {i}",
            at=started + 60 * i,
        )
        session.turns.append(turn)
        store.turn_recorded(session, turn)
    session.outcome = outcome
    session.ended_at = ended_at
    store.session_finished(session)
    return session
