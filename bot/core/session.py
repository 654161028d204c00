"""The practice session state machine: one officer, one visitor, turn by turn to an outcome."""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from bot.core.agitation import (
    ESCALATED_AT,
    RESOLVED_AT,
    CueMatcher,
    lexical_cue_matcher,
    next_agitation,
)
from bot.core.persona import Persona
from bot.core.reading import Reader, Reading
from bot.core.scores import Rubric, RubricScore, ScoreContext
from bot.core.visitor import Line, Visitor, VisitorRequest

MAX_REPLY_CHARS = 2000


class Outcome(StrEnum):
    """How a session stands or ended."""

    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    ESCALATED = "escalated"
    TURN_LIMIT = "turn_limit"
    ENDED_BY_OFFICER = "ended_by_officer"

    @property
    def label(self) -> str:
        """Human wording for transcripts and embeds."""
        return {
            "in_progress": "in progress",
            "resolved": "resolved - the visitor calmed down",
            "escalated": "escalated - the visitor lost it",
            "turn_limit": "turn limit reached",
            "ended_by_officer": "ended by the officer",
        }[self.value]


class Mode(StrEnum):
    """Live: coaching after every reply. Assessment: coaching only in the debrief."""

    LIVE = "live"
    ASSESSMENT = "assessment"


class ReplyRejected(ValueError):
    """The officer's reply cannot be used as a turn; the message says what to do instead."""


class SessionClosed(RuntimeError):
    """The session already has an outcome; no more replies are taken."""


@dataclass(frozen=True)
class Turn:
    """One officer reply, its scores, the agitation change and the visitor's answer."""

    number: int
    visitor_line: str  # the line the officer was answering
    officer_text: str
    score: RubricScore
    agitation_before: int
    agitation_after: int
    reasons: tuple[str, ...]
    visitor_reply: str
    at: float
    score_ms: float = 0.0
    reply_ms: float = 0.0


class SessionRecorder(Protocol):
    """Where a session is stored as it goes (the SQLite store implements this)."""

    def session_started(self, session: PracticeSession) -> None: ...

    def turn_recorded(self, session: PracticeSession, turn: Turn) -> None: ...

    def session_finished(self, session: PracticeSession) -> None: ...


def check_reply(text: str) -> str:
    """The reply, stripped; ReplyRejected with a hint when it is empty or too long."""
    cleaned = text.strip()
    if not cleaned:
        raise ReplyRejected("Your reply is empty. Say something to the visitor, in your own words.")
    if len(cleaned) > MAX_REPLY_CHARS:
        raise ReplyRejected(
            f"Your reply is {len(cleaned):,} characters; keep it under {MAX_REPLY_CHARS:,}. "
            "Real conversations at the door are short: one or two sentences work best."
        )
    return cleaned


@dataclass
class PracticeSession:
    """A running practice: call respond() with each officer reply until `finished`."""

    persona: Persona
    officer_id: str
    visitor: Visitor
    rubric: Rubric
    mode: Mode = Mode.LIVE
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    agitation: int = -1
    opening_line: str = ""
    turns: list[Turn] = field(default_factory=list)
    outcome: Outcome = Outcome.IN_PROGRESS
    started_at: float = field(default_factory=time.time)
    ended_at: float | None = None
    meta: dict[str, str] = field(default_factory=dict)  # adapter context, e.g. a thread id
    recorder: SessionRecorder | None = None
    matcher: CueMatcher = lexical_cue_matcher
    reader: Reader = field(default_factory=Reader)  # moves and facts; patterns only by default
    _readings: dict[str, Reading] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.agitation < 0:
            self.agitation = self.persona.start_agitation
        if not self.opening_line:
            rng = random.Random(self.id)
            self.opening_line = rng.choice(self.persona.opening_lines)

    @classmethod
    def start(
        cls, persona: Persona, officer_id: str, visitor: Visitor, rubric: Rubric, **kwargs: object
    ) -> PracticeSession:
        """Open a session: the visitor's opening line is ready and the recorder told."""
        session = cls(persona, officer_id, visitor, rubric, **kwargs)  # type: ignore[arg-type]
        if session.recorder:
            session.recorder.session_started(session)
        return session

    @property
    def finished(self) -> bool:
        """True once the session has an outcome."""
        return self.outcome is not Outcome.IN_PROGRESS

    @property
    def last_visitor_line(self) -> str:
        """What the visitor said last (the line the officer is answering now)."""
        return self.turns[-1].visitor_reply if self.turns else self.opening_line

    def history(self) -> tuple[Line, ...]:
        """The conversation so far as spoken lines, opening line first."""
        lines = [Line("visitor", self.opening_line)]
        for turn in self.turns:
            reading = self.read(turn.officer_text)
            lines += [
                Line("officer", turn.officer_text, turn.agitation_after, reading),
                Line("visitor", turn.visitor_reply),
            ]
        return tuple(lines)

    def score_context(self) -> ScoreContext:
        """What decides which criteria the next reply is judged on, besides the visitor's line:
        the officer's earlier replies and what this persona reacts to."""
        return ScoreContext(
            earlier_replies=tuple(t.officer_text for t in self.turns),
            triggers=tuple(self.persona.triggers),
            soothers=tuple(self.persona.soothers),
            wants=self.persona.wants,
        )

    def read(self, officer_text: str) -> Reading:
        """What the visitor makes of an officer line (moves, facts); cached per session."""
        reading = self._readings.get(officer_text)
        if reading is None:
            reading = self._readings[officer_text] = self.reader.read(self.persona, officer_text)
        return reading

    def respond(self, text: str) -> Turn:
        """Score the officer's reply, move the agitation, and get the visitor's answer."""
        if self.finished:
            raise SessionClosed(f"This session is over ({self.outcome.label}).")
        reply = check_reply(text)
        answered = self.last_visitor_line
        t0 = time.perf_counter()
        score = self.rubric.score(reply, answered, context=self.score_context())
        t1 = time.perf_counter()
        reading = self.read(reply)
        change = next_agitation(
            self.agitation, score, reply, self.persona, self.matcher, reading=reading
        )
        request = VisitorRequest(
            persona=self.persona,
            agitation=change.after,
            history=self.history() + (Line("officer", reply, change.after, reading),),
            session_id=self.id,
        )
        visitor_reply = self.visitor.reply(request)
        t2 = time.perf_counter()
        turn = Turn(
            number=len(self.turns) + 1,
            visitor_line=answered,
            officer_text=reply,
            score=score,
            agitation_before=change.before,
            agitation_after=change.after,
            reasons=change.reasons,
            visitor_reply=visitor_reply,
            at=time.time(),
            score_ms=(t1 - t0) * 1000,
            reply_ms=(t2 - t1) * 1000,
        )
        self.turns.append(turn)
        self.agitation = change.after
        if change.after <= RESOLVED_AT:
            self.outcome = Outcome.RESOLVED
        elif change.after >= ESCALATED_AT:
            self.outcome = Outcome.ESCALATED
        elif len(self.turns) >= self.persona.max_turns:
            self.outcome = Outcome.TURN_LIMIT
        if self.recorder:
            self.recorder.turn_recorded(self, turn)
        if self.finished:
            self._close()
        return turn

    def end(self) -> None:
        """The officer ends the session now (also used for Ctrl-C and /practice end)."""
        if not self.finished:
            self.outcome = Outcome.ENDED_BY_OFFICER
            self._close()

    def _close(self) -> None:
        self.ended_at = time.time()
        if self.recorder:
            self.recorder.session_finished(self)
