"""The engine's view of whoever speaks for the visitor: a model, a server, or scripted lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from bot.core.persona import Band, Persona, band_for
from bot.core.reading import Reading

Speaker = Literal["visitor", "officer"]


@dataclass(frozen=True)
class Line:
    """One spoken line of a practice conversation.

    An officer line also carries what the visitor made of it (`reading`) and the agitation the
    visitor answered it at, so a prompt can say how each answer was meant.
    """

    speaker: Speaker
    text: str
    agitation: int | None = None
    reading: Reading | None = None


@dataclass(frozen=True)
class VisitorRequest:
    """Everything a visitor backend needs to say the next line in character."""

    persona: Persona
    agitation: int
    history: tuple[Line, ...]  # the conversation so far, oldest first (opening line included)
    session_id: str = ""

    @property
    def band(self) -> Band:
        """The agitation band the next line should be spoken from."""
        return band_for(self.agitation)

    @property
    def reading(self) -> Reading | None:
        """What the visitor made of the officer's last line (None before it was read)."""
        for line in reversed(self.history):
            if line.speaker == "officer":
                return line.reading
        return None

    @property
    def last_officer_line(self) -> str:
        """What the officer just said ('' before the officer has spoken)."""
        for line in reversed(self.history):
            if line.speaker == "officer":
                return line.text
        return ""

    def visitor_lines(self) -> set[str]:
        """Lines the visitor already said this session (backends must not repeat them)."""
        return {line.text for line in self.history if line.speaker == "visitor"}


class Visitor(Protocol):
    """Produces the visitor's next line. Blocking: adapters call it off the event loop."""

    def reply(self, request: VisitorRequest) -> str:
        """The visitor's next utterance, already cleaned and in character."""
        ...


def visitor_problem(visitor: object) -> str:
    """Why the visitor is speaking scripted persona lines instead of its model ('' when not).

    Model-backed visitors expose a `problem` sentence (the model did not load, the server is
    down); adapters show it loudly rather than letting an officer practise against fallbacks
    without knowing.
    """
    problem = getattr(visitor, "problem", "")
    return problem if isinstance(problem, str) else ""


def visitor_loading(visitor: object) -> str:
    """What the visitor's model is still doing before it can speak ('' when it is ready).

    A local model loads in the background while the officer reads the opening line; the first
    reply waits for it, and adapters say why instead of appearing to hang.
    """
    loading = getattr(visitor, "loading", "")
    return loading if isinstance(loading, str) else ""
