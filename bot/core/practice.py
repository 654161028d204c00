"""The practice room: starts, runs, ends and resumes officers' sessions for any adapter."""

from __future__ import annotations

import logging
import random
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, Protocol

from bot.core.catalogue import PersonaCatalogue
from bot.core.debrief import Debrief, build_debrief
from bot.core.drills import DrillPlan
from bot.core.persona import Persona, PersonaLibrary
from bot.core.reading import Reader, Reading
from bot.core.rewind import (
    BranchComparison,
    CannotRewind,
    branch_session,
    check_branch,
    compare_paths,
)
from bot.core.scores import Rubric
from bot.core.session import (
    Mode,
    Outcome,
    PracticeSession,
    SessionClosed,
    SessionKind,
    SessionRecorder,
    Turn,
)
from bot.core.visitor import Visitor

log = logging.getLogger(__name__)
KEPT_READINGS = 64  # finished sessions whose readings are kept for a quick rewind


class AlreadyPractising(RuntimeError):
    """The officer already has a session running (one at a time)."""

    def __init__(self, session: PracticeSession) -> None:
        self.session = session
        super().__init__(
            f"You already have a practice running with {session.persona.short_name}. "
            "Finish it or end it first."
        )


class NoActiveSession(LookupError):
    """The officer has no session running."""

    def __init__(self) -> None:
        super().__init__("You have no practice running. Start one first.")


class NoPersonaAvailable(LookupError):
    """No enabled persona matches what was asked for."""


class StoredSessionLike(Protocol):
    """What the store returns for a recorded session (to resume it or to rewind it)."""

    id: str
    officer_id: str
    persona_id: str
    mode: str
    agitation: int
    opening_line: str
    turns: Sequence[Turn]
    started_at: float
    meta: dict[str, str]
    outcome: Outcome
    start_agitation: int | None
    kind: SessionKind
    parent_id: str | None
    branch_turn: int | None
    focus: str | None
    max_turns: int | None
    inherited: int


class SessionArchive(SessionRecorder, Protocol):
    """A recorder that can also hand back and close sessions (the SQLite store)."""

    def active_sessions(self) -> Sequence[StoredSessionLike]: ...

    def load_session(self, session_id: str) -> StoredSessionLike: ...

    def close_session(self, session_id: str, outcome: str) -> None: ...


def as_recorded(persona: Persona, stored: StoredSessionLike) -> Persona:
    """The persona as the session ran it: a drill's start agitation and turn limit are its own."""
    return replace(
        persona,
        start_agitation=persona.start_agitation
        if stored.start_agitation is None
        else stored.start_agitation,
        max_turns=stored.max_turns or persona.max_turns,
    )


