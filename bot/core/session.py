"""The practice session state machine: one officer, one visitor, turn by turn to an outcome."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Mapping
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
from bot.core.persona import Persona, visible
from bot.core.reading import Reader, Reading
from bot.core.scores import Rubric, RubricScore, ScoreContext
from bot.core.strategy import strategy_of
from bot.core.typed_text import clean_typed
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


class SessionKind(StrEnum):
    """What a session is for: a full practice, a "what if?" branch of one, or a short drill."""

    PRACTICE = "practice"
    REWIND = "rewind"  # replays an earlier session from one of its turns with another reply
    DRILL = "drill"  # a few replies on one weak criterion, from a hard moment

    @property
    def label(self) -> str:
        """Human wording for lists."""
        return {"practice": "practice", "rewind": "what if?", "drill": "drill"}[self.value]


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
    strategy: str = ""  # a Strategy value: cooperative, competitive, mixed or neutral


class SessionRecorder(Protocol):
    """Where a session is stored as it goes (the SQLite store implements this)."""

    def session_started(self, session: PracticeSession) -> None: ...

    def turn_recorded(self, session: PracticeSession, turn: Turn) -> None: ...

    def session_finished(self, session: PracticeSession) -> None: ...


def check_reply(text: str) -> str:
    """The reply, cleaned and stripped; ReplyRejected with a hint when it is empty or too long.

    Cleaning drops control characters and escape sequences and turns bytes that were not UTF-8
    into U+FFFD, so what is scored, stored and shown is text.
    """
    cleaned = clean_typed(text).strip()
    if not visible(cleaned):
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
    kind: SessionKind = SessionKind.PRACTICE
    parent_id: str | None = None  # a rewind: the session it branches from
    branch_turn: int | None = None  # a rewind: the parent's turn it replaces
    focus: str | None = None  # a drill: the criterion it works on
    inherited: int = 0  # a rewind: how many of `turns` are the parent's, before the branch
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

    def read_history(self, known: Mapping[str, Reading] | None = None) -> None:
        """Read every earlier officer line in one batch (one encoder call).

        A resumed or rewound session starts with turns it never read; reading them one by one
        on the first reply would cost an encoder call each. `known` readings (the parent
        session's, when the room still has them) are taken as they are.
        """
        for text, reading in (known or {}).items():
            self._readings.setdefault(text, reading)
        texts = list(dict.fromkeys(t.officer_text for t in self.turns))
        missing = [t for t in texts if t not in self._readings]
        if missing:
            readings = self.reader.read_many(self.persona, missing)
            self._readings.update(zip(missing, readings, strict=True))

    def readings(self) -> dict[str, Reading]:
        """What the visitor made of each officer line so far (a copy)."""
        return dict(self._readings)

    @property
    def own_turns(self) -> list[Turn]:
        """The turns played in this session (a rewind's inherited turns are its parent's)."""
        return self.turns[self.inherited :]

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
            strategy=strategy_of(reply, score).value,
        )
        # Applied, then recorded as one write with the session's new state; a failed write
        # puts everything back, so memory and the store never disagree about what happened.
        before = (self.agitation, self.outcome, self.ended_at)
        self.turns.append(turn)
        self.agitation = change.after
        if change.after <= RESOLVED_AT:
            self.outcome = Outcome.RESOLVED
        elif change.after >= ESCALATED_AT:
            self.outcome = Outcome.ESCALATED
        elif len(self.turns) >= self.persona.max_turns:
            self.outcome = Outcome.TURN_LIMIT
        if self.finished:
            self.ended_at = time.time()
        if self.recorder:
            try:
                self.recorder.turn_recorded(self, turn)
            except Exception:  # Ctrl-C is not undone: the write on its thread may have finished
                self.turns.pop()
                self.agitation, self.outcome, self.ended_at = before
                raise
        return turn

    def end(self) -> None:
        """The officer ends the session now (also used for Ctrl-C and /practice end).

        The session is over even when recording that fails (the error is raised after): the
        officer did end it, and a store that cannot be written is reported, not retried here.
        """
        if not self.finished:
            self.outcome = Outcome.ENDED_BY_OFFICER
            self.ended_at = time.time()
            if self.recorder:
                self.recorder.session_finished(self)
