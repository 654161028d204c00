"""The practice room: starts, runs, ends and resumes officers' sessions for any adapter."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

from bot.core.catalogue import PersonaCatalogue
from bot.core.debrief import Debrief, build_debrief
from bot.core.persona import Persona, PersonaLibrary
from bot.core.reading import Reader
from bot.core.scores import Rubric
from bot.core.session import (
    Mode,
    Outcome,
    PracticeSession,
    SessionClosed,
    SessionRecorder,
    Turn,
)
from bot.core.visitor import Visitor

log = logging.getLogger(__name__)


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
    """What the store returns for a session that was in progress when the process stopped."""

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


class SessionArchive(SessionRecorder, Protocol):
    """A recorder that can also hand back and close sessions in progress (the SQLite store)."""

    def active_sessions(self) -> Sequence[StoredSessionLike]: ...

    def load_session(self, session_id: str) -> StoredSessionLike: ...

    def close_session(self, session_id: str, outcome: str) -> None: ...


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
        with self._guard:
            current = self._active.get(officer_id)
            if current and not current.finished:
                raise AlreadyPractising(current)
            session = PracticeSession.start(
                persona,
                officer_id,
                self.visitor,
                self.rubric,
                mode=mode,
                meta=dict(meta or {}),
                recorder=self.store,
                reader=self.reader,
            )
            self._active[officer_id] = session
            self._locks[session.id] = threading.Lock()
        log.info("session %s started: %s vs %s", session.id, officer_id, persona.id)
        return session

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
        session = PracticeSession(
            self.catalogue.known(stored.persona_id),  # a persona disabled since still debriefs
            stored.officer_id,
            self.visitor,
            self.rubric,
            mode=Mode(stored.mode),
            id=stored.id,
            agitation=stored.agitation,
            opening_line=stored.opening_line,
            turns=list(stored.turns),
            outcome=Outcome(stored.outcome),
            started_at=stored.started_at,
            meta=dict(stored.meta),
            reader=self.reader,
        )
        return self.debrief(session)

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
            session = PracticeSession(
                persona,
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
                recorder=self.store,
                reader=self.reader,
            )
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