class PracticeRoom:
    """Everything an adapter needs: pick a persona, run turns, end with a debrief, resume."""

    def __init__(
        self,
        catalogue: PersonaCatalogue | PersonaLibrary,
        visitor: Visitor,
        rubric: Rubric,
        store: SessionArchive | None = None,
        reader: Reader | None = None,
    ) -> None:
        # A bare library (tests, benchmarks) is a catalogue without trainer personas.
        if isinstance(catalogue, PersonaLibrary):
            catalogue = PersonaCatalogue(catalogue)
        self.catalogue, self.visitor, self.rubric, self.store = catalogue, visitor, rubric, store
        # what the visitor makes of each officer line; the rubric's encoder when it has one
        self.reader = reader or Reader(getattr(rubric, "encoder", None))
        self._active: dict[str, PracticeSession] = {}
        # Readings of recently finished sessions, so a rewind of one need not read it again.
        self._past_readings: OrderedDict[str, dict[str, Reading]] = OrderedDict()
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def choose_persona(
        self,
        persona_id: str | None = None,
        difficulty: int | None = None,
        rng: random.Random | None = None,
    ) -> Persona:
        """The named persona, or a random enabled one (at a difficulty when given)."""
        if persona_id:
            return self.catalogue.get(persona_id)
        pool = self.catalogue.at_difficulty(difficulty)
        if not pool:
            levels = sorted({p.difficulty for p in self.catalogue.at_difficulty(None)})
            raise NoPersonaAvailable(
                f"No persona at difficulty {difficulty}. Available difficulties: {levels}"
            )
        return (rng or random).choice(pool)

    def start(
        self,
        officer_id: str,
        persona_id: str | None = None,
        difficulty: int | None = None,
        mode: Mode = Mode.LIVE,
        meta: dict[str, str] | None = None,
    ) -> PracticeSession:
        """Open a session for an officer; AlreadyPractising when one is running."""
        persona = self.choose_persona(persona_id, difficulty)
        return self.open(
            PracticeSession(
                persona,
                officer_id,
                self.visitor,
                self.rubric,
                mode=mode,
                meta=dict(meta or {}),
                recorder=self.store,
                reader=self.reader,
            )
        )

    def start_drill(
        self,
        officer_id: str,
        plan: DrillPlan,
        mode: Mode = Mode.LIVE,
        meta: dict[str, str] | None = None,
    ) -> PracticeSession:
        """Open a drill (a short session on one criterion, from a hard moment) for an officer."""
        return self.open(
            PracticeSession(
                plan.persona,
                officer_id,
                self.visitor,
                self.rubric,
                mode=mode,
                meta=dict(meta or {}),
                recorder=self.store,
                reader=self.reader,
                kind=SessionKind.DRILL,
                focus=plan.criterion,
            )
        )

    def open(self, session: PracticeSession) -> PracticeSession:
        """Make a new session the officer's running one and record it (practice, drill or
        rewind); AlreadyPractising when the officer has one running."""
        with self._guard:
            current = self._active.get(session.officer_id)
            if current and not current.finished:
                raise AlreadyPractising(current)
            self._active[session.officer_id] = session
            self._locks[session.id] = threading.Lock()
        try:
            if session.recorder:
                session.recorder.session_started(session)
        except BaseException:
            self._forget(session)
            raise
        log.info(
            "%s %s started: %s vs %s", session.kind, session.id, session.officer_id,
            session.persona.id,
        )  # fmt: skip
        return session

    def rewind(
        self,
        session_id: str,
        turn: int,
        *,
        officer_id: str | None = None,
        meta: dict[str, str] | None = None,
    ) -> PracticeSession:
        """A "what if?" branch of a recorded session at reply `turn`, running for its officer.

        The branch waits for the officer's other reply (room.reply); CannotRewind says why it
        cannot start, SessionNotFound when there is no such session.
        """
        if self.store is None:
            raise CannotRewind("Rewinding needs the results database; this room records none.")
        stored = self.store.load_session(session_id)
        check_branch(stored, turn, officer_id)
        persona = as_recorded(self.catalogue.get(stored.persona_id), stored)
        session = branch_session(
            stored,
            turn,
            persona,
            visitor=self.visitor,
            rubric=self.rubric,
            recorder=self.store,
            reader=self.reader,
            meta=dict(meta or {}),
        )
        # One batch now rather than one encoder call per earlier line on the first reply.
        session.read_history(self._past_readings.get(session_id))
        return self.open(session)

    def comparison(self, rewind_id: str) -> BranchComparison:
        """A recorded rewind side by side with the session it branched from."""
        if self.store is None:
            raise CannotRewind("Comparing needs the results database; this room records none.")
        branch = self.store.load_session(rewind_id)
        if not branch.parent_id:
            raise CannotRewind(f"Session {rewind_id} is not a rewind of another practice.")
        return compare_paths(self.store.load_session(branch.parent_id), branch)

    def active(self, officer_id: str) -> PracticeSession | None:
        """The officer's running session, if any."""
        session = self._active.get(officer_id)
        return session if session and not session.finished else None

    def find(self, key: str, value: str) -> PracticeSession | None:
        """The running session whose adapter context has key == value (e.g. a thread id)."""
        for session in list(self._active.values()):
            if not session.finished and session.meta.get(key) == value:
                return session
        return None

    def running(self) -> list[PracticeSession]:
        """All running sessions."""
        return [s for s in self._active.values() if not s.finished]

    def reply(self, officer_id: str, text: str) -> Turn:
        """Play one officer reply in their running session (blocking: model + rubric)."""
        session = self.active(officer_id)
        if session is None:
            raise NoActiveSession()
        # One reply at a time per session: a second message waits rather than interleaving.
        with self._locks.setdefault(session.id, threading.Lock()):
            if session.finished:
                raise SessionClosed(f"This session is over ({session.outcome.label}).")
            turn = session.respond(text)
        if session.finished:
            self._forget(session)
        return turn

    def end(self, officer_id: str) -> Debrief:
        """End the officer's running session now and return its debrief."""
        session = self.active(officer_id)
        if session is None:
            raise NoActiveSession()
        try:
            with self._locks.setdefault(session.id, threading.Lock()):
                session.end()
        finally:
            self._forget(session)  # over even if the store could not record it
        return self.debrief(session)

    def debrief(self, session: PracticeSession) -> Debrief:
        """The debrief of a session (finished or not)."""
        return build_debrief(session, self.rubric)

    def recorded_debrief(self, session_id: str) -> Debrief:
        """The debrief of a recorded session, running or finished, e.g. for a debrief's Details
        button pressed after a restart (the store's SessionNotFound when it is unknown)."""
        for session in self.running():
            if session.id == session_id:
                return self.debrief(session)
        if self.store is None:
            raise NoActiveSession()
        stored = self.store.load_session(session_id)
        # a persona disabled since still debriefs, as the session ran it (drills)
        persona = self.catalogue.known(stored.persona_id)
        return self.debrief(self._rebuilt(persona, stored, outcome=Outcome(stored.outcome)))

    def _rebuilt(
        self, persona: Persona, stored: StoredSessionLike, **extra: Any
    ) -> PracticeSession:
        """A session as the store recorded it, on this room's visitor, rubric and reader."""
        return PracticeSession(
            as_recorded(persona, stored),
            stored.officer_id,
            self.visitor,
            self.rubric,
            mode=Mode(stored.mode),
            id=stored.id,
            agitation=stored.agitation,
            opening_line=stored.opening_line,
            turns=list(stored.turns),
            started_at=stored.started_at,
            meta=dict(stored.meta),
            reader=self.reader,
            kind=stored.kind,
            parent_id=stored.parent_id,
            branch_turn=stored.branch_turn,
            focus=stored.focus,
            inherited=stored.inherited,
            **extra,
        )

    def resume(
        self,
        owned: Callable[[StoredSessionLike], bool] | None = None,
        officer_id: str | None = None,
    ) -> list[PracticeSession]:
        """Bring back sessions that were in progress when the process stopped.

        `owned` picks the adapter's own sessions: the Discord bot must not take over a terminal
        practice (it has no thread to play it in, and would keep it open forever). `officer_id`:
        one officer's only.
        """
        if self.store is None:
            return []
        resumed = []
        for stored in self.store.active_sessions():
            if owned is not None and not owned(stored):
                continue
            if officer_id is not None and stored.officer_id != officer_id:
                continue
            # A persona disabled meanwhile still finishes the practice it is in.
            persona = self.catalogue.find(stored.persona_id)
            if persona is None:
                log.warning("closing session %s: persona %s is gone", stored.id, stored.persona_id)
                self.store.close_session(stored.id, Outcome.ENDED_BY_OFFICER.value)
                continue
            session = self._rebuilt(persona, stored, recorder=self.store)
            with self._guard:
                self._active[session.officer_id] = session
                self._locks[session.id] = threading.Lock()
            resumed.append(session)
        if resumed:
            log.info("resumed %d session(s) in progress", len(resumed))
        return resumed

    def close_abandoned(self, abandoned: Callable[[StoredSessionLike], bool]) -> list[str]:
        """Close stored sessions in progress that nothing will ever finish; returns their ids.

        `abandoned` is the owning adapter's judgement (a terminal practice whose process is
        gone); they end as ended by the officer, with the turns they have, so stats count them.
        """
        if self.store is None:
            return []
        running = {s.id for s in self.running()}
        closed = [
            stored.id
            for stored in self.store.active_sessions()
            if stored.id not in running and abandoned(stored)
        ]
        for session_id in closed:
            self.store.close_session(session_id, Outcome.ENDED_BY_OFFICER.value)
        if closed:
            log.info("closed %d abandoned session(s): %s", len(closed), ", ".join(closed))
        return closed

    def _forget(self, session: PracticeSession) -> None:
        with self._guard:
            if self._active.get(session.officer_id) is session:
                del self._active[session.officer_id]
            self._locks.pop(session.id, None)
            self._past_readings[session.id] = session.readings()
            while len(self._past_readings) > KEPT_READINGS:
                self._past_readings.popitem(last=False)
